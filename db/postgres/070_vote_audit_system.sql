-- A quarantine the system makes itself has no staff actor: when two identities turn out to be one person and both
-- had already voted in a poll, the later vote is quarantined at the link (workflow/polls/identity.ts).
alter table vote_audit alter column actor_id drop not null;
comment on column vote_audit.actor_id is 'The moderator; null: the system (a double vote found when two identities were linked).';

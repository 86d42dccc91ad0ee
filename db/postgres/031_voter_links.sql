-- One person, one vote across channels. Identities shown to belong to one person point at the identity that counts
-- for them: a Telegram account whose owner shared their own phone with the bot → that phone; a phone or mailbox
-- verified by a code while the browser already held a voter token → the token's person. Only salted hashes, as
-- everywhere in polls.
create table voter_links (
  identity_hash text primary key,
  person_hash text not null,
  linked_at timestamptz not null default now()
);
create index voter_links_person on voter_links (person_hash);

-- One-time codes leave through the outbound queue now (e-mail, SMS; logged in development mode), so the table that
-- kept them in clear for operators to send by hand goes.
drop table if exists identity_codes;

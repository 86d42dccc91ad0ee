-- Login attempts counted atomically before a password is checked (workflow/auth.ts limitedLogin): one row per
-- counter (login+IP, IP, login), read and charged under a row lock, so parallel attempts cannot all read the same
-- old count. Replaces login_failures, whose count-then-insert let 8 of 60 parallel guesses pass a limit of 5.
create table login_attempts (
  key text primary key,
  window_start timestamptz not null,
  attempts int not null
);
create index login_attempts_window on login_attempts (window_start);

drop table login_failures;

-- One-time codes name phones and mailboxes in clear: challenges (and their codes, by cascade) older than a day are
-- deleted as new codes are requested (workflow/polls/identity.ts); this index keeps that delete cheap.
create index identity_challenges_created on identity_challenges (created_at);

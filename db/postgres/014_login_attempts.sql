-- Login attempts counted atomically before a password is checked (workflow/auth.ts limitedLogin): one row per
-- counter (login+IP, IP, login), bumped by an upsert that locks the row, so parallel attempts cannot all read the
-- same old count. Replaces login_failures, whose count-then-insert let 60 parallel guesses pass a limit of 5.
create table login_attempts (
  key text primary key,
  window_start timestamptz not null,
  attempts int not null
);
create index login_attempts_window on login_attempts (window_start);

drop table login_failures;

-- Polls, votes and discussions (workflow/polls/). Voters are known only by identity_hash = HMAC(salt, provider:key):
-- no phone, e-mail or Telegram id is kept with a vote.

create table polls (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  description text not null default '',
  -- draft → published (visible, not yet open) → open → closed → results_published
  status text not null default 'draft' check (status in ('draft', 'published', 'open', 'closed', 'results_published')),
  region text not null default '',
  -- Empty: the whole region; otherwise the voter must name one of these municipalities.
  municipalities text[] not null default '{}',
  min_age int check (min_age is null or (min_age between 0 and 120)),
  opens_at timestamptz,
  closes_at timestamptz,
  -- Whether citizens see running results while the poll is open (staff always do).
  live_results boolean not null default true,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version int not null default 0
);
create index polls_status on polls (status, created_at desc);

create table poll_questions (
  id uuid primary key default gen_random_uuid(),
  poll_id uuid not null references polls (id) on delete cascade,
  position int not null,
  kind text not null check (kind in ('single', 'multiple', 'scale', 'text')),
  text text not null,
  required boolean not null default true,
  scale_min int,
  scale_max int,
  max_choices int,
  unique (poll_id, position)
);

create table poll_options (
  id uuid primary key default gen_random_uuid(),
  question_id uuid not null references poll_questions (id) on delete cascade,
  position int not null,
  text text not null,
  unique (question_id, position)
);

-- Every identity that ever verified, with when it was first seen: "newly created accounts" in burst detection.
create table voter_identities (
  identity_hash text primary key,
  provider text not null,
  first_seen_at timestamptz not null default now()
);

-- One-time codes for phone/e-mail verification: only the code's hash, with an expiry and an attempt counter.
create table identity_challenges (
  id uuid primary key default gen_random_uuid(),
  provider text not null,
  identity_hash text not null,
  code_hash text not null,
  expires_at timestamptz not null,
  attempts int not null default 0,
  consumed_at timestamptz,
  created_at timestamptz not null default now()
);
create index identity_challenges_identity on identity_challenges (identity_hash, created_at desc);

-- The delivery outbox of codes: in this deployment there is no SMS/e-mail gateway, so operators (and tests) read
-- the codes here; a gateway would send and mark them. Rows are personal data: pruned after a day.
create table identity_codes (
  id bigserial primary key,
  challenge_id uuid not null references identity_challenges (id) on delete cascade,
  channel text not null check (channel in ('phone', 'email')),
  destination text not null,
  code text not null,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index identity_codes_destination on identity_codes (destination, id desc);

-- Short-lived voter sessions issued after a verification (web cookie, widget header, Telegram bot).
create table voter_sessions (
  token_hash text primary key,
  identity_hash text not null,
  provider text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index voter_sessions_expires on voter_sessions (expires_at);

-- One vote per verified person per poll, whatever the channel: the unique constraint is the guarantee.
create table votes (
  id uuid primary key default gen_random_uuid(),
  poll_id uuid not null references polls (id),
  identity_hash text not null,
  provider text not null,
  channel text not null check (channel in ('page', 'widget', 'telegram')),
  municipality text not null default '',
  -- A salted hash of the client's /24 (IPv4) or /48 (IPv6) network: bursts from one network, no address kept.
  network_hash text not null default '',
  status text not null default 'accepted' check (status in ('accepted', 'quarantined')),
  cast_at timestamptz not null default now(),
  unique (poll_id, identity_hash)
);
create index votes_poll_cast on votes (poll_id, cast_at);

create table vote_answers (
  vote_id uuid not null references votes (id) on delete cascade,
  question_id uuid not null references poll_questions (id),
  option_id uuid references poll_options (id),
  value int,
  text text,
  -- Free-text answers are published only after moderation.
  moderation text check (moderation in ('pending', 'approved', 'rejected'))
);
create index vote_answers_vote on vote_answers (vote_id);
create index vote_answers_question on vote_answers (question_id);
create index vote_answers_pending on vote_answers (question_id) where moderation = 'pending';

-- Who quarantined or released which vote, when and why: append-only.
create table vote_audit (
  id bigserial primary key,
  vote_id uuid not null references votes (id),
  action text not null check (action in ('quarantine', 'release')),
  actor_id uuid not null references users (id),
  reason text not null,
  at timestamptz not null default now()
);
create index vote_audit_vote on vote_audit (vote_id, id);

-- Discussion under a poll or proposal: citizens' comments (moderated) and officials' replies.
create table poll_comments (
  id uuid primary key default gen_random_uuid(),
  poll_id uuid not null references polls (id) on delete cascade,
  parent_id uuid references poll_comments (id),
  author_kind text not null check (author_kind in ('citizen', 'official')),
  identity_hash text,
  user_id uuid references users (id),
  author_name text not null default '',
  text text not null,
  status text not null default 'pending' check (status in ('pending', 'published', 'rejected')),
  moderated_by uuid references users (id),
  moderated_at timestamptz,
  created_at timestamptz not null default now()
);
create index poll_comments_poll on poll_comments (poll_id, status, created_at);

-- Telegram chats that asked to receive polls of their municipality (the bot's /polls subscription).
create table poll_subscribers (
  chat_id text primary key,
  municipality text not null,
  created_at timestamptz not null default now()
);
create index poll_subscribers_municipality on poll_subscribers (municipality);

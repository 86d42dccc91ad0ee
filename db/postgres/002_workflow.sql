-- Workflow: answers with their quality check, the transactional outbox, deadline reminders, in-app
-- notifications for staff, citizen actions and the login rate limit.

alter table cases
  add column rejection_reason text,
  add column rating integer check (rating between 1 and 5),
  add column review_cycle integer not null default 0,
  add column closed_at timestamptz,
  add column answered_at timestamptz;
create index cases_executor on cases (executor_id, status);

-- Every saved draft is kept: the leader sees what changed, the audit log refers to a row here.
create table case_answers (
  id bigserial primary key,
  case_id uuid not null references cases(id),
  author_id uuid not null references users(id),
  text text not null,
  attachments jsonb not null default '[]',
  -- The answer-quality warnings shown to the executor and the leader, kept with the answer they were about.
  lint jsonb not null default '[]',
  created_at timestamptz not null default now()
);
create index case_answers_case on case_answers (case_id, id desc);

-- Rows written in the same transaction as a transition; a relay publishes them to BullMQ and marks them, so a
-- Redis outage after the PostgreSQL commit delays messages but never loses them.
create table outbox (
  id bigserial primary key,
  queue text not null,
  job_name text not null,
  job_id text not null,
  payload jsonb not null,
  -- Delayed jobs (reminders) are published with a delay computed from this time at publish time.
  not_before timestamptz,
  created_at timestamptz not null default now(),
  published_at timestamptz
);
create index outbox_pending on outbox (id) where published_at is null;

-- One row per reminder a case will need; sent_at is set once, so a reminder can never be sent twice.
create table case_reminders (
  case_id uuid not null references cases(id),
  kind text not null,
  due_at timestamptz not null,
  sent_at timestamptz,
  recipients integer,
  primary key (case_id, kind)
);
create index case_reminders_due on case_reminders (due_at) where sent_at is null;

create table notifications (
  id bigserial primary key,
  user_id uuid not null references users(id) on delete cascade,
  case_id uuid references cases(id),
  kind text not null,
  text text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  unique (user_id, case_id, kind)
);
create index notifications_user on notifications (user_id, id desc);

-- Citizen actions are applied once per actionId, whatever the queue redelivers.
create table citizen_actions (
  action_id text primary key,
  case_id uuid references cases(id),
  kind text not null,
  outcome text not null,
  applied_at timestamptz not null default now()
);

create table login_failures (
  key text not null,
  at timestamptz not null
);
create index login_failures_key on login_failures (key, at);

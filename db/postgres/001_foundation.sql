-- Foundation schema: organizations, users and sessions, messages with separately stored contacts,
-- cases with their append-only event log.

create table settings (
  key text primary key,
  value text not null
);

create table organizations (
  id uuid primary key default gen_random_uuid(),
  parent_id uuid references organizations(id),
  name text not null,
  kind text not null default 'other',
  ogrn text,
  inn text,
  site text,
  -- The two confirmations of the ПОС seeds: «Мною пройдено обучение» and «ЛКО готов к работе».
  training_confirmed boolean not null default false,
  ready_confirmed boolean not null default false,
  created_at timestamptz not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  login text not null unique,
  password_hash text not null,
  display_name text not null default '',
  active boolean not null default true,
  created_at timestamptz not null default now()
);

-- A role is held in an organization; region-wide roles (administrator, moderator) have no organization.
create table user_roles (
  user_id uuid not null references users(id) on delete cascade,
  organization_id uuid references organizations(id) on delete cascade,
  role text not null check (role in ('administrator', 'moderator', 'coordinator', 'curator', 'leader', 'executor')),
  created_at timestamptz not null default now()
);
create unique index user_roles_unique on user_roles (user_id, coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), role);

create table sessions (
  token_hash text primary key,
  user_id uuid not null references users(id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_expires on sessions (expires_at);

create table messages (
  id uuid primary key,
  source text not null,
  external_id text not null,
  received_at timestamptz not null,
  text text not null,
  author_hash text not null,
  place jsonb not null default '{}',
  link text,
  attachments jsonb not null default '[]',
  provenance jsonb not null default '{}',
  raw jsonb,
  created_at timestamptz not null default now(),
  unique (source, external_id)
);
create index messages_source_received on messages (source, received_at desc);

-- Personal data lives apart from the message so it can be purged or access-restricted on its own.
create table contacts (
  message_id uuid primary key references messages(id) on delete cascade,
  name text,
  phone text,
  email text,
  channel_user_id text
);

create sequence case_number_seq;

create table cases (
  id uuid primary key,
  message_id uuid not null unique references messages(id),
  registration_number text not null unique,
  status text not null,
  category text not null,
  confidence real not null default 0,
  kind text not null default 'complaint',
  fast_track boolean not null default false,
  deadline_days integer not null,
  deadline_rule text not null default '',
  federal_service text,
  municipality text,
  organization_id uuid references organizations(id),
  executor_id uuid references users(id),
  model_version text not null default '',
  registered_at timestamptz not null,
  deadline_at timestamptz not null,
  -- Optimistic concurrency: a transition names the version it saw; a stale one is a conflict.
  version integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index cases_status on cases (status, deadline_at);
create index cases_org on cases (organization_id, status);
create index cases_registered on cases (registered_at desc);

create table case_events (
  id bigserial primary key,
  case_id uuid not null references cases(id),
  at timestamptz not null default now(),
  actor text not null,
  type text not null,
  from_status text,
  to_status text,
  comment text,
  data jsonb not null default '{}'
);
create index case_events_case on case_events (case_id, id);

-- The audit log is append-only: history that can be rewritten is not history.
create function case_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'case_events is append-only';
end $$;
create trigger case_events_no_update before update or delete on case_events
  for each row execute function case_events_append_only();

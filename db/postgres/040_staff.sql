-- Staff: cards (ФИО, position, mobile phone, e-mail), activation by invitation, the history of staff and role changes,
-- alerts by e-mail and Telegram, digests, and who has looked at the desk lately (ПОС: at least twice a day).

-- ФИО is display_name. An account made by invitation has no usable password until activated_at is set.
alter table users
  add column position text,
  add column phone text,
  add column email text,
  add column activated_at timestamptz;
update users set activated_at = created_at;

-- One-time, expiring invitation links; only a hash of the token is kept.
create table staff_invitations (
  token_hash text primary key,
  user_id uuid not null references users(id) on delete cascade,
  created_by uuid references users(id) on delete set null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index staff_invitations_user on staff_invitations (user_id);

-- The form ПОС asks for «при увольнении ответственного сотрудника, и при назначении нового», kept as rows: who
-- changed whose roles or card, when. Data names the fields changed, not their values (phones and e-mails stay out).
create table staff_history (
  id bigserial primary key,
  user_id uuid not null references users(id) on delete cascade,
  organization_id uuid references organizations(id) on delete set null,
  actor text not null,
  at timestamptz not null,
  change text not null,
  data jsonb not null default '{}'
);
create index staff_history_user on staff_history (user_id, id desc);
create index staff_history_org on staff_history (organization_id, id desc);

-- Each notice has an alert topic; alerted_at is set when it went out by e-mail/Telegram (or was not to go out).
-- Notices written before alerts existed are not sent now.
alter table notifications add column topic text, add column alerted_at timestamptz;
update notifications set alerted_at = created_at;
create index notifications_unalerted on notifications (user_id, id) where alerted_at is null;

-- A user's alert channels and topics; without a row: e-mail on (when the card has an address), all topics, digests on.
create table staff_alert_settings (
  user_id uuid primary key references users(id) on delete cascade,
  email_enabled boolean not null default true,
  telegram_enabled boolean not null default false,
  -- Personal data: the chat the user linked with /link <code>; sealed in outbound jobs like any recipient.
  telegram_chat_id text,
  telegram_linked_at timestamptz,
  muted_topics text[] not null default '{}',
  digest_enabled boolean not null default true,
  -- When the last grouped alert went out: the next waits the configured minutes.
  last_alert_at timestamptz,
  updated_at timestamptz not null default now()
);

-- One-time codes that link a Telegram chat to a staff account; hashed, short-lived.
create table staff_link_codes (
  code_hash text primary key,
  user_id uuid not null references users(id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index staff_link_codes_user on staff_link_codes (user_id);

-- The last time each user opened the desk or a case, written at most once a minute per user.
create table staff_activity (
  user_id uuid primary key references users(id) on delete cascade,
  last_seen_at timestamptz not null,
  last_desk_at timestamptz,
  last_case_at timestamptz
);

-- One digest per user per slot (09:00, 14:00 … in the region), whatever the scheduler redelivers.
create table staff_digests (
  user_id uuid not null references users(id) on delete cascade,
  slot_at timestamptz not null,
  sent_at timestamptz not null,
  items integer not null,
  primary key (user_id, slot_at)
);

-- Escalations of a waiting case in an organization nobody looks at: to its leader, then to its curator; once each per
-- review round.
create table staff_escalations (
  case_id uuid not null references cases(id),
  cycle integer not null,
  level text not null check (level in ('leader', 'curator')),
  at timestamptz not null,
  recipients integer not null,
  primary key (case_id, cycle, level)
);

-- Staff mail belongs to no message and no case.
alter table outbound_deliveries alter column message_id drop not null, alter column case_id drop not null;

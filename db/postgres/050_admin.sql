-- Administration: the audit log of administrators' changes, and the settings they edit in the UI (channels, region
-- rules) with a version every process polls to apply a change without a restart where it can.

-- Append-only, like case_events: who changed what, when, from what to what (secrets appear only as «changed»).
create table admin_audit (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor text not null,
  entity text not null,
  entity_id text,
  action text not null,
  changes jsonb not null default '{}'
);
create index admin_audit_entity on admin_audit (entity, entity_id, id desc);
create index admin_audit_at on admin_audit (id desc);

create function admin_audit_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'admin_audit is append-only';
end $$;
create trigger admin_audit_no_update before update or delete on admin_audit
  for each row execute function admin_audit_append_only();

-- One row per setting set in the UI; an absent key falls back to the environment (channels) or the YAML (region).
-- Secret values are stored sealed (lib/seal.ts) and are never sent back to a browser.
create table region_settings (
  key text primary key,
  value jsonb not null,
  secret boolean not null default false,
  updated_at timestamptz not null default now(),
  updated_by text not null
);

-- Bumped with every change; each process polls it and re-reads the settings when it moves.
create table region_settings_version (
  id boolean primary key default true check (id),
  version bigint not null default 0
);
insert into region_settings_version (id, version) values (true, 0);

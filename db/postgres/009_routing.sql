-- Routing: the region's versioned routing table, its automatic-routing settings and threshold history, the
-- routing suggestions and decision recorded on each case, and coordinators' redirects kept as training examples.

-- A stable handle for routing rules and model labels that survives renaming an organization.
alter table organizations add column code text;
create unique index organizations_code on organizations (lower(code)) where code is not null;

-- Each edit is a new version; old versions stay so a case's routing can always be explained.
create table routing_table_versions (
  version integer primary key,
  rules jsonb not null,
  comment text not null default '',
  created_by text not null,
  created_at timestamptz not null default now()
);

-- One row: the region's automatic-routing settings (Otklik serves one region per installation).
create table routing_settings (
  id boolean primary key default true check (id),
  threshold real not null default 0.8,
  -- «Координация внешняя»: where a message goes when no organization can be chosen automatically.
  coordinating_organization text,
  auto_routing boolean not null default true,
  target_redirect_rate real not null default 0.1,
  threshold_floor real not null default 0.6,
  threshold_ceiling real not null default 0.99,
  -- Automatic routes needed since the last threshold change before their redirect rate may move it.
  adjust_min_sample integer not null default 20,
  updated_at timestamptz not null default now()
);
insert into routing_settings (id) values (true);

create table routing_threshold_history (
  id bigserial primary key,
  at timestamptz not null default now(),
  threshold real not null,
  previous real,
  actor text not null,
  reason text not null,
  auto_routes integer,
  redirected integer
);

alter table cases
  add column routing_suggestions jsonb not null default '[]',
  add column routing_version integer,
  add column routing_source text,
  add column routing_reason text,
  add column routed_automatically boolean not null default false,
  add column routed_at timestamptz,
  -- Set on the first redirect after an automatic route: the numerator of the redirect rate.
  add column auto_route_redirected_at timestamptz;
create index cases_auto_routed on cases (routed_at desc) where routed_automatically;

-- Every redirect is a labelled example: the text and place went to `from`, a person decided `to`.
create table routing_examples (
  id bigserial primary key,
  case_id uuid not null references cases(id),
  text text not null,
  context jsonb not null default '{}',
  category text not null,
  from_organization_id uuid references organizations(id),
  from_label text,
  to_organization_id uuid not null references organizations(id),
  to_label text not null,
  automatic_route boolean not null default false,
  actor text not null,
  created_at timestamptz not null default now()
);
create index routing_examples_created on routing_examples (id);

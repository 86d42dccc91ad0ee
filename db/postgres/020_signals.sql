-- Signals and incidents: what the monitoring found (posts and comments on VK pages and Telegram groups/channels,
-- newsfeed.search hits) is a signal in the monitoring inbox, not an appeal: classified, grouped into an incident,
-- with a reaction deadline in hours, and never answered automatically. An incident is the monitoring team's unit of
-- work: accepted (it becomes ONE case, routed and answered through the ПОС lifecycle), rejected, or answered by the
-- team itself; its answer is published to every thread of the incident the region may write in.

-- Which cases came from signals: those get no automatic citizen notices; their approved answer goes to the threads.
alter table cases add column origin text not null default 'appeal' check (origin in ('appeal', 'signal'));

create table incidents (
  -- The classifier's incident id (the id of its first message), or the target's id after a merge.
  id text primary key,
  status text not null default 'new' check (status in ('new', 'accepted', 'rejected', 'answered')),
  -- The one case of an accepted incident.
  case_id uuid unique references cases(id),
  -- Optimistic concurrency for the team's actions, like cases.version.
  version integer not null default 0,
  rejection_reason text,
  -- The answer published to the threads: the team's own, or the case's approved one.
  answer_text text,
  first_reaction_at timestamptz,
  answered_at timestamptz,
  -- Merged into another incident: signals the classifier still assigns here join that one.
  merged_into text references incidents(id),
  -- Aggregates of its signals, kept with every registration and every change, so the inbox sorts and pages incidents
  -- without aggregating all their signals: how many, first and last seen, the earliest reaction deadline of those still
  -- waiting for one, any fast-track, the strongest kind (1 other, 2 question, 3 complaint).
  size integer not null default 0,
  first_seen_at timestamptz,
  last_seen_at timestamptz,
  reaction_due_at timestamptz,
  fast_track boolean not null default false,
  kind_rank smallint not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index incidents_urgent on incidents (status, reaction_due_at, last_seen_at desc) where size > 0;
create index incidents_newest on incidents (status, last_seen_at desc) where size > 0;

create table signals (
  message_id uuid primary key references messages(id),
  incident_id text not null references incidents(id),
  status text not null default 'new' check (status in ('new', 'accepted', 'rejected', 'answered')),
  kind text not null,
  kind_confidence real,
  category text not null,
  confidence real not null default 0,
  municipality text,
  fast_track boolean not null default false,
  model_version text not null default '',
  -- The routing model's top organizations for this message, best first.
  routing_suggestions jsonb not null default '[]',
  received_at timestamptz not null,
  -- Null for `other`: thanks and banter have no term.
  reaction_due_at timestamptz,
  first_reaction_at timestamptz,
  -- Joined an incident after its answer was published: the team decides whether the new thread needs it too.
  joined_after_answer boolean not null default false,
  created_at timestamptz not null default now()
);
create index signals_incident on signals (incident_id, received_at);
create index signals_received on signals (received_at desc);
create index signals_topic on signals (category, municipality, received_at);
create index signals_due on signals (reaction_due_at) where first_reaction_at is null and reaction_due_at is not null;

-- Everything the team did to an incident, append-only like case_events.
create table incident_events (
  id bigserial primary key,
  incident_id text not null references incidents(id),
  at timestamptz not null,
  actor text not null,
  type text not null,
  comment text,
  data jsonb not null default '{}'
);
create index incident_events_incident on incident_events (incident_id, id);
create trigger incident_events_no_update before update or delete on incident_events
  for each row execute function case_events_append_only();

-- One public reply per thread (a VK post or board topic, a Telegram chat) and kind: the interim «взято в работу»
-- and the answer. The outbound id is the delivery's id in the outbound queue (its status is ingest's to tell).
create table incident_replies (
  outbound_id uuid primary key,
  incident_id text not null references incidents(id),
  thread_key text not null,
  message_id uuid not null references messages(id),
  kind text not null check (kind in ('interim', 'answer')),
  channel text not null,
  text text not null,
  actor text not null,
  created_at timestamptz not null,
  unique (incident_id, thread_key, kind)
);

-- Spikes of an incident or of a topic (category in a municipality), for the monitoring team.
create table signal_alerts (
  id bigserial primary key,
  -- `incident:<id>` or `topic:<category>|<municipality>`; with the window bucket, one alert per subject and window.
  subject text not null,
  bucket bigint not null,
  kind text not null check (kind in ('incident', 'topic')),
  incident_id text,
  category text,
  municipality text,
  count integer not null,
  baseline real not null,
  window_hours integer not null,
  at timestamptz not null,
  acknowledged_at timestamptz,
  acknowledged_by uuid references users(id),
  unique (subject, bucket)
);
create index signal_alerts_at on signal_alerts (at desc);

-- The team corrects a signal's kind (and category) in the inbox as it did posts' before: the correction names the
-- message, since a signal has no case; `otklik export-corrections` reads both.
alter table classification_corrections add column message_id uuid references messages(id);
alter table classification_corrections alter column case_id drop not null;
alter table classification_corrections add constraint classification_corrections_subject check (case_id is not null or message_id is not null);

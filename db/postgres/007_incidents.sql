-- Incidents and the monitoring team's corrections.
-- An incident groups the cases about one real-world problem (the classifier proposes `incidentId`; the monitoring
-- team merges and splits). A case without one is its own incident.
alter table cases add column incident_id text;
create index cases_incident on cases (incident_id) where incident_id is not null;
create index cases_municipality on cases (municipality, status);

-- What the monitoring team corrected: the category, or that a message is not a complaint at all. Kept apart from
-- the case so `otklik export-corrections` can hand them to `otklik train --corrections` as labelled examples.
create table classification_corrections (
  id bigserial primary key,
  case_id uuid not null references cases(id),
  -- 'category': label is a rubricator category; 'kind': label is complaint / question / other.
  field text not null check (field in ('category', 'kind')),
  old_label text not null,
  label text not null,
  actor uuid references users(id),
  at timestamptz not null default now()
);
create index classification_corrections_at on classification_corrections (at, id);

-- E-mail and SMS are real channels now: a delivery can fail for a while (retrying), for good (failed: retries spent,
-- or the channel is off), or be refused by the recipient's server or the SMS provider for that address (bounced).
-- One row per outbound message, updated as its attempts go; staff read it as the case's delivery trail.
alter table outbound_deliveries drop constraint if exists outbound_deliveries_status_check;
alter table outbound_deliveries add constraint outbound_deliveries_status_check
  check (status in ('sent', 'recorded', 'retrying', 'failed', 'bounced'));
alter table outbound_deliveries
  add column attempts integer not null default 1,
  add column error text,
  add column updated_at timestamptz not null default now();
create index outbound_deliveries_case on outbound_deliveries (case_id, delivered_at) where case_id is not null;
-- Operators watch what did not go out (docs/operations.md).
create index outbound_deliveries_trouble on outbound_deliveries (updated_at) where status in ('retrying', 'failed', 'bounced');

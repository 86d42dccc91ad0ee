-- Reminders become delayed BullMQ jobs only when they are due within a day (the sweep queues them as their time
-- nears), so Redis holds about a day of reminders instead of three jobs for every open case. queued_at says the
-- job was handed to the outbox. Rows written before this migration had their jobs queued at registration.
alter table case_reminders add column queued_at timestamptz;
update case_reminders set queued_at = now();
create index case_reminders_to_queue on case_reminders (due_at) where sent_at is null and queued_at is null;

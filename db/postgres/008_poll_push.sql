-- A poll pushed to a municipality's Telegram chats leaves through the outbound queue like a reply, but belongs to
-- no message or case: its delivery record names the poll instead.
alter table outbound_deliveries alter column message_id drop not null;
alter table outbound_deliveries alter column case_id drop not null;
alter table outbound_deliveries add column poll_id uuid;

-- Deliveries name the channel they left on (vk, telegram, email, sms, …): a widget or 122 citizen is reached by
-- e-mail or SMS, and staff mail belongs to no case, so `source` (the case's channel) no longer says it.
alter table outbound_deliveries add column channel text;
update outbound_deliveries set channel = source where channel is null and source in ('vk', 'telegram');
alter table outbound_deliveries alter column source drop not null;

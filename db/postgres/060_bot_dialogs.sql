-- The citizen bots' conversations of every network (Telegram, MAX, …), one row per chat of a network. Replaces
-- telegram_dialogs, whose rows move here unchanged.
create table bot_dialogs (
  network text not null,
  chat_id text not null,
  state text not null,
  draft jsonb not null default '{}',
  updated_at timestamptz not null default now(),
  primary key (network, chat_id)
);

insert into bot_dialogs (network, chat_id, state, draft, updated_at)
select 'telegram', chat_id, state, draft, updated_at from telegram_dialogs;

drop table telegram_dialogs;

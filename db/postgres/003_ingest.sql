-- Ingest channels: resumable cursors of pollers, the Telegram bot's dialogs, and outbound deliveries.

-- One row per poller position (VK Long Poll ts per community, newsfeed.search sweep per keyword, Telegram
-- getUpdates offset), written after the items it covers are enqueued: a restart resumes without a gap.
create table ingest_cursors (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);

-- The citizen bot's conversation state lives here rather than in memory, so a restart mid-dialog loses nothing.
create table telegram_dialogs (
  chat_id text primary key,
  state text not null,
  draft jsonb not null default '{}',
  updated_at timestamptz not null default now()
);

-- Every reply that left (or, for widget and 122, was recorded for the citizen): the outboundId makes a
-- redelivered job a no-op.
create table outbound_deliveries (
  outbound_id uuid primary key,
  message_id uuid not null,
  case_id uuid not null,
  source text not null,
  kind text not null,
  target jsonb not null,
  text text not null,
  -- sent: delivered to the network; recorded: no network (widget, 122), kept for the citizen's status page.
  status text not null check (status in ('sent', 'recorded')),
  external_ref text,
  delivered_at timestamptz not null default now()
);
create index outbound_deliveries_message on outbound_deliveries (message_id, delivered_at);

/**
 * A social network as ingest wires it: each network's folder (ingest/vk, ingest/telegram, ingest/max, ingest/ok)
 * exports one `network` descriptor, and ingest/index.ts lists them in NETWORKS. Adding a network is its folder plus
 * one line there (ingest/README.md says what else needs a label).
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { ApiBuilder } from '../lib/api-builder.js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import type { NetworkSource } from '../lib/queues.js';
import type { CursorStore } from './cursors.js';
import type { RatingDesk } from './citizen-actions.js';
import type { Intake } from './intake.js';
import type { OutboundAdapter } from './outbound-adapter.js';
import type { PollBallotBox } from './telegram/bot.js';
import type { StaffLinkDesk } from './telegram/staff-link.js';

/** Runs until `signal` aborts (a poller) or until its one job is done (a webhook subscription). */
export type BackgroundTask = (signal: AbortSignal) => Promise<void>;

/** Waits the tests shorten; a network reads what applies to it. */
export interface NetworkTuning {
  /** Pause between retries of a failed API request. */
  retryWaitMs?: number;
  /** Seconds a long-poll request is held open by the network. */
  pollHoldSeconds?: number;
  /** Pause between two sweeps of a polling monitor (comments, search). */
  sweepIntervalMs?: number;
}

/** What a network is built from: the shared intake plumbing and the builder its webhooks are declared on. */
export interface NetworkContext {
  config: Config;
  db: pg.Pool;
  redis: Redis;
  /** Redis key prefix of the deployment. */
  prefix: string;
  intake: Intake;
  cursors: CursorStore;
  salt: string;
  logger: Logger;
  api: ApiBuilder;
  /** The polls' ballot box (Telegram votes by button). */
  polls?: PollBallotBox;
  /** The workflow's citizen desk: the rating and repeat-review buttons of the citizen bots and VK dialogs. */
  ratings?: RatingDesk;
  /** The workflow's staff link desk: `/link <code>` in the Telegram bot links a staff account's alerts to the chat. */
  staffLinks?: StaffLinkDesk;
  tuning: NetworkTuning;
  /** This network's modes, as `modes(config)` gave them. */
  modes: Record<string, string>;
}

/** What a built network adds to the ingest role. */
export interface NetworkParts {
  /** Pollers and one-off jobs (webhook subscriptions) started with ingest. */
  tasks: BackgroundTask[];
  /** The network's way out for the outbound worker; it says `off` when the settings are missing. */
  adapter: OutboundAdapter;
  /** Logged once at start: settings that leave the network partly deaf. */
  warnings: string[];
}

export interface Network {
  /** The `source` of its messages and the `channel` of its replies; what staff call it is in SOURCE_LABELS (lib/sources.ts). */
  name: NetworkSource;
  /** Each part's mode for /healthz ('off' when its settings are absent), keyed like `vk`, `vk_outbound`. */
  modes(config: Config): Record<string, string>;
  /** Throws a ConfigError for settings that would let forged requests in; the ingest role then refuses to start. */
  check(config: Config): void;
  /** Declares its webhooks on `ctx.api` and returns its pollers and outbound adapter. */
  build(ctx: NetworkContext): NetworkParts;
}

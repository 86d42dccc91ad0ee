/**
 * The workflow stage and API wired the way main.ts wires them, on the test Redis and a fresh PostgreSQL database,
 * but with a controllable clock: deadlines and reminders are tested by moving time, never by waiting for it.
 */
import type http from 'node:http';
import { inject } from 'vitest';
import pg from 'pg';
import { migrate } from '../../db/migrate.js';
import { messageIdFor, randomUUID } from '../../lib/ids.js';
import { closeServer, createHttpApp, listen } from '../../lib/http.js';
import { createLogger } from '../../lib/logger.js';
import { closeQueues, createQueues, createReminderQueue, type AnalyticsEvent, type ClassifiedMessage, type OutboundMessage, type Queues,
  type WorkflowTimerJob } from '../../lib/queues.js';
import { createSealer, type Sealer } from '../../lib/seal.js';
import type { SignalTerms } from '../../lib/signal-terms.js';
import type { SpikeAlert } from '../../lib/monitoring.js';
import { createDeadlineRules } from '../../classify/deadlines.js';
import { loadRegionConfig, regionRulesOf, type RegionRules } from '../../lib/region-config.js';
import type { Queue } from 'bullmq';
import { producerRedisOptions, workerRedisOptions } from '../../lib/runtime/redis.js';
import { startWorkers, type RunningWorkers } from '../../lib/workers.js';
import { createWorkflowApi } from '../../workflow/api.js';
import { ensureAdmin, hashPassword } from '../../workflow/auth.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { createWorkflowStage, type WorkflowStage } from '../../workflow/stage.js';
import { createTestDatabase, eventually, loginAs, uniqueName } from '../support.js';
import { openOutbound } from '../../lib/sealed-payloads.js';

export interface TestClock {
  now: () => Date;
  set(d: Date | string): void;
  advance(ms: number): void;
}

export function testClock(start: Date | string): TestClock {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), set: (d) => void (t = new Date(d).getTime()), advance: (ms) => void (t += ms) };
}

/** Real time: for tests where BullMQ's own delays must fire. */
export const realClock = (): TestClock => ({
  now: () => new Date(),
  set: () => {
    throw new Error('a real clock cannot be set');
  },
  advance: () => {
    throw new Error('a real clock cannot be moved');
  },
});

export interface Harness {
  /** The region the workflow runs with (its zone, digest times, deadline rules). */
  region: RegionRules;
  db: pg.Pool;
  queues: Queues;
  reminders: Queue<WorkflowTimerJob>;
  stage: WorkflowStage;
  workers: RunningWorkers;
  url: string;
  clock: TestClock;
  prefix: string;
  /** The deployment's payload sealer: replies cross Redis with their recipient sealed. */
  sealer: Sealer;
  /** Stops workers, relay and HTTP and starts them again on the same database and Redis: a process restart. */
  restart(): Promise<void>;
  /** The two halves of a restart, for tests that let time pass while nothing runs. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  clock?: TestClock;
  tokenTtlHours?: number;
  loginLimit?: { maxFailures: number; windowMinutes: number };
  reminderDaysBefore?: number[];
  /** The region's signal terms (defaults without). */
  signals?: SignalTerms;
  onSpike?: (alert: SpikeAlert) => void;
  /** The region's calendar and deadline rules; default: config/region.yaml (Krasnoyarsk, UTC+7) with classify's rules. */
  region?: RegionRules;
  /** Put the staff alert and digest job schedulers in Redis (off: tests run those jobs themselves, at the clock's time). */
  staffSchedules?: boolean;
  alertMinutes?: number;
}

export const HARNESS_PUBLIC_URL = 'https://otklik.test';

/** The shipped region (config/region.yaml) as main.ts wires it. */
export function shippedRegion(): RegionRules {
  const region = loadRegionConfig(new URL('../../config/region.yaml', import.meta.url).pathname);
  return regionRulesOf(region, createDeadlineRules(region));
}

const logger = createLogger('silent');

export async function startWorkflowHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = opts.clock ?? testClock(new Date());
  const db = new pg.Pool({ connectionString: await createTestDatabase('wf'), max: 20 });
  await migrate(db);
  await ensureAdmin(db, 'admin', 'test-admin-password');
  const prefix = uniqueName('wfq');
  const sealer = createSealer(`harness-${prefix}`);
  const redisUrl = inject('redisUrl');
  const queues = createQueues({ connection: { url: redisUrl, ...producerRedisOptions() }, prefix });
  const reminders = createReminderQueue({ connection: { url: redisUrl, ...producerRedisOptions() }, prefix });

  const region = opts.region ?? shippedRegion();
  const staff = { region, publicUrl: HARNESS_PUBLIC_URL, alertMinutes: opts.alertMinutes ?? 5, reminderDaysBefore: opts.reminderDaysBefore };
  let stage!: WorkflowStage;
  let workers!: RunningWorkers;
  let server!: http.Server;
  let url = '';
  const up = async () => {
    stage = createWorkflowStage({ db, queues, reminders, logger, sealer, now: clock.now, sweepMs: 3_600_000, outboxPollMs: 200, ...staff,
      staffSchedules: opts.staffSchedules ?? false, signals: opts.signals, onSpike: opts.onSpike });
    workers = startWorkers(stage.workers, { connection: { url: redisUrl, ...workerRedisOptions() }, prefix, logger });
    const api = createWorkflowApi({ db, tokenTtlHours: opts.tokenTtlHours ?? 1, now: clock.now, relay: stage.relay, loginLimit: opts.loginLimit, ...staff });
    // The document at /api/v1/openapi.json is the process's one document, here of the workflow's builders alone.
    const app = createHttpApp({ routers: [api.router], apis: api.builders, health: {}, logger });
    server = await listen(app, 0, '127.0.0.1');
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  };
  const down = async () => {
    await closeServer(server);
    await workers.close();
    await stage.close();
  };
  await up();
  const h: Harness = {
    region,
    db,
    queues,
    reminders,
    clock,
    prefix,
    sealer,
    get stage() {
      return stage;
    },
    get workers() {
      return workers;
    },
    get url() {
      return url;
    },
    async restart() {
      await down();
      await up();
    },
    down,
    up,
    async stop() {
      await down();
      await closeQueues(queues);
      await reminders.close();
      await db.end();
    },
  } as Harness;
  return h;
}

// ---- data builders ----------------------------------------------------------------------------------------------

let seq = 0;

/**
 * A classified appeal (a message sent to the region: the bot, the widget, the 122) unless `origin: 'signal'` says it
 * is something the monitoring found.
 */
export function buildClassified(
  overrides: { source?: ClassifiedMessage['message']['source']; externalId?: string; text?: string; category?: string; deadlineDays?: number;
    fastTrack?: boolean; contact?: ClassifiedMessage['message']['contact']; receivedAt?: string; provenance?: Record<string, string>;
    origin?: 'appeal' | 'signal'; kind?: 'complaint' | 'question' | 'other'; kindConfidence?: number; incidentId?: string; municipality?: string;
    routing?: { organization: string; score: number }[]; classifiedAt?: string } = {},
): ClassifiedMessage {
  const source = overrides.source ?? 'telegram';
  const externalId = overrides.externalId ?? (source === 'telegram' ? `${5_000_000 + ++seq}:${100 + seq}` : `ext-${randomUUID()}`);
  const receivedAt = overrides.receivedAt ?? '2026-11-20T09:00:00.000Z';
  return {
    message: {
      messageId: messageIdFor(source, externalId),
      source,
      externalId,
      receivedAt,
      text: overrides.text ?? 'Во дворе дома по ул. Ленина, 12 огромная яма на проезде, машины не могут проехать, прошу засыпать.',
      authorHash: 'a'.repeat(64),
      contact: overrides.contact ?? (source === 'telegram' ? { channelUserId: externalId.split(':')[0] } : { phone: '+73912223344' }),
      place: { municipality: overrides.municipality ?? 'город Красноярск' },
      attachments: [],
      provenance: overrides.provenance ?? {},
      raw: null,
      origin: overrides.origin ?? 'appeal',
    },
    classification: {
      category: overrides.category ?? 'Дороги',
      confidence: 0.9,
      top: [],
      kind: overrides.kind ?? 'complaint',
      fastTrack: overrides.fastTrack ?? false,
      deadlineDays: overrides.deadlineDays ?? 30,
      deadlineRule: 'standard',
      modelVersion: 'test',
      municipality: overrides.municipality ?? 'город Красноярск',
      ...(overrides.kindConfidence !== undefined ? { kindConfidence: overrides.kindConfidence } : {}),
      ...(overrides.incidentId ? { incidentId: overrides.incidentId } : {}),
      ...(overrides.routing ? { routing: overrides.routing } : {}),
    },
    classifiedAt: overrides.classifiedAt ?? receivedAt,
  };
}

/** Sends a classified message through the queue and waits until the workflow registered its case. */
export async function registerThroughQueue(h: Harness, input: ClassifiedMessage): Promise<string> {
  await h.queues.classified.add('classified', input);
  const caseId = caseIdFor(input.message.messageId);
  await eventually(async () => (await h.db.query('select 1 from cases where id = $1', [caseId])).rowCount, 10_000, 'case registered');
  return caseId;
}

export async function createOrg(h: Harness, name: string, parentId: string | null = null): Promise<string> {
  const r = await h.db.query<{ id: string }>('insert into organizations (name, parent_id, kind) values ($1, $2, $3) returning id', [name, parentId, 'omsu']);
  return r.rows[0]!.id;
}

const passwordHash = hashPassword('correct-horse-battery');

/** A user with roles, logged in; returns id and token. */
export async function createUser(h: Harness, login: string, roles: [string, string | null][]): Promise<{ id: string; token: string; login: string }> {
  const r = await h.db.query<{ id: string }>('insert into users (login, password_hash, display_name, activated_at) values ($1, $2, $3, now()) returning id', [
    login,
    await passwordHash,
    `Сотрудник ${login}`,
  ]);
  const id = r.rows[0]!.id;
  for (const [role, org] of roles) await h.db.query('insert into user_roles (user_id, organization_id, role) values ($1, $2, $3)', [id, org, role]);
  return { id, login, token: await loginAs(h.url, login, 'correct-horse-battery') };
}

export interface Api {
  get<T = any>(path: string, token?: string): Promise<{ status: number; body: T }>;
  post<T = any>(path: string, body: unknown, token?: string): Promise<{ status: number; body: T }>;
  send<T = any>(method: string, path: string, body: unknown, token?: string): Promise<{ status: number; body: T }>;
}

export function api(h: Harness): Api {
  const send = async (method: string, path: string, body: unknown, token?: string) => {
    const res = await fetch(`${h.url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  return { send, get: (p, t) => send('GET', p, undefined, t), post: (p, b, t) => send('POST', p, b, t) };
}

/**
 * The citizen notices of a case in the order the workflow wrote them (outbox order), once each has reached the
 * outbound queue in BullMQ under its deterministic job id.
 */
export async function outboundOf(h: Harness, caseId: string): Promise<OutboundMessage[]> {
  return eventually(async () => {
    const rows = await h.db.query<{ job_id: string; payload: OutboundMessage; published_at: Date | null }>(
      `select job_id, payload, published_at from outbox where queue = 'outbound' and payload->>'caseId' = $1 order by id`,
      [caseId],
    );
    for (const r of rows.rows) {
      if (!r.published_at) return undefined;
      const job = await h.queues.outbound.getJob(r.job_id);
      if (!job || job.data.outboundId !== r.payload.outboundId) return undefined;
      // The recipient crosses Redis sealed, and opens to the one the workflow wrote.
      if (Object.keys(job.data.target).length || JSON.stringify(openOutbound(h.sealer, job.data).target) !== JSON.stringify(r.payload.target)) {
        throw new Error(`outbound job ${r.job_id} does not carry its recipient sealed`);
      }
    }
    return rows.rows.map((r) => r.payload);
  }, 10_000, 'outbound published');
}

/** Analytics events the workflow published for a case (all reached the events queue). */
export async function eventsOf(h: Harness, caseId: string): Promise<AnalyticsEvent[]> {
  return eventually(async () => {
    const rows = await h.db.query<{ job_id: string; payload: { events: AnalyticsEvent[] }; published_at: Date | null }>(
      `select job_id, payload, published_at from outbox where queue = 'events' and job_id like $1 order by id`,
      [`%${caseId}%`],
    );
    for (const r of rows.rows) {
      if (!r.published_at || !(await h.queues.events.getJob(r.job_id))) return undefined;
    }
    return rows.rows.flatMap((r) => r.payload.events);
  }, 10_000, 'events published');
}

/**
 * Staff mail (alerts, digests, invitations) the workflow wrote, oldest first, once each reached the outbound queue in
 * BullMQ with its recipient sealed; `to` picks one recipient's (an e-mail address or a Telegram chat id).
 */
export async function staffMail(h: Harness, kind: 'staff_alert' | 'staff_digest' | 'invitation', to?: string): Promise<OutboundMessage[]> {
  await h.stage.relay.flush();
  return eventually(async () => {
    const rows = await h.db.query<{ job_id: string; payload: OutboundMessage; published_at: Date | null }>(
      `select job_id, payload, published_at from outbox where queue = 'outbound' and payload->>'kind' = $1
          and ($2::text is null or payload->'target'->>'email' = $2 or payload->'target'->>'chatId' = $2) order by id`,
      [kind, to ?? null],
    );
    for (const r of rows.rows) {
      if (!r.published_at) return undefined;
      const job = await h.queues.outbound.getJob(r.job_id);
      if (!job || job.data.outboundId !== r.payload.outboundId) return undefined;
      // The recipient crosses Redis sealed, like a citizen's.
      if (Object.keys(job.data.target).length || JSON.stringify(openOutbound(h.sealer, job.data).target) !== JSON.stringify(r.payload.target)) {
        throw new Error(`staff mail ${r.job_id} does not carry its recipient sealed`);
      }
    }
    return rows.rows.map((r) => r.payload);
  }, 10_000, 'staff mail published');
}

/** Runs one of the workflow's scheduled staff jobs (alerts, digest) through its worker, at the harness clock's time. */
export async function runStaffJob(h: Harness, staff: 'alerts' | 'digest'): Promise<Record<string, unknown>> {
  const job = await h.reminders.add(`staff-${staff}`, { staff }, { jobId: `test-${staff}-${randomUUID()}` });
  const done = await eventually(async () => {
    // The state first, then the job: a job read while still active would carry no return value yet.
    const state = await h.reminders.getJobState(job.id!);
    if (state === 'failed') throw new Error(`staff job failed: ${(await h.reminders.getJob(job.id!))?.failedReason}`);
    return state === 'completed' ? h.reminders.getJob(job.id!) : undefined;
  }, 15_000, `staff ${staff} job`);
  await h.stage.relay.flush();
  return done.returnvalue as Record<string, unknown>;
}

/**
 * The transactional outbox: a transition committed while Redis cannot be reached loses neither its analytics event
 * nor its citizen notice; they leave when a relay can publish, and publishing a row twice makes no second job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { closeQueues, createQueues, createReminderQueue } from '../../lib/queues.js';
import { performAction } from '../../workflow/lifecycle.js';
import { createOutboxRelay } from '../../workflow/outbox.js';
import { buildClassified, createOrg, createUser, registerThroughQueue, startWorkflowHarness, type Harness } from './workflow-harness.js';
import { openOutbound } from '../../lib/sealed-payloads.js';

describe('the workflow outbox', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startWorkflowHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps what a transition owes other stages until Redis takes it, and never publishes a row twice', async () => {
    const org = await createOrg(h, 'Администрация Кировского района');
    const moderator = await createUser(h, 'moderator', [['moderator', null]]);
    // An organization receives cases only with an active coordinator and an active leader.
    await createUser(h, 'coordinator', [['coordinator', org]]);
    await createUser(h, 'leader', [['leader', org]]);
    const caseId = await registerThroughQueue(h, buildClassified({ externalId: '9001:7' }));
    await h.down();

    const r = await performAction({ db: h.db, now: h.clock.now }, { id: moderator.id, roles: [{ role: 'moderator', organizationId: null }] }, caseId, {
      action: 'accept',
      expectedVersion: 0,
      organizationId: org,
    });
    expect(r.ok).toBe(true);
    const pending = async () =>
      (await h.db.query<{ job_id: string; queue: string }>(
        `select job_id, queue from outbox where published_at is null and (job_id like $1 or payload->>'caseId' = $2) order by id`,
        [`%${caseId}%`, caseId],
      )).rows;
    // Redis is "down" for this relay: nothing answers on its port.
    const dead = { url: 'redis://127.0.0.1:1', maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 500, retryStrategy: () => null };
    const deadQueues = createQueues({ connection: dead, prefix: h.prefix });
    const deadReminders = createReminderQueue({ connection: dead, prefix: h.prefix });
    for (const q of [...Object.values(deadQueues), deadReminders]) q.on('error', () => {});
    const broken = createOutboxRelay({ db: h.db, queues: deadQueues, reminders: deadReminders, now: h.clock.now, logger: createLogger('silent'), pollMs: 60_000,
      sealer: h.sealer });
    await expect(broken.flush()).rejects.toThrow();
    await broken.close();
    await closeQueues(deadQueues).catch(() => {});
    await deadReminders.close().catch(() => {});
    const waiting = await pending();
    expect(waiting.map((x) => x.queue)).toEqual(['events', 'outbound']);

    await h.up();
    await h.stage.relay.flush();
    expect(await pending()).toEqual([]);
    const event = await h.queues.events.getJob(waiting[0]!.job_id);
    expect(event!.data.events[0]).toMatchObject({ type: 'case.transition', caseId, fromStatus: 'moderation', status: 'routed' });
    const notice = await h.queues.outbound.getJob(waiting[1]!.job_id);
    // The recipient is sealed in Redis and opens with the deployment's key.
    expect(notice!.data).toMatchObject({ caseId, kind: 'status', target: {} });
    // The chat id as a value anywhere (a bare 9001 could turn up inside a random id).
    expect(JSON.stringify(notice!.data)).not.toContain('"9001"');
    expect(openOutbound(h.sealer, notice!.data)).toMatchObject({ caseId, kind: 'status', target: { chatId: '9001', replyToMessageId: '7' } });

    // A relay that died after adding but before marking publishes the rows again: BullMQ keeps one job per id.
    const before = (await h.queues.outbound.getJobs(['waiting', 'active', 'completed', 'delayed'])).length;
    await h.db.query(`update outbox set published_at = null where job_id = any($1::text[])`, [waiting.map((x) => x.job_id)]);
    await h.stage.relay.flush();
    expect(await pending()).toEqual([]);
    expect((await h.queues.outbound.getJobs(['waiting', 'active', 'completed', 'delayed'])).length).toBe(before);
  });
});

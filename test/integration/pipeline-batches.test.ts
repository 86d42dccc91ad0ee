/**
 * Pages of posts through the batched contracts: intake.acceptMany, classify forwarding one batch, the workflow
 * registering a batch in one transaction, the relay publishing in bulk. Idempotency must survive every repeat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeCallCard } from '../../ingest/contact-center.js';
import { pageJobId } from '../../ingest/intake.js';
import type { Otklik } from '../../main.js';
import { incomingMessagesOf, type ClassifiedMessage, type IncomingMessage } from '../../lib/queues.js';
import { caseIdFor, registerCases } from '../../workflow/register-case.js';
import { eventually, startTestSystem } from '../support.js';
import { buildClassified } from './workflow-harness.js';

let seq = 0;
function buildPost(overrides: Partial<{ callId: string; text: string }> = {}): IncomingMessage {
  const n = ++seq;
  return normalizeCallCard({
    callId: overrides.callId ?? `page-${Date.now().toString(36)}-${n}`,
    receivedAt: new Date().toISOString(),
    text: overrides.text ?? `На улице Мира, дом ${n}: не вывозят мусор, контейнеры переполнены уже ${n} дней`,
    phone: '+7 391 200-00-00',
  }, 'salt');
}

const countWhere = async (system: Otklik, sql: string, params: unknown[]) => Number((await system.db.query(sql, params)).rows[0].n);
const casesOf = (system: Otklik, ids: string[]) => countWhere(system, 'select count(*) as n from cases where message_id = any($1::uuid[])', [ids]);
async function chEvents(system: Otklik, ids: string[]): Promise<number> {
  const r = await system.ch!.query({ query: 'SELECT toUInt32(count()) AS n FROM events WHERE message_id IN {ids:Array(UUID)}', query_params: { ids },
    format: 'JSONEachRow' });
  return Number((await r.json<{ n: number }>())[0]!.n);
}

describe('pages of posts through the batched pipeline', () => {
  let system: Otklik;
  beforeAll(async () => {
    system = await startTestSystem({}, ['ingest', 'classify', 'workflow', 'analytics']);
    // The intake's Redis connection fails fast rather than queueing commands: wait until it is up.
    await eventually(() => system.ingest!.intake.seen('00000000-0000-0000-0000-000000000000').then(() => true), 10_000, 'intake Redis');
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('acceptMany enqueues a page as one job; the same page again, or its overlap, adds only what is new', async () => {
    const intake = system.ingest!.intake;
    const page = Array.from({ length: 5 }, () => buildPost());
    expect(await intake.acceptMany([...page, page[0]!])).toEqual({ accepted: 5, duplicates: 1 });
    const job = await system.queues.incoming.getJob(pageJobId(page.map((m) => m.messageId)));
    expect(incomingMessagesOf(job!.data).map((m) => m.messageId)).toEqual(page.map((m) => m.messageId));

    expect(await intake.acceptMany(page)).toEqual({ accepted: 0, duplicates: 5 });
    const more = [buildPost(), buildPost()];
    expect(await intake.acceptMany([...page.slice(3), ...more])).toEqual({ accepted: 2, duplicates: 2 });
    const second = await system.queues.incoming.getJob(pageJobId(more.map((m) => m.messageId)));
    expect(incomingMessagesOf(second!.data).map((m) => m.externalId).sort()).toEqual(more.map((m) => m.externalId).sort());

    const ids = [...page, ...more].map((m) => m.messageId);
    await eventually(async () => (await casesOf(system, ids)) === 7, 20_000, 'seven cases');
    await eventually(async () => (await chEvents(system, ids)) === 21, 20_000, 'three events per case in ClickHouse');
  });

  it('gathers single messages accepted together into one page; each caller hears about its own message', async () => {
    const intake = system.ingest!.intake;
    const posts = Array.from({ length: 6 }, () => buildPost());
    // The same delivery twice in the burst (a webhook retried at once) and one already accepted earlier.
    const earlier = buildPost();
    expect(await intake.accept(earlier)).toBe('accepted');
    const burst = [...posts, posts[2]!, earlier];
    expect(await Promise.all(burst.map((m) => intake.accept(m)))).toEqual([...posts.map(() => 'accepted'), 'duplicate', 'duplicate']);
    const job = await system.queues.incoming.getJob(pageJobId(posts.map((m) => m.messageId)));
    expect(incomingMessagesOf(job!.data).map((m) => m.messageId)).toEqual(posts.map((m) => m.messageId));
    expect(await intake.accept(posts[0]!)).toBe('duplicate');

    const ids = [...posts, earlier].map((m) => m.messageId);
    await eventually(async () => (await casesOf(system, ids)) === 7, 20_000, 'seven cases');
    await eventually(async () => (await chEvents(system, ids)) === 21, 20_000, 'three events per case in ClickHouse');
  });

  it('makes one case per message when the same posts arrive in two different jobs (past the intake check)', async () => {
    const page = Array.from({ length: 4 }, () => buildPost());
    await system.queues.incoming.add('page', { messages: page }, { jobId: 'redelivered-a' });
    await system.queues.incoming.add('page', { messages: [...page.slice(1), buildPost({ callId: page[0]!.externalId })] }, { jobId: 'redelivered-b' });
    const ids = page.map((m) => m.messageId);
    await eventually(async () =>
      (await system.queues.incoming.getJobCounts('completed')).completed! >= 2
      && (await system.queues.classified.getJobCounts('waiting', 'active')).waiting === 0, 20_000, 'both jobs through');
    await eventually(async () => (await casesOf(system, ids)) === 4, 20_000, 'four cases');
    await eventually(async () => (await chEvents(system, ids)) === 12, 20_000, 'twelve events');
    await eventually(async () => (await system.queues.classified.getJobCounts('waiting', 'active')).active === 0, 10_000, 'workflow idle');
    expect(await casesOf(system, ids)).toBe(4);
    expect(await chEvents(system, ids)).toBe(12);
  });

  it('keeps the valid messages of a batch with a malformed one, and dead-letters a batch with nothing valid', async () => {
    const good = [buildPost(), buildPost()];
    const mixed = await system.queues.incoming.add('page', { messages: [good[0]!, { text: 42, source: 'fax' }, good[1]!] } as never);
    await eventually(async () => (await casesOf(system, good.map((m) => m.messageId))) === 2, 20_000, 'the two valid messages');
    const done = await eventually(async () => {
      const j = await system.queues.incoming.getJob(mixed.id!);
      return j?.returnvalue ? j : undefined;
    }, 10_000, 'the mixed job result');
    expect(done.returnvalue).toMatchObject({ classified: 2, rejected: [{ index: 1, reason: expect.stringMatching(/messageId/) }] });

    const bad = await system.queues.incoming.add('page', { messages: [{ text: 1 }, { nope: true }] } as never);
    const failed = await eventually(async () => (await system.queues.incoming.getFailed()).find((j) => j.id === bad.id), 10_000, 'the bad batch failed');
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/no valid message in the batch.*\[0\].*\[1\]/);
  });

  it('registers a batch in one transaction, skipping repeats inside it and messages already stored', async () => {
    const stored = buildClassified({ source: 'telegram' });
    const [first] = await registerCases(system.db, [stored], new Date());
    expect(first!.created).toBe(true);

    const a = buildClassified({ source: 'telegram' });
    const b = buildClassified({ source: 'contact_center' });
    const aAgain: ClassifiedMessage = { ...a, classification: { ...a.classification, category: 'ЖКХ' } };
    const results = await registerCases(system.db, [a, stored, b, aAgain], new Date());
    expect(results.map((r) => r.created)).toEqual([true, false, true, false]);
    expect(results[1]!.case).toMatchObject({ caseId: caseIdFor(stored.message.messageId), registrationNumber: first!.case.registrationNumber });
    expect(results[3]!.case.caseId).toBe(results[0]!.case.caseId);
    const ids = [stored, a, b].map((x) => x.message.messageId);
    expect(await casesOf(system, ids)).toBe(3);
    const numbers =
      (await system.db.query<{ registration_number: string }>('select registration_number from cases where message_id = any($1::uuid[])', [ids])).rows;
    expect(new Set(numbers.map((r) => r.registration_number)).size).toBe(3);
    const caseIds = ids.map(caseIdFor);
    expect(await countWhere(system, 'select count(*) as n from case_events where case_id = any($1::uuid[])', [caseIds])).toBe(3);
    expect(await countWhere(system, 'select count(*) as n from case_reminders where case_id = any($1::uuid[])', [caseIds])).toBe(9);
    // Every citizen is told their number: Telegram ones on the channel, the 122 caller by SMS on the phone they gave.
    expect(await countWhere(system, "select count(*) as n from outbox where queue = 'outbound' and payload->>'caseId' = any($1::text[])", [caseIds])).toBe(3);
    // The whole batch (a, b) again adds nothing.
    expect((await registerCases(system.db, [b, a], new Date())).map((r) => r.created)).toEqual([false, false]);
    expect(await countWhere(system, 'select count(*) as n from case_reminders where case_id = any($1::uuid[])', [caseIds])).toBe(9);
    await eventually(async () => (await chEvents(system, ids)) === 9, 20_000, 'nine events in ClickHouse');
  });

  it('publishes outbox rows again after a crash between add and mark without doubling anything in ClickHouse', async () => {
    const batch = Array.from({ length: 3 }, () => buildClassified({ source: 'contact_center' }));
    await registerCases(system.db, batch, new Date());
    const ids = batch.map((x) => x.message.messageId);
    await eventually(async () => (await chEvents(system, ids)) === 9, 20_000, 'nine events in ClickHouse');
    const jobsBefore = await system.queues.events.getJobCountByTypes('completed', 'waiting', 'active', 'failed');
    // The relay died after addBulk but before marking: the rows are pending again.
    const reset = await system.db.query(`update outbox set published_at = null where queue = 'events' and payload::text like $1 returning id`, [`%${ids[0]}%`]);
    expect(reset.rowCount).toBe(1);
    await system.workflow!.relay.flush();
    expect(await countWhere(system, 'select count(*) as n from outbox where published_at is null and id = $1', [reset.rows[0].id])).toBe(0);
    expect(await system.queues.events.getJobCountByTypes('completed', 'waiting', 'active', 'failed')).toBe(jobsBefore);
    // Even a job under a new id (a relay that grouped rows differently) stores no event twice.
    const row = (await system.db.query<{ payload: { events: unknown[] } }>('select payload from outbox where id = $1', [reset.rows[0].id])).rows[0]!;
    const again = await system.queues.events.add('again', row.payload as never, { jobId: 'republished-under-new-id' });
    await eventually(async () => (await system.queues.events.getJob(again.id!))?.finishedOn, 20_000, 'the republished job');
    expect(await chEvents(system, ids)).toBe(9);
  });

  it('numbers cases past the millionth without cutting a number to an earlier one', async () => {
    await system.db.query("select setval('case_number_seq', 999998)");
    const batch = Array.from({ length: 3 }, () => buildClassified({ source: 'contact_center' }));
    const results = await registerCases(system.db, batch, new Date('2026-11-24T10:00:00Z'));
    // A batch draws its numbers in message-id order (the order its rows are locked in), not in the order given.
    expect(new Set(results.map((r) => r.case.registrationNumber))).toEqual(new Set(['2026-999999', '2026-1000000', '2026-1000001']));
  });
});

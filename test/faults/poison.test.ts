import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeCallCard } from '../../ingest/contact-center.js';
import type { Otklik } from '../../main.js';
import { eventually, startTestSystem } from '../support.js';

describe('a poison message', () => {
  let system: Otklik;
  beforeAll(async () => {
    system = await startTestSystem({}, ['classify', 'workflow', 'analytics']);
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('is dead-lettered at once, stays visible with its reason, and does not block the messages behind it', async () => {
    const poison = await system.queues.incoming.add('contact_center', { text: 42, source: 'fax' } as never);
    const good = Array.from({ length: 20 }, (_, i) =>
      normalizeCallCard({
        callId: `after-poison-${i}`,
        receivedAt: new Date().toISOString(),
        text: `Во дворе дома ${i} не убран снег, машины не могут проехать`,
      }, 'salt'));
    await system.queues.incoming.addBulk(good.map((m) => ({ name: 'contact_center', data: m, opts: { jobId: m.messageId } })));

    const failed = await eventually(async () => (await system.queues.incoming.getFailed()).find((j) => j.id === poison.id), 15_000, 'poison in the failed set');
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/invalid incoming payload/);
    expect(failed.failedReason).toMatch(/messageId/);

    const cases = await eventually(async () => {
      const n = Number((await system.db.query(`select count(*) from messages where external_id like 'after-poison-%'`)).rows[0].count);
      return n === 20 ? n : undefined;
    }, 20_000, 'the 20 good messages');
    expect(cases).toBe(20);
    const counts = await system.queues.incoming.getJobCounts('failed', 'waiting', 'active');
    expect(counts).toEqual({ failed: 1, waiting: 0, active: 0 });
  });
});

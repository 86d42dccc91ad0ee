/**
 * Personal data on its way through the system: contacts cross Redis sealed (a Redis dump and the queue board show
 * ciphertext), the board is for region administrators only, one-time code limits count the canonical destination,
 * and VK settings that would accept forged events refuse to start.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { signBody } from '../../ingest/contact-center.js';
import { messageIdFor } from '../../lib/ids.js';
import { createLogger } from '../../lib/logger.js';
import { incomingMessageSchema } from '../../lib/queues.js';
import { loadOrCreateSalt } from '../../lib/salt.js';
import { createSealer } from '../../lib/seal.js';
import { startOtklik, type Otklik } from '../../main.js';
import { buildVkCallback, buildVkComment } from '../fakes/payloads.js';
import { eventually, loginAs, startTestSystem, testConfig } from '../support.js';
import { codeDestinations } from '../codes.js';
import { sealIncoming } from '../../lib/sealed-payloads.js';

const PHONE = '+7 (391) 222-33-44';
const NAME = 'Петрова Анна Сергеевна';
const PERSONAL = ['222-33-44', '2223344', 'Петрова', 'petrova@example.ru'];

/** Every value Redis holds under the deployment's prefix, as text: what a dump of Redis would reveal. */
async function redisDump(prefix: string): Promise<string> {
  const redis = new Redis(inject('redisUrl'));
  try {
    const keys = await redis.keys(`${prefix}:*`);
    const parts: string[] = [];
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'string') parts.push((await redis.get(key)) ?? '');
      else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
      else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
    return parts.join('\n');
  } finally {
    redis.disconnect();
  }
}

describe('personal data in job payloads and on the queue board', () => {
  let system: Otklik;
  let admin: string;
  beforeAll(async () => {
    system = await startTestSystem({ OTKLIK_POLL_IP_LIMIT_PER_MINUTE: '100000' }, ['ingest', 'classify', 'workflow']);
    admin = await loginAs(system.url!, 'admin', 'test-admin-password');
  });
  afterAll(async () => {
    await system?.stop();
  });

  const call = (path: string, method: string, token: string, body?: unknown) =>
    fetch(`${system.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  it("keeps a caller's phone and name out of Redis and the board, and still registers them with the case", async () => {
    const body = JSON.stringify({ callId: 'pd-call-1', receivedAt: new Date().toISOString(),
      text: 'Во дворе дома 5 по улице Мира прорвало трубу, вода в подвале', phone: PHONE, name: NAME });
    const posted = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', body) }, body });
    expect(posted.status).toBe(202);
    const contact = await eventually(async () =>
      (await system.db.query<{ phone: string; name: string }>(
        `select k.phone, k.name from contacts k join messages m on m.id = k.message_id join cases c on c.message_id = m.id where m.external_id = 'pd-call-1'`,
      )).rows[0], 20_000, 'the case with its contact');
    expect(contact).toEqual({ phone: '+73912223344', name: NAME });
    // The raw call card (which names the caller) reached PostgreSQL too, opened.
    expect((await system.db.query(`select raw->>'name' as name from messages where external_id = 'pd-call-1'`)).rows[0].name).toBe(NAME);

    const dump = await redisDump(system.config.queuePrefix);
    expect(dump).toContain('pd-call-1');
    for (const personal of PERSONAL) expect(dump).not.toContain(personal);

    const board = await call(`/admin/queues/api/queues?activeQueue=incoming&status=completed`, 'GET', admin);
    expect(board.status).toBe(200);
    const shown = await board.text();
    expect(shown).toContain('pd-call-1');
    expect(shown).toContain('[sealed');
    for (const personal of PERSONAL) expect(shown).not.toContain(personal);
  });

  it('registers a batch whose one message does not open (another key) without that message, saying why', async () => {
    const own = createSealer(await loadOrCreateSalt(system.db));
    const foreign = createSealer('another-deployment');
    const build = (externalId: string) => ({
      message: incomingMessageSchema.parse({ messageId: messageIdFor('contact_center', externalId), source: 'contact_center', externalId,
        receivedAt: new Date().toISOString(), text: 'Нет отопления в доме 3 по улице Мира', authorHash: 'b'.repeat(32),
        contact: { phone: '+73910000001', name: 'Сидоров' }, raw: null }),
      classification: { category: 'ЖКХ', confidence: 0.9, top: [], kind: 'complaint' as const, fastTrack: false, deadlineDays: 30, deadlineRule: 'standard',
        modelVersion: 'test' },
      classifiedAt: new Date().toISOString(),
    });
    const good = build('pd-sealed-good');
    const bad = build('pd-sealed-foreign');
    const job = await system.queues.classified.add('batch', { items: [
      { ...bad, message: sealIncoming(foreign, bad.message) },
      { ...good, message: sealIncoming(own, good.message) },
    ] });
    const result = await eventually(async () => (await job.isCompleted()) && (await system.queues.classified.getJob(job.id!))!.returnvalue, 15_000,
      'batch registered');
    expect(result).toMatchObject({ created: 1, rejected: [{ index: 0, reason: expect.stringMatching(/contact does not open/) }] });
    expect((await system.db.query(`select k.phone from contacts k join messages m on m.id = k.message_id where m.external_id = 'pd-sealed-good'`)).rows)
      .toEqual([{ phone: '+73910000001' }]);
    expect((await system.db.query(`select 1 from messages where external_id = 'pd-sealed-foreign'`)).rowCount).toBe(0);
  });

  it("opens the queue board to region administrators only, not to an organization's administrator", async () => {
    const org = (await (await call('/api/v1/organizations', 'POST', admin, { name: 'Администрация Ачинска', kind: 'omsu' })).json()) as { id: string };
    const created = await call('/api/v1/users', 'POST', admin, { login: 'org-admin', password: 'a-long-password', displayName: 'Админ Ачинска',
      roles: [{ role: 'administrator', organizationId: org.id }] });
    expect(created.status).toBe(201);
    const orgAdmin = await loginAs(system.url!, 'org-admin', 'a-long-password');
    for (const path of ['/admin/queues', '/admin/queues/api/queues?activeQueue=incoming&status=completed']) {
      const res = await call(path, 'GET', orgAdmin);
      expect(res.status, path).toBe(403);
      expect(await res.text()).not.toContain('pd-call-1');
    }
    expect((await call('/admin/queues', 'GET', admin)).status).toBe(200);
  });

  it('counts one-time codes on the canonical destination: 8 spellings of one phone get 5 codes', async () => {
    const spellings = ['89131234567', '+79131234567', '79131234567', '9131234567', '8 (913) 123-45-67', '+7 (913) 123-45-67', '8-913-123-45-67',
      '+7 913 123 45 67'];
    const statuses = await Promise.all(spellings.map(async (destination) =>
      (await fetch(`${system.url}/api/v1/public/identity/code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'phone', destination }),
      })).status
    ));
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    expect(await eventually(async () => {
      const to = await codeDestinations(system.db, 'phone');
      return to.length ? to : undefined;
    }, 15_000, 'codes sent'))
      .toEqual(['+79131234567']);
    // Sub-addresses and capitals are one mailbox.
    const mails = ['Ivan.Petrov@Gmail.com', 'ivanpetrov+1@gmail.com', 'ivan.petrov+2@googlemail.com', 'IVANPETROV@gmail.com', 'i.v.a.n.petrov@gmail.com',
      'ivanpetrov+3@gmail.com'];
    const mailStatuses = [];
    for (const destination of mails) {
      mailStatuses.push((await fetch(`${system.url}/api/v1/public/identity/code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'email', destination }),
      })).status);
    }
    expect(mailStatuses).toEqual([201, 201, 201, 201, 201, 429]);
  });
});

describe('VK settings that would accept forged events', () => {
  it('refuses to start the webhook when VK_CALLBACK_CONFIRMATION is set without VK_CALLBACK_SECRET', async () => {
    const config = await testConfig({ VK_CALLBACK_CONFIRMATION: 'conf-code', VK_GROUP_IDS: '111' });
    await expect(startOtklik(config, ['ingest'], createLogger('silent'))).rejects.toThrow(/VK_CALLBACK_SECRET is not/);
  });

  it('accepts no community when VK_GROUP_IDS is empty', async () => {
    const system = await startTestSystem({ VK_CALLBACK_CONFIRMATION: 'conf-code', VK_CALLBACK_SECRET: 'cb-secret' }, ['ingest']);
    try {
      const post = (body: unknown) =>
        fetch(`${system.url}/webhooks/vk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      for (const groupId of [111, 222]) {
        const res = await post(buildVkCallback('wall_reply_new', buildVkComment({ owner_id: -groupId }), { group_id: groupId, secret: 'cb-secret' }));
        expect(res.status).toBe(403);
      }
      expect((await system.queues.incoming.getJobCounts('waiting', 'active', 'completed')).waiting).toBe(0);
    } finally {
      await system.stop();
    }
  });
});

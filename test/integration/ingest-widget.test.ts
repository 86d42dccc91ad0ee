import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from '../../lib/ids.js';
import type { Otklik } from '../../main.js';
import { eventually, loginAs, startTestSystem } from '../support.js';

const SITE = 'http://gov-site.test';
export function buildSubmission(o: Record<string, unknown> = {}) {
  return {
    idempotencyKey: randomUUID(),
    org: 'minzdrav-24',
    category: 'Здравоохранение',
    text: 'В поликлинике №4 невозможно записаться к терапевту: запись закрыта на месяц вперёд.',
    address: 'Красноярск, ул. Ленина, 10',
    name: 'Сидорова Ольга',
    phone: '+7 913 000-11-22',
    consent: true,
    ...o,
  };
}

describe('site widget API', () => {
  let system: Otklik;
  beforeAll(async () => {
    system = await startTestSystem({ WIDGET_ALLOWED_ORIGINS: `${SITE},https://other.test`, WIDGET_IP_LIMIT_PER_HOUR: '6', WIDGET_CONTACT_LIMIT_PER_DAY: '3' }, [
      'ingest',
      'classify',
      'workflow',
    ]);
  });
  afterAll(async () => {
    await system?.stop();
  });
  const submit = (body: unknown, origin: string | null = SITE, raw?: string) =>
    fetch(`${system.url}/api/v1/widget/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
      body: raw ?? JSON.stringify(body),
    });

  it('serves widget.js and answers CORS preflight only for configured sites', async () => {
    const js = await fetch(`${system.url}/widget.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('Сообщить о проблеме');
    const ok = await fetch(`${system.url}/api/v1/widget/messages`, { method: 'OPTIONS', headers: { origin: SITE, 'access-control-request-method': 'POST' } });
    expect([ok.status, ok.headers.get('access-control-allow-origin')]).toEqual([204, SITE]);
    const evil = await fetch(`${system.url}/api/v1/widget/messages`, { method: 'OPTIONS', headers: { origin: 'https://evil.test' } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('accepts a submission once (same idempotency key → same id), stores provenance and shows the registration number', async () => {
    const s = buildSubmission();
    const first = await submit(s);
    expect(first.status).toBe(202);
    expect(first.headers.get('access-control-allow-origin')).toBe(SITE);
    const { messageId } = (await first.json()) as { messageId: string };
    const again = await submit(s);
    expect(((await again.json()) as { messageId: string }).messageId).toBe(messageId);
    const status = await eventually(async () => {
      const r = (await (await fetch(`${system.url}/api/v1/widget/messages/${messageId}`, { headers: { origin: SITE } })).json()) as {
        registrationNumber?: string;
      };
      return r.registrationNumber ? r : undefined;
    }, 15_000, 'registration number');
    expect(status.registrationNumber).toMatch(/^\d{4}-\d{6}$/);
    const token = await loginAs(system.url!, 'admin', 'test-admin-password');
    const items = ((await (await fetch(`${system.url}/api/v1/messages?source=widget`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      items: { messageId: string; provenance: Record<string, string>; externalId: string }[];
    }).items;
    const mine = items.filter((i) => i.externalId === s.idempotencyKey);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.provenance).toMatchObject({ channel: 'widget', site: SITE, org: 'minzdrav-24', category: 'Здравоохранение', region: 'Красноярский край' });
    // The workflow's «registered» notice for a widget author is recorded, not e-mailed.
    const delivered = await eventually(
      async () => (await system.db.query("select status from outbound_deliveries where message_id = $1 and kind = 'registered'", [messageId])).rows[0],
      15_000,
      'recorded delivery',
    );
    expect(delivered.status).toBe('recorded');
  });

  it('refuses bad input with JSON errors: other origins, no consent, no contact, bad JSON, too large, honeypot', async () => {
    const before = await system.queues.incoming.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed');
    expect((await submit(buildSubmission(), 'https://evil.test')).status).toBe(403);
    expect((await submit(buildSubmission(), null)).status).toBe(403);
    const noConsent = await submit(buildSubmission({ consent: false }));
    expect([noConsent.status, ((await noConsent.json()) as { error: string }).error]).toEqual([400, expect.stringMatching(/согласие/)]);
    const noContact = await submit(buildSubmission({ phone: undefined }));
    expect(((await noContact.json()) as { error: string }).error).toMatch(/телефон или e-mail/);
    const badJson = await submit(undefined, SITE, '{"text": ');
    expect([badJson.status, ((await badJson.json()) as { error: string }).error]).toEqual([400, 'body is not valid JSON']);
    const huge = await submit(buildSubmission({ text: 'а'.repeat(40_000) }));
    expect(huge.status).toBe(413);
    const bot = await submit(buildSubmission({ website: 'http://spam.example' }));
    expect(bot.status).toBe(400);
    const after = await system.queues.incoming.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed');
    expect(after).toBe(before);
  });

  it('refuses a flood: per contact per day, then per IP per hour, with 429 and Retry-After', async () => {
    const phone = '+7 999 123-45-67';
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await submit(buildSubmission({ phone }))).status);
    expect(codes).toEqual([202, 202, 202, 429]);
    const byIp: number[] = [];
    for (let i = 0; i < 4; i++) byIp.push((await submit(buildSubmission({ phone: `+7 999 000-00-0${i}` }))).status);
    expect(byIp).toContain(429);
    const limited = await submit(buildSubmission({ phone: '+7 999 555-55-55' }));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: string }).error).toMatch(/Слишком много/);
  });
});

/**
 * Hostile input against every public endpoint and webhook: malformed JSON, wrong types, huge strings, unicode edge
 * cases, injection strings, forged signatures and replays. The property: never a 5xx, always a JSON `{error}` on 4xx.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../ingest/contact-center.js';
import type { Otklik } from '../../main.js';
import { startFakeMax, type FakeMax } from '../fakes/fake-max.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fake-telegram.js';
import { buildVkCallback, buildVkPost, maxChatMessage, maxDialogMessage, maxMessageCreated, okGroupMessage } from '../fakes/payloads.js';
import { eventually, loginAs, startTestSystem } from '../support.js';

const RUNS = 150;
const SITE = 'https://site.example';

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom("' OR 1=1; DROP TABLE cases; --", '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '\u0000\u202e\ud800', '{{7*7}}',
    '${jndi:ldap://x}', '../../etc/passwd', 'a'.repeat(70_000), '🙂'.repeat(5000), '\uFEFF', '%00', 'NaN', '-1', '1e309'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const jsonish = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.dictionary(
    fc.constantFrom('callId', 'text', 'receivedAt', 'type', 'group_id', 'secret', 'object', 'update_id', 'message', 'consent', 'contact', 'idempotencyKey',
      'org', 'login', 'password', 'update_type', 'timestamp', 'callback', 'chat_id', 'sender', 'recipient', 'webhookType'),
    nasty,
  )
    .map((o) => JSON.stringify(o)),
  fc.string().map((s) => `{"broken": ${s}`),
  fc.constantFrom('', '{', '[]', 'null', '"str"', '{"__proto__":{"admin":true}}', '{"callId":{"$gt":""}}'),
);

let tried = 0;
let fiveHundreds = 0;

async function expectClientError(res: Response, label: string) {
  tried++;
  if (res.status >= 500) fiveHundreds++;
  expect(res.status, `${label} answered ${res.status}`).toBeLessThan(500);
  if (res.status >= 400) {
    const text = await res.text();
    const body = JSON.parse(text) as { error?: unknown };
    expect(typeof body.error, `${label}: ${text.slice(0, 200)}`).toBe('string');
  } else {
    await res.arrayBuffer();
  }
}

describe('fuzzing the public surface', () => {
  let system: Otklik;
  let token: string;
  // A well-formed update with the right secret makes the bot ask Telegram who it is (getMe); against a dead API
  // root that is a correct 503 (Telegram redelivers), so the bot talks to a local Telegram instead.
  let telegram: FakeTelegram;
  let max: FakeMax;
  beforeAll(async () => {
    telegram = await startFakeTelegram({ token: '123:fuzz' });
    max = await startFakeMax({ token: 'max-fuzz' });
    system = await startTestSystem({
      VK_CALLBACK_CONFIRMATION: '111:conf-111',
      VK_CALLBACK_SECRET: 'cb-secret',
      VK_GROUP_IDS: '111',
      TELEGRAM_BOT_TOKEN: '123:fuzz',
      TELEGRAM_WEBHOOK_SECRET: 'tg-secret',
      TELEGRAM_API_ROOT: telegram.apiRoot,
      WIDGET_ALLOWED_ORIGINS: SITE,
      WIDGET_IP_LIMIT_PER_HOUR: '100000',
      WIDGET_CONTACT_LIMIT_PER_DAY: '100000',
      OTKLIK_LOGIN_MAX_FAILURES: '100000',
      MAX_BOT_TOKEN: 'max-fuzz',
      MAX_WEBHOOK_SECRET: 'max-secret',
      MAX_API_BASE_URL: max.apiBaseUrl,
      OK_GROUPS: '111:ok-group-key',
      OK_WEBHOOK_SECRET: 'ok-secret-0123456789abcdef',
    });
    token = await loginAs(system.url!, 'admin', 'test-admin-password');
  });
  afterAll(async () => {
    await system?.stop();
    await telegram?.close();
    await max?.close();
    process.stdout.write(`fuzz: ${tried} inputs tried, ${fiveHundreds} answered 5xx\n`);
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${system.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('contact center calls: forged and correctly signed garbage', async () => {
    await fc.assert(fc.asyncProperty(jsonish, fc.boolean(), async (body, sign) => {
      await expectClientError(
        await post('/api/v1/contact-center/calls', body, { 'x-signature': sign ? signBody('test-secret', body) : signBody('forged', body) }),
        'calls',
      );
    }), { numRuns: RUNS });
  });

  it('VK callback webhook', async () => {
    await fc.assert(fc.asyncProperty(jsonish, async (body) => {
      await expectClientError(await post('/webhooks/vk', body), 'vk');
    }), { numRuns: RUNS });
  });

  it('Telegram webhook, with and without its secret header', async () => {
    await fc.assert(fc.asyncProperty(jsonish, fc.boolean(), async (body, withSecret) => {
      await expectClientError(await post('/webhooks/telegram', body, withSecret ? { 'x-telegram-bot-api-secret-token': 'tg-secret' } : {}), 'telegram');
    }), { numRuns: RUNS });
  });

  it('MAX webhook, with and without its secret, garbage and updates with hostile fields', async () => {
    const update = fc.oneof(jsonish, nasty.map((text) => JSON.stringify(maxMessageCreated(maxChatMessage({ text: String(text) })))),
      nasty.map((text) =>
        JSON.stringify(maxMessageCreated({ ...maxDialogMessage(-5, 7, { text: String(text) }), timestamp: typeof text === 'number' ? text : Date.now() }))
      ));
    await fc.assert(fc.asyncProperty(update, fc.boolean(), async (body, withSecret) => {
      await expectClientError(await post('/webhooks/max', body, withSecret ? { 'x-max-bot-api-secret': 'max-secret' } : {}), 'max');
    }), { numRuns: RUNS });
  });

  it('Одноклассники webhook: forged addresses, garbage and messages with hostile fields', async () => {
    const body = fc.oneof(jsonish, nasty.map((text) => JSON.stringify(okGroupMessage('chat:C1', '5', { text: String(text) }))),
      nasty.map((v) => JSON.stringify({ ...okGroupMessage('chat:C1', '5'), timestamp: v, recipient: { chat_id: v } })));
    const path = fc.oneof(fc.constant('/webhooks/ok/111/ok-secret-0123456789abcdef'), fc.constant('/webhooks/ok/222/ok-secret-0123456789abcdef'),
      fc.string().map((s) => `/webhooks/ok/111/${encodeURIComponent(s)}`));
    await fc.assert(fc.asyncProperty(path, body, async (p, b) => {
      await expectClientError(await post(p, b), 'ok');
    }), { numRuns: RUNS });
  });

  it('site widget submissions', async () => {
    await fc.assert(fc.asyncProperty(jsonish, async (body) => {
      await expectClientError(await post('/api/v1/widget/messages', body, { origin: SITE }), 'widget');
    }), { numRuns: RUNS });
  });

  it('login', async () => {
    await fc.assert(fc.asyncProperty(jsonish, async (body) => {
      await expectClientError(await post('/api/v1/auth/login', body), 'login');
    }), { numRuns: RUNS });
  });

  it('query strings of the lists and analytics', async () => {
    const paths = ['/api/v1/cases', '/api/v1/messages', '/api/v1/analytics/summary', '/api/v1/analytics/volume', '/api/v1/analytics/sla'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths),
        fc.dictionary(fc.constantFrom('source', 'status', 'limit', 'offset', 'from', 'to', 'category', 'municipality', 'format', 'overdue', 'organizationId'),
          nasty.map(String)), async (path, params) => {
        const qs = new URLSearchParams(params).toString();
        await expectClientError(await fetch(`${system.url}${path}?${qs}`, { headers: { authorization: `Bearer ${token}` } }), path);
      }),
      { numRuns: RUNS },
    );
  });

  it('case actions with hostile ids and bodies', async () => {
    const actions = ['accept', 'reject', 'redirect', 'assign', 'save-draft', 'approve'];
    await fc.assert(fc.asyncProperty(fc.oneof(fc.uuid(), fc.string()), fc.constantFrom(...actions), jsonish, async (id, action, body) => {
      await expectClientError(await post(`/api/v1/cases/${encodeURIComponent(id)}/${action}`, body, { authorization: `Bearer ${token}` }), action);
    }), { numRuns: RUNS });
  });

  it("the two 500s an OpenAPI fuzzer found are 400s: an integer beyond PostgreSQL's and a time zone beyond ±14:00", async () => {
    for (const path of ['/api/v1/routing/table/versions/2147483648', '/api/v1/cases?from=2026-01-01T00:00:00%2B16:00']) {
      const res = await fetch(`${system.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: string }).error, path).toMatch(/invalid (path|query)/);
    }
  });

  it("every integer parameter with values beyond PostgreSQL's integer and every date parameter with dates it cannot store", async () => {
    interface Param {
      name: string;
      in: 'path' | 'query';
      schema: { type?: string; format?: string; anyOf?: { format?: string }[] };
    }
    type Operation = { parameters?: Param[] };
    const isInteger = (p: Param) => p.schema.type === 'integer';
    const isDate = (p: Param) => [p.schema.format, ...(p.schema.anyOf ?? []).map((a) => a.format)].some((f) => f === 'date-time' || f === 'date');
    const INTEGERS = ['2147483648', '-2147483649', '9007199254740993'];
    const DATES = ['2026-01-01T00:00:00+16:00', '2026-01-01T00:00:00-15:00', '0000-01-01', '0000-06-01T00:00:00Z'];
    // A path parameter that names a thing takes a real one (an unknown panel is a missing file, whatever its filters).
    const EXAMPLES: Record<string, string> = { panel: 'volume' };
    const filler = (p: Param) => EXAMPLES[p.name] ?? (p.schema.format === 'uuid' ? 'c4b6f1de-2f7e-4f53-9d1f-1a0c7c1e0abc' : isInteger(p) ? '1' : 'x');

    // Every route of the one OpenAPI document, then the pages served outside it.
    const targets: { method: string; path: string; params: Param[] }[] = [];
    const { paths } = (await (await fetch(`${system.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) targets.push({ method, path, params: op.parameters ?? [] });
    }
    const query = (names: string[], kind: 'integer' | 'date'): Param[] =>
      names.map((name) => ({ name, in: 'query', schema: kind === 'integer' ? { type: 'integer' } : { format: 'date' } }));
    for (const path of ['/analytics', '/report/weekly']) targets.push({ method: 'get', path, params: query(['from', 'to'], 'date') });

    let integers = 0;
    let dates = 0;
    for (const t of targets) {
      for (const p of t.params.filter((x) => isInteger(x) || isDate(x))) {
        for (const value of isInteger(p) ? INTEGERS : DATES) {
          let path = t.path;
          for (const other of t.params.filter((x) => x.in === 'path')) {
            path = path.replace(`{${other.name}}`, encodeURIComponent(other === p ? value : filler(other)));
          }
          const url = p.in === 'query' ? `${path}?${new URLSearchParams({ [p.name]: value })}` : path;
          const res = await fetch(`${system.url}${url}`, {
            method: t.method.toUpperCase(),
            headers: { authorization: `Bearer ${token}`, ...(t.method === 'get' ? {} : { 'content-type': 'application/json' }) },
            body: t.method === 'get' ? undefined : '{}',
          });
          const label = `${t.method.toUpperCase()} ${url}`;
          await expectClientError(res, label);
          // An API refuses a date the schemas cannot vouch for and an integer filter as such; an integer in a path may
          // also be the valid id of nothing (404). Pages keep showing their default view.
          if (t.path.startsWith('/api/') && (isDate(p) || p.in === 'query')) expect(res.status, label).toBe(400);
          if (isInteger(p)) integers++;
          else dates++;
        }
      }
    }
    // The documents must have been read: a broken walk would send nothing and pass.
    expect(integers).toBeGreaterThan(30);
    expect(dates).toBeGreaterThan(40);
  });

  it('webhooks with dates no calendar has (Unix seconds far beyond year 9999) are no 500s', async () => {
    for (const date of [1e13, -1e13, 2 ** 53 - 1]) {
      const tg = await post('/webhooks/telegram',
        JSON.stringify({ update_id: 77_000 + (date % 1000),
          message: { message_id: 1, date, chat: { id: -100777, type: 'supergroup', title: 'Район' }, from: { id: 4242, is_bot: false, first_name: 'Иван' },
            text: 'Не горит фонарь во дворе' } }), { 'x-telegram-bot-api-secret-token': 'tg-secret' });
      await expectClientError(tg, `telegram date ${date}`);
      const vk = await post('/webhooks/vk', JSON.stringify(
        buildVkCallback('wall_post_new', buildVkPost({ id: 7100 + (date % 100), owner_id: -111, date, text: 'Яма на дороге' }), { secret: 'cb-secret' }),
      ));
      await expectClientError(vk, `vk date ${date}`);
    }
  });

  it('refuses U+0000 where nothing can store it, and keeps a citizen message that carries one', async () => {
    // PostgreSQL text cannot hold U+0000: a login, a query string or a staff body with it is the client's error…
    const login = await post('/api/v1/auth/login', JSON.stringify({ login: 'adm\u0000in', password: 'test-admin-password' }));
    expect(login.status).toBe(400);
    expect(((await login.json()) as { error: string }).error).toMatch(/body\.login must not contain the NUL character/);
    const listed = await fetch(`${system.url}/api/v1/cases?status=%00`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(400);
    await listed.arrayBuffer();
    const page = await fetch(`${system.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'login=admin%00&password=x' });
    expect(page.status).toBe(400);
    await page.arrayBuffer();
    // …but a citizen's call card is accepted and registered, the character replaced.
    const card = JSON.stringify({ callId: 'nul-1', receivedAt: new Date().toISOString(), text: 'Не работает\u0000 светофор',
      municipality: 'город\u0000 Красноярск' });
    const res = await post('/api/v1/contact-center/calls', card, { 'x-signature': signBody('test-secret', card) });
    expect(res.status).toBe(202);
    const { messageId } = (await res.json()) as { messageId: string };
    const row = await eventually(async () => (await system.db.query<{ text: string }>('select text from messages where id = $1', [messageId])).rows[0], 15_000,
      'the message');
    expect(row.text).toBe('Не работает\uFFFD светофор');
    // Every other channel takes it too (no 5xx, nothing for the network to redeliver forever).
    const vk = await post('/webhooks/vk',
      JSON.stringify(buildVkCallback('wall_post_new', buildVkPost({ id: 7001, owner_id: -111, text: 'Яма\u0000 на дороге' }), { secret: 'cb-secret' })));
    expect(vk.status).toBe(200);
    await vk.arrayBuffer();
    const widget = await post('/api/v1/widget/messages',
      JSON.stringify({ idempotencyKey: 'c4b6f1de-2f7e-4f53-9d1f-1a0c7c1e0001', org: 'minzdrav-24', category: 'Здравоохранение',
        text: 'Запись\u0000 закрыта на месяц', name: 'Ольга\u0000', phone: '+7 913 000-11-22', consent: true }), { origin: SITE });
    expect(widget.status, await widget.text()).toBe(202);
    for (const chat of [{ id: -1001234, type: 'supergroup', title: 'Район' }, { id: 4242, type: 'private', first_name: 'Иван' }]) {
      const update = { update_id: 9000 + chat.id % 100,
        message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat, from: { id: 4242, is_bot: false, first_name: 'Иван' },
          text: 'Не\u0000 горит фонарь во дворе дома 5' } };
      const tg = await post('/webhooks/telegram', JSON.stringify(update), { 'x-telegram-bot-api-secret-token': 'tg-secret' });
      expect(tg.status, `telegram ${chat.type}`).toBe(200);
      await tg.arrayBuffer();
    }
  });

  it('a replayed signed call card is accepted each time and makes one message', async () => {
    const body = JSON.stringify({ callId: 'replayed-1', receivedAt: new Date().toISOString(), text: 'Не работает светофор на перекрёстке' });
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await post('/api/v1/contact-center/calls', body, { 'x-signature': signBody('test-secret', body) });
      expect(res.status).toBe(202);
      ids.add(((await res.json()) as { messageId: string }).messageId);
    }
    expect(ids.size).toBe(1);
  });
});

/**
 * Staff alerts on a whole system, the way a coordinator lives them: the desk gives a one-time code, the Telegram bot
 * (a fake Bot API speaking the real protocol) takes `/link <code>` and hands it to the workflow, and a case routed to
 * the organization reaches the coordinator in Telegram through the bot's outbound adapter, with links — and by e-mail,
 * recorded until an SMTP gateway is configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_LINK_TEXTS } from '../../ingest/telegram/staff-link.js';
import type { Otklik } from '../../main.js';
import { flushStaffAlerts } from '../../workflow/staff/alerts.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fake-telegram.js';
import { tgPrivateMessage } from '../fakes/payloads.js';
import { eventually, loginAs, startTestSystem } from '../support.js';
import { buildClassified } from './workflow-harness.js';

const TOKEN = '123456:STAFF-token';
const PUBLIC_URL = 'https://otklik.krskstate.example';

describe('staff alerts through the Telegram bot and e-mail', () => {
  let tg: FakeTelegram;
  let system: Otklik;
  let admin: string;
  let updateId = 1;

  beforeAll(async () => {
    tg = await startFakeTelegram({ token: TOKEN });
    system = await startTestSystem({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'wh-secret', TELEGRAM_API_ROOT: tg.apiRoot,
      OTKLIK_PUBLIC_URL: PUBLIC_URL }, ['ingest', 'workflow']);
    admin = await loginAs(system.url!, 'admin', 'test-admin-password');
  });
  afterAll(async () => {
    await system?.stop();
    await tg?.close();
  });

  const call = async (path: string, method: string, token: string, body?: unknown) => {
    const res = await fetch(`${system.url}${path}`, { method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as any };
  };
  const botReceives = async (chatId: number, text: string) => {
    const res = await fetch(`${system.url}/webhooks/telegram`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wh-secret' },
      body: JSON.stringify({ update_id: updateId++, message: tgPrivateMessage(chatId, { text }) }) });
    expect(res.status).toBe(200);
  };
  const lastTo = (chatId: number) => tg.sent.filter((m) => m.chatId === String(chatId)).at(-1);

  it("links a coordinator's Telegram with the desk's code and alerts a routed case there and by e-mail", async () => {
    const org = (await call('/api/v1/organizations', 'POST', admin, { name: 'Администрация Центрального района', kind: 'omsu' })).body.id as string;
    const staff = async (login: string, role: string, organizationId: string | null, email?: string) => {
      const r = await call('/api/v1/users', 'POST', admin, { login, password: 'a-long-password-1', displayName: `ФИО ${login}`,
        roles: [{ role, organizationId }], ...(email ? { email } : {}) });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return loginAs(system.url!, login, 'a-long-password-1');
    };
    const coordinator = await staff('tg-coordinator', 'coordinator', org, 'coordinator@krsk.example');
    await staff('tg-leader', 'leader', org);
    const moderator = await staff('tg-moderator', 'moderator', null);

    // A wrong code, then the right one through the bot's deep link.
    const chat = 8800100;
    await botReceives(chat, '/link ZZZZ2222');
    expect(lastTo(chat)?.text).toBe(STAFF_LINK_TEXTS.invalid);
    const code = (await call('/api/v1/me/alerts/telegram-code', 'POST', coordinator)).body.code as string;
    await botReceives(chat, `/start link-${code}`);
    expect(lastTo(chat)?.text).toBe(STAFF_LINK_TEXTS.linked('ФИО tg-coordinator'));
    expect((await call('/api/v1/me/alerts', 'GET', coordinator)).body.telegram).toEqual({ enabled: true, linked: true });

    const input = buildClassified({ source: 'contact_center', text: 'На перекрёстке не работает светофор, машины едут как попало.' });
    await system.queues.classified.add('classified', input);
    const caseId = caseIdFor(input.message.messageId);
    await eventually(async () => (await call(`/api/v1/cases/${caseId}`, 'GET', moderator)).status === 200, 20_000, 'case registered');
    expect((await call(`/api/v1/cases/${caseId}/accept`, 'POST', moderator, { expectedVersion: 0, organizationId: org })).status).toBe(200);

    // The scheduled job (every minute) sends what gathered; here it is run at once.
    await flushStaffAlerts(system.db, new Date(), { publicUrl: PUBLIC_URL, intervalMinutes: 5 });
    await system.workflow!.relay.flush();
    const number = (await call(`/api/v1/cases/${caseId}`, 'GET', moderator)).body.registrationNumber as string;
    const message = await eventually(async () => tg.sent.find((m) => m.chatId === String(chat) && m.text.includes(`№ ${number}`)), 20_000, 'alert in Telegram');
    expect(message.text).toContain(`Новое обращение № ${number} в организацию «Администрация Центрального района»`);
    expect(message.text).toContain(`${PUBLIC_URL}/cases/${caseId}`);
    const email = await eventually(
      async () =>
        (await system.db.query<{ channel: string; target: Record<string, string>; status: string; case_id: string | null }>(
          `select channel, target, status, case_id from outbound_deliveries where kind = 'staff_alert' and channel = 'email'`,
        )).rows[0],
      20_000,
      'e-mail recorded',
    );
    expect(email).toEqual({ channel: 'email', target: { email: 'coordinator@krsk.example' }, status: 'recorded', case_id: null });

    // /unlink in the bot forgets the chat.
    await botReceives(chat, '/unlink');
    expect(lastTo(chat)?.text).toBe(STAFF_LINK_TEXTS.unlinked);
    expect((await call('/api/v1/me/alerts', 'GET', coordinator)).body.telegram).toEqual({ enabled: false, linked: false });
  });
});

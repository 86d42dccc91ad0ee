/**
 * SMS through SMSC.ru, the second built-in operator (SMS_PROVIDER=smsc), against a local fake of its HTTP API: a 122
 * caller hears that the call is registered, and a number SMSC.ru cannot reach shows as bounced in the case's trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../ingest/contact-center.js';
import type { Otklik } from '../../main.js';
import { caseIdFor } from '../../workflow/register-case.js';
import { startFakeSmsc, type FakeSmsc } from '../fakes/fake-smsc.js';
import { eventually, loginAs, startTestSystem } from '../support.js';

describe('SMS through SMSC.ru', () => {
  let smsc: FakeSmsc;
  let system: Otklik;
  let moderator: string;

  beforeAll(async () => {
    smsc = await startFakeSmsc({ apiKey: 'smsc-api-key' });
    system = await startTestSystem({ SMS_PROVIDER: 'smsc', SMS_API_KEY: 'smsc-api-key', SMS_API_BASE_URL: smsc.url, SMS_SENDER: 'Otklik' });
    const admin = await loginAs(system.url!, 'admin', 'test-admin-password');
    // The delivery trail is for those who work on the case: the monitoring team's moderator.
    const created = await fetch(`${system.url}/api/v1/users`, { method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'smsc-moderator', password: 'a-long-password', displayName: 'Модератор',
        roles: [{ role: 'moderator', organizationId: null }] }) });
    expect(created.status).toBe(201);
    moderator = await loginAs(system.url!, 'smsc-moderator', 'a-long-password');
  });
  afterAll(async () => {
    await system?.stop();
    await smsc?.close();
  });

  const postCall = async (callId: string, phone: string) => {
    const body = JSON.stringify({ callId, receivedAt: new Date().toISOString(), phone, municipality: 'город Красноярск',
      text: 'На остановке Предмостная площадь третий день не горит освещение, вечером ничего не видно.' });
    const res = await fetch(`${system.url}/api/v1/contact-center/calls`, { method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signBody('test-secret', body) }, body });
    expect(res.status).toBe(202);
    return caseIdFor(((await res.json()) as { messageId: string }).messageId);
  };
  const registeredDelivery = async (caseId: string) => {
    const res = await fetch(`${system.url}/api/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${moderator}` } });
    if (res.status !== 200) return undefined;
    return ((await res.json()) as { deliveries: { kind: string; channel: string; status: string; error: string | null }[] }).deliveries
      .find((d) => d.kind === 'registered');
  };

  it('tells the caller the registration number by SMS through SMSC.ru', async () => {
    const caseId = await postCall('smsc-1', '8 (913) 555-40-40');
    const sms = await eventually(async () => smsc.sent.find((m) => m.phones === '+79135554040'), 20_000, 'an SMS through SMSC.ru');
    expect(sms).toMatchObject({ sender: 'Otklik', text: expect.stringMatching(/зарегистрировано, номер \d{4}-\d{6}/) });
    expect(await eventually(async () => {
      const d = await registeredDelivery(caseId);
      return d?.status === 'sent' ? d : undefined;
    }, 20_000, 'the delivery marked sent')).toMatchObject({ channel: 'sms' });
  });

  it("marks a number SMSC.ru cannot reach as bounced, with SMSC.ru's code, and does not retry it", async () => {
    smsc.refuse('+79135554141', 8);
    const caseId = await postCall('smsc-2', '+7 913 555-41-41');
    const bounced = await eventually(async () => {
      const d = await registeredDelivery(caseId);
      return d?.status === 'bounced' ? d : undefined;
    }, 20_000, 'the delivery marked bounced');
    expect(bounced.error).toMatch(/SMSC\.ru answered error 8/);
    expect(smsc.sent.filter((m) => m.phones === '+79135554141')).toEqual([]);
  });
});

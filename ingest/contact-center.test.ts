import { describe, expect, it } from 'vitest';
import { callCardSchema, normalizeCallCard, signBody, verifySignature } from './contact-center.js';

const card = callCardSchema.parse({
  callId: '122-2026-000731',
  receivedAt: '2026-11-20T09:15:00+07:00',
  text: 'Не горит уличный фонарь у дома 3 на улице Карла Маркса, вечером очень темно.',
  phone: '8 (391) 222-33-44',
  name: 'Сидоров Пётр',
  address: 'ул. Карла Маркса, 3',
  municipality: 'город Красноярск',
});

describe('contact center signature', () => {
  const body = Buffer.from(JSON.stringify(card));
  it('accepts the HMAC of the raw body and refuses anything else', () => {
    expect(verifySignature('s', body, signBody('s', body))).toBe(true);
    expect(verifySignature('s', body, signBody('other', body))).toBe(false);
    expect(verifySignature('s', Buffer.concat([body, Buffer.from(' ')]), signBody('s', body))).toBe(false);
    expect(verifySignature('s', body, undefined)).toBe(false);
    expect(verifySignature('s', body, 'sha256=zz')).toBe(false);
    expect(verifySignature('s', body, signBody('s', body).replace('sha256=', 'sha1='))).toBe(false);
  });
});

describe('normalizeCallCard', () => {
  it('makes the common IncomingMessage with a hashed author and the contact kept apart', () => {
    const m = normalizeCallCard(card, 'salt');
    expect(m.source).toBe('contact_center');
    expect(m.externalId).toBe('122-2026-000731');
    expect(m.authorHash).toMatch(/^[0-9a-f]{32}$/);
    expect(m.contact).toEqual({ name: 'Сидоров Пётр', phone: '+73912223344' });
    expect(m.place).toEqual({ address: 'ул. Карла Маркса, 3', municipality: 'город Красноярск' });
    expect(normalizeCallCard(card, 'salt').messageId).toBe(m.messageId);
  });
  it("carries the operator's reason of the call as the message's reason (the region's fast-track rule reads it)", () => {
    expect(normalizeCallCard(card, 'salt').provenance).toEqual({ channel: '122' });
    expect(normalizeCallCard({ ...card, reason: 'Отсутствие отопления' }, 'salt').provenance).toEqual({ channel: '122', reason: 'Отсутствие отопления' });
  });
  it('never lumps callers without a phone into one author', () => {
    const { phone: _p, ...anonymous } = card;
    const a = normalizeCallCard({ ...anonymous, callId: 'a' }, 'salt');
    const b = normalizeCallCard({ ...anonymous, callId: 'b' }, 'salt');
    expect(a.authorHash).not.toBe(b.authorHash);
  });
});

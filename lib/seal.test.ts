import { describe, expect, it } from 'vitest';
import { redactPayload } from './queue-board.js';
import { incomingMessageSchema, payloadSchemas, type OutboundMessage } from './queues.js';
import { createSealer, SealError } from './seal.js';
import { sealIncoming, openIncoming, sealOutbound, openOutbound } from './sealed-payloads.js';

const message = incomingMessageSchema.parse({
  messageId: '2b4a7f0e-5c1d-5e8a-9f3b-1a2b3c4d5e6f',
  source: 'contact_center',
  externalId: 'call-1',
  receivedAt: '2026-11-20T09:00:00Z',
  text: 'Нет отопления в квартире',
  authorHash: 'a'.repeat(32),
  contact: { name: 'Иванов Иван Иванович', phone: '+79131234567', email: 'ivanov@example.ru' },
  raw: { callId: 'call-1', phone: '8 913 123-45-67', name: 'Иванов Иван Иванович' },
});

describe('sealing personal data in job payloads', () => {
  const sealer = createSealer('deployment-secret');

  it('leaves no contact or raw payload in the clear, and opens back to the same message', () => {
    const sealed = sealIncoming(sealer, message);
    const json = JSON.stringify(sealed);
    for (const personal of ['Иванов', '79131234567', '913 123', 'ivanov@example.ru']) expect(json).not.toContain(personal);
    expect(sealed).toMatchObject({ contact: {}, raw: null, text: message.text, sealed: expect.stringMatching(/^v1\./) });
    // The sealed form is a valid payload (classify passes it through unchanged) and opens to the original.
    const parsed = payloadSchemas.incoming.parse({ messages: [sealed] }) as { messages: typeof message[] };
    expect(openIncoming(sealer, parsed.messages[0]!)).toEqual(message);
    expect(sealIncoming(sealer, sealed)).toBe(sealed);
  });

  it('refuses another deployment key, another message and tampering', () => {
    const sealed = sealIncoming(sealer, message);
    expect(() => openIncoming(createSealer('other-secret'), sealed)).toThrow(SealError);
    expect(() => openIncoming(sealer, { ...sealed, messageId: '00000000-0000-4000-8000-000000000000' })).toThrow(SealError);
    const flipped = `${sealed.sealed!.slice(0, -2)}${sealed.sealed!.endsWith('A') ? 'B' : 'A'}A`;
    expect(() => openIncoming(sealer, { ...sealed, sealed: flipped })).toThrow(SealError);
  });

  it('passes a message without personal data and jobs of older versions as they are', () => {
    const bare = { ...message, contact: {}, raw: null };
    expect(sealIncoming(sealer, bare).sealed).toBeUndefined();
    expect(openIncoming(sealer, message)).toBe(message);
  });

  it("seals a reply's recipient", () => {
    const reply: OutboundMessage = { outboundId: '7f0e2b4a-5c1d-4e8a-9f3b-1a2b3c4d5e6f', caseId: '7f0e2b4a-5c1d-4e8a-9f3b-1a2b3c4d5e70',
      messageId: message.messageId, source: 'widget', kind: 'status', text: 'Статус', target: { phone: '+79131234567' } };
    const sealed = sealOutbound(sealer, reply);
    expect(JSON.stringify(sealed)).not.toContain('79131234567');
    expect(payloadSchemas.outbound.parse(sealed)).toEqual(sealed);
    expect(openOutbound(sealer, sealed)).toEqual(reply);
  });
});

describe('redactPayload (the queue board)', () => {
  it('hides personal fields at any depth and shows sealed values only by size', () => {
    const shown = JSON.stringify(redactPayload({ messages: [{ ...message, sealed: 'v1.abcdef' }], target: { chatId: '42' } }));
    for (const personal of ['Иванов', '79131234567', 'ivanov@example.ru', 'abcdef', '"42"']) expect(shown).not.toContain(personal);
    expect(shown).toContain('[sealed, 9 chars]');
    expect(shown).toContain('Нет отопления');
  });
});

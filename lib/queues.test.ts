import { describe, expect, it } from 'vitest';
import { deliveryChannelOf, originOf, outboundMessageSchema } from './queues.js';

describe('originOf', () => {
  it('keeps the origin a channel marked', () => {
    expect(originOf({ origin: 'signal', source: 'widget', provenance: {} })).toBe('signal');
  });

  it('derives it for older jobs from the channel', () => {
    expect(originOf({ source: 'vk', provenance: { peerId: '9' } })).toBe('appeal');
    expect(originOf({ source: 'vk', provenance: { ownerId: '-1' } })).toBe('signal');
    expect(originOf({ source: 'telegram', provenance: { via: 'bot' } })).toBe('appeal');
    expect(originOf({ source: 'telegram', provenance: { via: 'group' } })).toBe('signal');
    expect(originOf({ source: 'max', provenance: { via: 'bot' } })).toBe('appeal');
    expect(originOf({ source: 'max', provenance: { via: 'chat' } })).toBe('signal');
    expect(originOf({ source: 'ok', provenance: { via: 'message' } })).toBe('appeal');
    expect(originOf({ source: 'ok', provenance: { via: 'comment' } })).toBe('signal');
    expect(originOf({ source: 'contact_center', provenance: {} })).toBe('appeal');
    expect(originOf({ source: 'widget', provenance: {} })).toBe('appeal');
  });
});

describe('outbound messages', () => {
  const base = { outboundId: '00000000-0000-4000-8000-000000000001', text: 'Текст', target: { email: 'a@b.ru' } };

  it('leave on their channel, else on the case network, else by the contact left (e-mail before SMS)', () => {
    expect(deliveryChannelOf({ channel: 'sms', source: 'widget', target: { email: 'a@b.ru' } })).toBe('sms');
    expect(deliveryChannelOf({ source: 'vk', target: { peerId: '1' } })).toBe('vk');
    expect(deliveryChannelOf({ source: 'max', target: { chatId: '1' } })).toBe('max');
    expect(deliveryChannelOf({ source: 'ok', target: { groupId: '1', chatId: 'chat:C1' } })).toBe('ok');
    expect(deliveryChannelOf({ source: 'contact_center', target: { phone: '+79130000000', email: 'a@b.ru' } })).toBe('email');
    expect(deliveryChannelOf({ source: 'contact_center', target: { phone: '+79130000000' } })).toBe('sms');
    expect(deliveryChannelOf({ source: 'widget', target: {} })).toBeUndefined();
  });

  it('need a case unless their kind belongs to none, and a channel or source', () => {
    expect(outboundMessageSchema.safeParse({ ...base, channel: 'email', kind: 'staff_alert' }).success).toBe(true);
    expect(outboundMessageSchema.safeParse({ ...base, channel: 'email', kind: 'answer' }).success).toBe(false);
    expect(outboundMessageSchema.safeParse({ ...base, kind: 'code' }).success).toBe(false);
  });

  it('may name an incident instead of a case: the monitoring team answered a signal itself', () => {
    const reply = { ...base, channel: 'vk', kind: 'answer', messageId: '00000000-0000-4000-8000-000000000002', target: { ownerId: '-1', postId: '2' } };
    expect(outboundMessageSchema.safeParse({ ...reply, incidentId: 'inc-1', audience: 'public' }).success).toBe(true);
    expect(outboundMessageSchema.safeParse(reply).success).toBe(false);
  });
});

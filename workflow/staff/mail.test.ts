import { describe, expect, it } from 'vitest';
import { outboundMessageSchema } from '../../lib/queues.js';
import { alertMail } from './alerts.js';
import { plural, staffOutbound, staffTargets } from './mail.js';

const pending = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: String(i + 1),
    caseId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    registrationNumber: `2026-${String(i).padStart(6, '0')}`,
    topic: 'routed',
    text: `Новое обращение № 2026-${String(i).padStart(6, '0')}`,
    createdAt: new Date(0),
  }));

describe('staff mail', () => {
  it('speaks Russian plurals', () => {
    expect([1, 2, 5, 11, 12, 21, 22, 25, 111].map((n) => plural(n, 'день', 'дня', 'дней')))
      .toEqual(['день', 'дня', 'дней', 'дней', 'дней', 'день', 'дня', 'дней', 'дней']);
  });

  it('goes to the channels a user has and chose', () => {
    const u = { email: 'a@b.ru', emailEnabled: true, telegramEnabled: true, telegramChatId: '42' };
    expect(staffTargets(u)).toEqual([{ channel: 'email', target: { email: 'a@b.ru' } }, { channel: 'telegram', target: { chatId: '42' } }]);
    expect(staffTargets({ ...u, email: null, telegramChatId: null })).toEqual([]);
    expect(staffTargets({ ...u, emailEnabled: false, telegramEnabled: false })).toEqual([]);
  });

  it("groups many notices into one valid outbound message per channel, within the contract's limits, with stable ids", () => {
    const mail = alertMail('Иванова', pending(45), 'https://otklik.example');
    expect(mail.subject).toBe('Отклик: 45 новых уведомлений');
    expect(mail.text).toContain('…и ещё 15 — в центре уведомлений.');
    expect(mail.links).toHaveLength(20);
    expect(mail.links.at(-1)).toEqual({ title: 'Все уведомления', url: 'https://otklik.example/desk#notifications' });
    const rows = staffOutbound(staffTargets({ email: 'a@b.ru', emailEnabled: true, telegramEnabled: true, telegramChatId: '42' }), mail, 'u1:45');
    expect(rows.map((r) => outboundMessageSchema.safeParse(r.payload).success)).toEqual([true, true]);
    expect(staffOutbound(staffTargets({ email: 'a@b.ru', emailEnabled: true, telegramEnabled: false, telegramChatId: null }), mail, 'u1:45')[0]!.jobId)
      .toBe(rows[0]!.jobId);
    const long = staffOutbound([{ channel: 'email', target: { email: 'a@b.ru' } }], { ...mail, text: 'я'.repeat(20_000) }, 'x')[0]!;
    expect(outboundMessageSchema.safeParse(long.payload).success).toBe(true);
    expect(alertMail('Иванова', pending(1), 'https://otklik.example').subject)
      .toBe('Отклик: Обращение направлено или перенаправлено в организацию — № 2026-000000');
  });
});

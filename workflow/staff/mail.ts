/**
 * Staff mail as outbound messages: one per channel the user has (e-mail from the staff card, a linked Telegram chat),
 * written to the outbox in the caller's transaction and delivered by the channel adapters in ingest/ like any reply.
 * The recipient is sealed on its way through Redis (the relay seals every outbound target).
 */
import { uuidV5 } from '../../lib/ids.js';
import type { DeliveryChannel, OutboundMessage } from '../../lib/queues.js';
import type { OutboxRow } from '../outbox.js';
import type { AlertRecipient } from '../store/staff-alerts.js';

export interface StaffLink {
  title: string;
  url: string;
}

export interface StaffMail {
  kind: 'staff_alert' | 'staff_digest' | 'invitation';
  subject: string;
  text: string;
  links: StaffLink[];
}

/** Where links in staff mail lead when OTKLIK_PUBLIC_URL is not set (a development machine). */
export const DEFAULT_PUBLIC_URL = 'http://localhost:3000';

/** The links a message may carry (the outbound contract's limit). */
export const MAX_LINKS = 20;
/** Text of a message stays well below the outbound contract's 10,000 characters. */
const MAX_TEXT = 9_000;

/** The channels a user takes staff mail on, with their addresses. */
export function staffTargets(
  u: Pick<AlertRecipient, 'email' | 'emailEnabled' | 'telegramEnabled' | 'telegramChatId'>,
): { channel: DeliveryChannel; target: Record<string, string> }[] {
  return [
    ...(u.emailEnabled && u.email ? [{ channel: 'email' as const, target: { email: u.email } }] : []),
    ...(u.telegramEnabled && u.telegramChatId ? [{ channel: 'telegram' as const, target: { chatId: u.telegramChatId } }] : []),
  ];
}

/** One outbox row per target; `seed` makes the outbound id (and so a redelivery's job id) the same every time. */
export function staffOutbound(targets: ReturnType<typeof staffTargets>, mail: StaffMail, seed: string): OutboxRow[] {
  const text = mail.text.length > MAX_TEXT ? `${mail.text.slice(0, MAX_TEXT)}\n…` : mail.text;
  return targets.map(({ channel, target }) => {
    const outboundId = uuidV5(`${mail.kind}:${seed}:${channel}`);
    const payload: OutboundMessage = { outboundId, channel, kind: mail.kind, subject: mail.subject.slice(0, 300), text,
      ...(mail.links.length ? { links: mail.links.slice(0, MAX_LINKS) } : {}), target };
    return { queue: 'outbound', name: mail.kind, jobId: `outbound-${outboundId}`, payload };
  });
}

/** «1 уведомление», «3 уведомления», «5 уведомлений». */
export function plural(n: number, one: string, few: string, many: string): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

/** Where a case opens for staff. */
export const caseUrl = (publicUrl: string, caseId: string) => `${publicUrl}/cases/${caseId}`;

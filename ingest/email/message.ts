/**
 * An outbound message as an e-mail: a Russian subject, a plain-text body with the links written out, and a simple
 * HTML alternative with the links as anchors. Generic on purpose: citizens' notices, one-time codes and staff mail
 * (alerts, digests, invitations) all take this shape, with the text and links their producer wrote.
 */
import type { SendMailOptions } from 'nodemailer';
import type { OutboundKind, OutboundMessage } from '../../lib/queues.js';
import { withLinks } from '../vk/outbound.js';

/** The subject when the producer gave none. */
export const DEFAULT_SUBJECTS: Record<OutboundKind, string> = {
  registered: 'Ваше обращение зарегистрировано',
  status: 'Новости по вашему обращению',
  answer: 'Ответ на ваше обращение',
  rejection: 'Ваше обращение отклонено',
  rating_request: 'Оцените ответ на ваше обращение',
  interim: 'Ваше обращение взято в работу',
  poll: 'Голосование для жителей',
  code: 'Код подтверждения',
  staff_alert: 'Уведомление системы «Отклик»',
  staff_digest: 'Сводка системы «Отклик»',
  invitation: 'Приглашение в систему «Отклик»',
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Only web addresses become anchors: a `javascript:` or `data:` link in a message must never be clickable. */
const isWebUrl = (url: string) => url.startsWith('https://') || url.startsWith('http://');

/** Paragraphs on blank lines, line breaks kept; every character escaped. */
export function htmlBody(m: Pick<OutboundMessage, 'text' | 'links'>): string {
  const paragraphs = m.text.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replaceAll('\n', '<br>')}</p>`);
  const links = (m.links ?? []).map((l) => (isWebUrl(l.url)
    ? `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.title)}</a></li>`
    : `<li>${escapeHtml(l.title)}: ${escapeHtml(l.url)}</li>`)
  );
  return ['<!doctype html><html lang="ru"><head><meta charset="utf-8"></head>',
    '<body style="font-family: Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #1a1a1a">', ...paragraphs,
    links.length ? `<ul>${links.join('')}</ul>` : '',
    '<p style="color: #666; font-size: 13px">Это письмо отправлено автоматически, отвечать на него не нужно.</p>', '</body></html>'].join('\n');
}

/** The domain of the sender address (`Отклик <noreply@otklik.example.ru>` → `otklik.example.ru`). */
export function senderDomain(from: string): string {
  const at = from.lastIndexOf('@');
  if (at < 0) return 'localhost';
  const rest = from.slice(at + 1);
  const end = rest.indexOf('>');
  return (end >= 0 ? rest.slice(0, end) : rest).trim() || 'localhost';
}

/**
 * The mail for one outbound message. The Message-ID is derived from the outboundId, so a resend after a lost answer
 * from the server carries the same id and the recipient's mail system can recognise the duplicate.
 */
export function mailOf(m: OutboundMessage, from: string): SendMailOptions {
  return {
    from,
    to: m.target.email,
    subject: m.subject ?? DEFAULT_SUBJECTS[m.kind],
    text: withLinks(m),
    html: htmlBody(m),
    messageId: `<${m.outboundId}@${senderDomain(from)}>`,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Otklik-Kind': m.kind },
  };
}

/**
 * E-mail through SMTP (nodemailer): `SMTP_URL` names the server and credentials (smtp:// upgrades with STARTTLS when
 * offered, smtps:// is TLS from the first byte; certificates are verified), `OTKLIK_MAIL_FROM` the sender. One pooled
 * transport per process. A permanent refusal of the recipient or the message (an SMTP 5xx at RCPT TO or DATA) is a
 * bounce: dead-lettered with the server's reply; anything else is retried by the outbound queue.
 */
import nodemailer, { type NodemailerError, type Transporter } from 'nodemailer';
import type { OutboundMessage } from '../../lib/queues.js';
import { TargetError, type OutboundAdapter } from '../outbound-adapter.js';
import { mailOf } from './message.js';

export interface EmailSettings {
  smtpUrl: string;
  from: string;
}

/** What a failed send means: a bounce, a refusal of our own settings (dead-lettered, not bounced), or a fault to retry. */
export function classifySmtpError(err: NodemailerError): 'bounce' | 'settings' | 'retry' {
  if (err.code === 'EAUTH' || (err.command ?? '').toUpperCase().startsWith('AUTH')) return 'settings';
  if (err.code === 'EENVELOPE' && err.responseCode === undefined) return 'bounce';
  if (err.permanent === true || (err.responseCode !== undefined && err.responseCode >= 500 && err.responseCode !== 503)) return 'bounce';
  return 'retry';
}

/** Where the mail goes, for the log at start: the server without its credentials. */
export function smtpServerOf(smtpUrl: string): string {
  const u = new URL(smtpUrl);
  return `${u.protocol}//${u.hostname}:${u.port || (u.protocol === 'smtps:' ? '465' : '587')}`;
}

export function createEmailOutbound(settings: EmailSettings): OutboundAdapter {
  const transport: Transporter = nodemailer.createTransport({
    url: settings.smtpUrl,
    pool: true,
    maxConnections: 2,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  return {
    channel: 'email',
    mode: `smtp ${smtpServerOf(settings.smtpUrl)}`,
    async deliver(m: OutboundMessage) {
      if (!m.target.email) throw new TargetError('email target needs an address (target.email)');
      try {
        const info = await transport.sendMail(mailOf(m, settings.from)) as { messageId?: string };
        return { status: 'sent', externalRef: info.messageId };
      } catch (err) {
        const e = err as NodemailerError;
        const reply = e.response ?? e.message;
        switch (classifySmtpError(e)) {
          case 'bounce':
            throw new TargetError(`the SMTP server refused the message for good: ${reply}`, { bounced: true });
          case 'settings':
            throw new TargetError(`the SMTP server refused our credentials (check SMTP_URL): ${reply}`);
          default:
            throw err;
        }
      }
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * New staff activate their account through an invitation link, as in ПОС («письмо … с пригласительной ссылкой для
 * активации учетной записи»): the account is made without a usable password, a one-time link that expires is sent to
 * the card's e-mail (and shown once to whoever made the account), and the person sets a password on the public page
 * `/invite/<token>`. Only the token's hash is stored; a new invitation voids the old one.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '../../lib/transaction.js';
import { argon2Hasher, type PasswordHasher } from '../auth.js';
import { enqueue } from '../outbox.js';
import { activateByInvitation, findInvitation, insertInvitation } from '../store/invitations.js';
import type { Sql } from '../store/sql.js';
import { insertHistory } from '../store/staff-history.js';
import { alertRecipient } from '../store/staff-alerts.js';
import { staffOutbound } from './mail.js';
import { formatDateTime } from '../../lib/region-time.js';

const digest = (token: string) => createHash('sha256').update(`staff-invitation:${token}`).digest('hex');

export interface InvitationOptions {
  publicUrl: string;
  ttlHours: number;
  timeZone: string;
}

export interface Invitation {
  url: string;
  expiresAt: Date;
  /** Whether it was sent to the user's e-mail (otherwise whoever invited passes the link on). */
  emailed: boolean;
}

/** Issues an invitation in the caller's transaction: the link, its history entry and, to the card's e-mail, the letter. */
export async function issueInvitation(sql: Sql, x: { userId: string; actor: string; now: Date }, opts: InvitationOptions): Promise<Invitation> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(x.now.getTime() + opts.ttlHours * 3_600_000);
  await insertInvitation(sql, { tokenHash: digest(token), userId: x.userId, createdBy: /^[0-9a-f-]{36}$/.test(x.actor) ? x.actor : null, at: x.now,
    expiresAt });
  await insertHistory(sql, [{ userId: x.userId, actor: x.actor, at: x.now, change: 'invited', data: { expiresAt: expiresAt.toISOString() } }]);
  const url = `${opts.publicUrl}/invite/${token}`;
  const u = await alertRecipient(sql, x.userId);
  const emailed = !!u?.email;
  if (u?.email) {
    const text = [`Здравствуйте, ${u.displayName}!`, '',
      'Для вас создана учётная запись в Отклике — платформе обратной связи региона. Чтобы активировать её, перейдите по ссылке и задайте пароль:', url, '',
      `Ссылка действует до ${formatDateTime(expiresAt, opts.timeZone)} и открывается один раз.`].join('\n');
    await enqueue(sql,
      staffOutbound([{ channel: 'email', target: { email: u.email } }], { kind: 'invitation', subject: 'Отклик: приглашение активировать учётную запись', text,
        links: [{ title: 'Активировать учётную запись', url }] }, `${x.userId}:${digest(token)}`));
  }
  return { url, expiresAt, emailed };
}

export type InvitationState = { state: 'valid'; login: string; displayName: string; expiresAt: Date } | { state: 'expired' | 'used' | 'unknown' };

/** What the public page shows for a token (the login to remember, the name), or why it cannot be used. */
export async function invitationState(db: pg.Pool | Sql, token: string, now: Date): Promise<InvitationState> {
  const i = await findInvitation(db, digest(token));
  if (!i || !i.active) return { state: 'unknown' };
  if (i.usedAt) return { state: 'used' };
  if (i.expiresAt.getTime() <= now.getTime()) return { state: 'expired' };
  return { state: 'valid', login: i.login, displayName: i.displayName, expiresAt: i.expiresAt };
}

/** Sets the password of an invited user once; the answer says why not otherwise. */
export async function acceptInvitation(db: pg.Pool, token: string, password: string, now: Date,
  hasher: PasswordHasher = argon2Hasher): Promise<{ ok: true; login: string } | { ok: false; state: 'expired' | 'used' | 'unknown' }>
{
  // Hashing is slow: done before the transaction, and only for a token that looks usable.
  const before = await invitationState(db, token, now);
  if (before.state !== 'valid') return { ok: false, state: before.state };
  const passwordHash = await hasher.hash(password);
  return withTransaction(db, async (sql) => {
    const i = await findInvitation(sql, digest(token), true);
    if (!i || !i.active) return { ok: false, state: 'unknown' } as const;
    if (i.usedAt) return { ok: false, state: 'used' } as const;
    if (i.expiresAt.getTime() <= now.getTime()) return { ok: false, state: 'expired' } as const;
    await activateByInvitation(sql, digest(token), i.userId, passwordHash, now);
    await insertHistory(sql, [{ userId: i.userId, actor: i.userId, at: now, change: 'activated' }]);
    return { ok: true, login: i.login } as const;
  });
}

/**
 * Linking a staff account to the Telegram bot: the desk gives a one-time code (hashed in the database, 15 minutes),
 * the user sends `/link <code>` (or opens the bot's deep link `/start link-<code>`), and the bot hands code and chat to
 * this desk through a function main.ts injects (ingest never imports the workflow). The chat id is personal data: it
 * stays in PostgreSQL and crosses Redis only sealed, as the recipient of an outbound message.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '../../lib/transaction.js';
import { insertLinkCode, linkTelegram, unlinkTelegram, useLinkCode } from '../store/staff-alerts.js';
import { getUser } from '../store/users.js';

/** Letters and digits that cannot be mistaken for each other when typed from the screen. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const LINK_CODE_MINUTES = 15;

const digest = (code: string) => createHash('sha256').update(`staff-link:${code}`).digest('hex');
/** What a person typed: spaces, dashes and case do not matter. */
export const normalizeCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');

/** A new code for the user; an earlier unused one stops working. */
export async function createLinkCode(db: pg.Pool, userId: string, now: Date): Promise<{ code: string; expiresAt: Date }> {
  const bytes = randomBytes(8);
  // 256 is a multiple of 32: every letter equally likely.
  const code = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  const expiresAt = new Date(now.getTime() + LINK_CODE_MINUTES * 60_000);
  await withTransaction(db, (sql) => insertLinkCode(sql, userId, digest(code), expiresAt));
  return { code, expiresAt };
}

export type LinkAnswer = { linked: true; displayName: string } | { linked: false; reason: 'invalid' | 'expired' };

/** What the bot needs: link a chat by code, forget a chat. */
export interface StaffLinkDesk {
  link(a: { code: string; chatId: string }): Promise<LinkAnswer>;
  unlink(a: { chatId: string }): Promise<number>;
}

export function createStaffLinkDesk(deps: { db: pg.Pool; now?: () => Date }): StaffLinkDesk {
  const now = deps.now ?? (() => new Date());
  return {
    async link({ code, chatId }) {
      const clean = normalizeCode(code);
      if (!/^[A-Z2-9]{8}$/.test(clean)) return { linked: false, reason: 'invalid' };
      return withTransaction(deps.db, async (sql) => {
        const at = now();
        const used = await useLinkCode(sql, digest(clean), at);
        if (used === undefined || used === 'expired') return { linked: false, reason: used ?? 'invalid' };
        const user = await getUser(sql, used.userId);
        if (!user?.active) return { linked: false, reason: 'invalid' };
        await linkTelegram(sql, used.userId, chatId, at);
        return { linked: true, displayName: user.displayName };
      });
    },
    unlink: ({ chatId }) => unlinkTelegram(deps.db, { chatId }, now()),
  };
}

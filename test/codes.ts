/**
 * One-time codes as a citizen receives them. Without an SMS or e-mail gateway (the test systems run in development
 * mode) the outbound worker records each code's message in the delivery trail instead of sending it; tests read it
 * there, as a developer reads it in the log. Tests with a gateway read the fake SMS.ru or the SMTP server instead.
 */
import type pg from 'pg';
import { uuidV5 } from '../lib/ids.js';
import { eventually } from './support.js';

const codeIn = (text: string | undefined) => (text ? /(?<!\d)(\d{6})(?!\d)/.exec(text)?.[1] : undefined);

/** The code sent for a challenge (its outbound id is derived from the challenge id). */
export function codeOfChallenge(db: pg.Pool, challengeId: string): Promise<string> {
  const outboundId = uuidV5(`identity-code:${challengeId}`);
  return eventually(async () =>
    codeIn((await db.query<{ text: string }>(
      `select text from outbound_deliveries where outbound_id = $1 and status = 'recorded'`,
      [outboundId],
    )).rows[0]?.text), 15_000, 'code delivered');
}

/** The latest code sent to a phone (E.164) or a mailbox. */
export function latestCodeTo(db: pg.Pool, to: { phone: string } | { email: string }): Promise<string> {
  const [key, value] = 'phone' in to ? ['phone', to.phone] : ['email', to.email];
  return eventually(async () =>
    codeIn((await db.query<{ text: string }>(
      `select text from outbound_deliveries where kind = 'code' and status = 'recorded' and target->>'${key}' = $1 order by delivered_at desc limit 1`,
      [value],
    )).rows[0]?.text), 15_000, `code sent to ${value}`);
}

/** Every destination codes were sent to on a channel, canonical as the outbound messages carry them. */
export async function codeDestinations(db: pg.Pool, key: 'phone' | 'email'): Promise<string[]> {
  const r = await db.query<{ to: string }>(
    `select distinct target->>'${key}' as to from outbound_deliveries where kind = 'code' and target ? '${key}' order by 1`,
  );
  return r.rows.map((x) => x.to);
}

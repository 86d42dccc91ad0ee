/**
 * Who is voting. A provider turns a proof (a one-time code, the Telegram update's verified sender; later an ESIA
 * login) into a stable identity key; only HMAC(salt, provider:key) is ever stored next to a vote. A successful
 * verification issues a short-lived voter token.
 */
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { authorHash, normalizePhone } from '../../lib/hash.js';
import type { Sql } from '../outbox.js';

export interface VerifiedIdentity {
  /** `phone`, `email`, `telegram`; an ESIA provider would answer `esia` with the person's SNILS-backed id. */
  provider: string;
  key: string;
}

export type Verification = { ok: true; identity: VerifiedIdentity } | { ok: false; error: string };

/** The seam an ESIA (Госуслуги) login implements later: verify a proof, get a stable key. */
export interface IdentityProvider<Proof> {
  readonly name: string;
  verify(proof: Proof): Promise<Verification>;
}

/** The only form an identity takes in storage. */
export const identityHash = (salt: string, id: VerifiedIdentity) => authorHash(salt, id.provider, id.key);

export type CodeChannel = 'phone' | 'email';

/**
 * local@domain.tld: one @, no whitespace, 1–64 characters before the @, and a dot in the domain with 1–255
 * characters before it and at least two after. Scanned rather than matched: as a regular expression the dots of the
 * domain could be split between its parts in every way, which a backtracking engine tries one by one.
 */
function isEmailAddress(e: string): boolean {
  const at = e.indexOf('@');
  if (at < 1 || at > 64 || e.indexOf('@', at + 1) !== -1 || /\s/.test(e)) return false;
  const firstDot = e.indexOf('.', at + 2);
  return firstDot !== -1 && firstDot - at - 1 <= 255 && e.length - firstDot - 1 >= 2;
}

/** A destination in its canonical form, or undefined when it is not a phone number / e-mail address. */
export function canonicalDestination(channel: CodeChannel, destination: string): string | undefined {
  if (channel === 'phone') {
    const p = normalizePhone(destination);
    return /^\+\d{10,15}$/.test(p) ? p : undefined;
  }
  const e = destination.trim().toLowerCase();
  return e.length <= 320 && isEmailAddress(e) ? e : undefined;
}

export interface CodeProviderOptions {
  db: pg.Pool;
  salt: string;
  now?: () => Date;
  codeTtlMinutes?: number;
  maxAttempts?: number;
}

/**
 * Phone / e-mail one-time codes. The code is kept only as a hash with an expiry; the clear code goes to the
 * `identity_codes` delivery outbox (no SMS/e-mail gateway in this deployment: operators send from there).
 */
export function createCodeProvider(opts: CodeProviderOptions) {
  const now = opts.now ?? (() => new Date());
  const ttlMs = (opts.codeTtlMinutes ?? 10) * 60_000;
  const maxAttempts = opts.maxAttempts ?? 5;
  const codeHash = (challengeId: string, code: string) => createHmac('sha256', opts.salt).update(`${challengeId}:${code}`).digest('hex');

  return {
    name: 'code',
    /** Creates a challenge and records its code for delivery; returns the challenge id the voter answers. */
    async start(channel: CodeChannel, destination: string): Promise<{ ok: true; challengeId: string } | { ok: false; error: string }> {
      const canonical = canonicalDestination(channel, destination);
      if (!canonical) return { ok: false, error: channel === 'phone' ? 'Неверный номер телефона' : 'Неверный адрес электронной почты' };
      const hash = identityHash(opts.salt, { provider: channel, key: canonical });
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const client = await opts.db.connect();
      try {
        await client.query('begin');
        const r = await client.query<{ id: string }>(
          `insert into identity_challenges (provider, identity_hash, code_hash, expires_at) values ($1, $2, '', $3) returning id`,
          [channel, hash, new Date(now().getTime() + ttlMs)],
        );
        const id = r.rows[0]!.id;
        await client.query('update identity_challenges set code_hash = $2 where id = $1', [id, codeHash(id, code)]);
        await client.query('insert into identity_codes (challenge_id, channel, destination, code) values ($1, $2, $3, $4)', [id, channel, canonical, code]);
        await client.query('commit');
        return { ok: true, challengeId: id };
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async verify(proof: { challengeId: string; code: string }): Promise<Verification> {
      // The attempt is counted before the comparison, in one statement, so parallel guesses share the budget.
      const r = await opts.db.query<{ provider: string; identity_hash: string; code_hash: string; expires_at: Date; attempts: number }>(
        `update identity_challenges set attempts = attempts + 1
          where id = $1 and consumed_at is null
          returning provider, identity_hash, code_hash, expires_at, attempts`,
        [proof.challengeId],
      );
      const c = r.rows[0];
      if (!c) return { ok: false, error: 'Код не найден или уже использован: запросите новый' };
      if (c.expires_at.getTime() <= now().getTime()) return { ok: false, error: 'Срок действия кода истёк: запросите новый' };
      if (c.attempts > maxAttempts) return { ok: false, error: 'Слишком много попыток: запросите новый код' };
      const expected = Buffer.from(c.code_hash, 'hex');
      const given = Buffer.from(codeHash(proof.challengeId, proof.code.trim()), 'hex');
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, error: 'Неверный код' };
      const used = await opts.db.query('update identity_challenges set consumed_at = now() where id = $1 and consumed_at is null', [proof.challengeId]);
      if (!used.rowCount) return { ok: false, error: 'Код уже использован' };
      // The key is not recoverable from the hash, so the identity is carried as its hash from here on.
      return { ok: true, identity: { provider: c.provider, key: `#${c.identity_hash}` } };
    },
  } satisfies IdentityProvider<{ challengeId: string; code: string }> & Record<string, unknown>;
}

/** What the Telegram bot knows about the sender: Telegram itself verified `from.id`. */
export interface TelegramProof {
  fromId: number;
  isBot: boolean;
  /** A contact the user shared with the bot's "share phone" button; trusted only when it is their own. */
  contact?: { userId?: number; phoneNumber: string };
}

/**
 * The Telegram account as identity. When the user shares their own phone number (Telegram confirms it), the
 * identity is the phone, so a person who voted on the site with an SMS code cannot vote again from the bot.
 */
export const telegramProvider: IdentityProvider<TelegramProof> = {
  name: 'telegram',
  async verify(p) {
    if (p.isBot || !Number.isSafeInteger(p.fromId) || p.fromId <= 0) return { ok: false, error: 'Голосовать может только пользователь' };
    if (p.contact && p.contact.userId === p.fromId) {
      const phone = canonicalDestination('phone', p.contact.phoneNumber);
      if (phone) return { ok: true, identity: { provider: 'phone', key: phone } };
    }
    return { ok: true, identity: { provider: 'telegram', key: String(p.fromId) } };
  },
};

/** Hash of an identity as stored; a code verification already carries the hash (`#…`). */
export const storedIdentityHash = (salt: string, id: VerifiedIdentity) => (id.key.startsWith('#') ? id.key.slice(1) : identityHash(salt, id));

const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');

export interface Voter {
  identityHash: string;
  provider: string;
  /** When the identity first verified with us: fresh accounts weigh in burst detection. */
  firstSeenAt: Date;
}

/** Records the identity and issues a voter token (kept only as its digest). */
export async function issueVoterToken(db: pg.Pool, salt: string, id: VerifiedIdentity, ttlMinutes: number, now = new Date()): Promise<{ token: string; expiresAt: Date; identityHash: string }> {
  const hash = storedIdentityHash(salt, id);
  await db.query('insert into voter_identities (identity_hash, provider, first_seen_at) values ($1, $2, $3) on conflict do nothing', [hash, id.provider, now]);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000);
  await db.query('insert into voter_sessions (token_hash, identity_hash, provider, expires_at) values ($1, $2, $3, $4)', [tokenDigest(token), hash, id.provider, expiresAt]);
  return { token, expiresAt, identityHash: hash };
}

export async function voterForToken(db: pg.Pool, token: string, now = new Date()): Promise<Voter | null> {
  if (!token || token.length > 200) return null;
  // Named: asked once per vote, planned once per connection.
  const r = await db.query<{ identity_hash: string; provider: string; first_seen_at: Date }>({
    name: 'polls-voter-for-token',
    text: `select s.identity_hash, s.provider, coalesce(i.first_seen_at, s.created_at) as first_seen_at
             from voter_sessions s left join voter_identities i using (identity_hash)
            where s.token_hash = $1 and s.expires_at > $2`,
    values: [tokenDigest(token), now],
  });
  const row = r.rows[0];
  return row ? { identityHash: row.identity_hash, provider: row.provider, firstSeenAt: row.first_seen_at } : null;
}

/**
 * Many tokens in one statement, one answer per token in order (null for an unknown, expired or malformed one): the
 * vote path under a storm looks tokens up in batches (vote-batcher.ts) instead of a round trip per vote.
 */
export async function votersForTokens(db: Sql, tokens: string[], now = new Date()): Promise<(Voter | null)[]> {
  const digests = tokens.map((t) => (t && t.length <= 200 ? tokenDigest(t) : ''));
  const wanted = digests.filter(Boolean);
  if (!wanted.length) return tokens.map(() => null);
  const r = await db.query<{ token_hash: string; identity_hash: string; provider: string; first_seen_at: Date }>({
    name: 'polls-voters-for-tokens',
    text: `select s.token_hash, s.identity_hash, s.provider, coalesce(i.first_seen_at, s.created_at) as first_seen_at
             from voter_sessions s left join voter_identities i using (identity_hash)
            where s.token_hash = any($1::text[]) and s.expires_at > $2`,
    values: [wanted, now],
  });
  const found = new Map(r.rows.map((row) => [row.token_hash, { identityHash: row.identity_hash, provider: row.provider, firstSeenAt: row.first_seen_at }]));
  return digests.map((d) => (d ? found.get(d) ?? null : null));
}

/** Identities verified directly (the Telegram bot): recorded, then used without a token. */
export async function rememberIdentity(db: pg.Pool, salt: string, id: VerifiedIdentity, now = new Date()): Promise<Voter> {
  const hash = storedIdentityHash(salt, id);
  const r = await db.query<{ first_seen_at: Date }>(
    `insert into voter_identities (identity_hash, provider, first_seen_at) values ($1, $2, $3)
     on conflict (identity_hash) do update set provider = voter_identities.provider returning first_seen_at`,
    [hash, id.provider, now],
  );
  return { identityHash: hash, provider: id.provider, firstSeenAt: r.rows[0]!.first_seen_at };
}

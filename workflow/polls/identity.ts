/**
 * Who is voting. A provider turns a proof (a one-time code, the Telegram update's verified sender; later an ESIA
 * login) into a stable identity key; only HMAC(salt, provider:key) is ever stored next to a vote. A successful
 * verification issues a short-lived voter token.
 */
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { authorHash } from '../../lib/hash.js';
import { withTransaction } from '../../lib/transaction.js';
import type { Sql } from '../outbox.js';
import { canonicalPhone, codeDestination, type CodeChannel } from './destination.js';
import { quarantineDoubleVotes } from './vote-store.js';

export type { CodeChannel };

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

/** A code on its way to the person: by SMS to a phone, by e-mail to a mailbox. */
export interface CodeDelivery {
  challengeId: string;
  channel: CodeChannel;
  /** The canonical destination (E.164 phone, lower-cased address). */
  destination: string;
  code: string;
  ttlMinutes: number;
}

export interface CodeProviderOptions {
  db: pg.Pool;
  salt: string;
  now?: () => Date;
  codeTtlMinutes?: number;
  maxAttempts?: number;
  /** Codes per destination (its canonical form, see destination.ts) per hour; default 5. */
  codesPerHour?: number;
  /**
   * Sends the code (polls/code-delivery.ts: a job on the outbound queue, sealed). Called inside the challenge's
   * transaction: a code that cannot be queued leaves no challenge behind. Absent, no code can be sent.
   */
  deliver?: (d: CodeDelivery) => Promise<void>;
}

export type CodeStart = { ok: true; challengeId: string } | { ok: false; error: string; retryAfter?: number; unavailable?: boolean };

/**
 * Phone / e-mail one-time codes. The code is kept only as a hash with an expiry; the clear code leaves by SMS or
 * e-mail through the outbound queue (in development mode it is logged instead) and is stored nowhere.
 */
export function createCodeProvider(opts: CodeProviderOptions) {
  const now = opts.now ?? (() => new Date());
  const ttlMs = (opts.codeTtlMinutes ?? 10) * 60_000;
  const maxAttempts = opts.maxAttempts ?? 5;
  const codesPerHour = opts.codesPerHour ?? 5;
  const codeHash = (challengeId: string, code: string) => createHmac('sha256', opts.salt).update(`${challengeId}:${code}`).digest('hex');

  return {
    name: 'code',
    /** Creates a challenge and records its code for delivery; returns the challenge id the voter answers. */
    async start(channel: CodeChannel, destination: string): Promise<CodeStart> {
      const canonical = codeDestination(channel, destination);
      if (!canonical) return { ok: false, error: channel === 'phone' ? 'Неверный номер телефона' : 'Неверный адрес электронной почты' };
      const deliver = opts.deliver;
      if (!deliver) return { ok: false, error: 'Отправка кодов сейчас недоступна, попробуйте позже', unavailable: true };
      const hash = identityHash(opts.salt, { provider: channel, key: canonical.key });
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const at = now();
      return withTransaction(opts.db, async (client): Promise<CodeStart> => {
        // Counted in PostgreSQL under a lock on the destination: every process shares the budget, and parallel
        // requests for one destination queue instead of all reading the same count.
        await client.query('select pg_advisory_xact_lock(hashtextextended($1, 7031))', [`identity-code:${hash}`]);
        const recent = await client.query<{ n: number; oldest: Date | null }>(
          `select count(*)::int as n, min(created_at) as oldest from identity_challenges where identity_hash = $1 and created_at > $2`,
          [hash, new Date(at.getTime() - HOUR_MS)],
        );
        const { n, oldest } = recent.rows[0]!;
        if (n >= codesPerHour) {
          const retryAfter = Math.max(1, Math.ceil(((oldest?.getTime() ?? at.getTime()) + HOUR_MS - at.getTime()) / 1000));
          return { ok: false, error: `Слишком много кодов для этого адреса: попробуйте через ${retryAfter} с`, retryAfter };
        }
        const r = await client.query<{ id: string }>(
          `insert into identity_challenges (provider, identity_hash, code_hash, expires_at, created_at) values ($1, $2, '', $3, $4) returning id`,
          [channel, hash, new Date(at.getTime() + ttlMs), at],
        );
        const id = r.rows[0]!.id;
        await client.query('update identity_challenges set code_hash = $2 where id = $1', [id, codeHash(id, code)]);
        await deliver({ challengeId: id, channel, destination: canonical.deliverTo, code, ttlMinutes: ttlMs / 60_000 });
        // Challenges are kept a day for the hourly limit and the audit of attempts, then go.
        await client.query('delete from identity_challenges where created_at < $1', [new Date(at.getTime() - 24 * HOUR_MS)]);
        return { ok: true, challengeId: id };
      });
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
      const phone = canonicalPhone(p.contact.phoneNumber);
      if (phone) return { ok: true, identity: { provider: 'phone', key: phone } };
    }
    return { ok: true, identity: { provider: 'telegram', key: String(p.fromId) } };
  },
};

/** Hash of an identity as stored; a code verification already carries the hash (`#…`). */
export const storedIdentityHash = (salt: string, id: VerifiedIdentity) => (id.key.startsWith('#') ? id.key.slice(1) : identityHash(salt, id));

const HOUR_MS = 3_600_000;

const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');

export interface Voter {
  identityHash: string;
  provider: string;
  /** When the identity first verified with us: fresh accounts weigh in burst detection. */
  firstSeenAt: Date;
}

/**
 * The identity that counts for a verified one: itself, or the person it was linked to (voter_links). Votes, limits
 * and sessions are keyed by it, so one person verified by phone, by mailbox and through Telegram votes once.
 */
export async function personOf(db: Sql, identityHash: string): Promise<string> {
  const r = await db.query<{ person_hash: string }>('select person_hash from voter_links where identity_hash = $1', [identityHash]);
  return r.rows[0]?.person_hash ?? identityHash;
}

/**
 * Links an identity to a person (the person's own hash when it is linked itself). A link is never moved: the first
 * person an identity was shown to belong to keeps it. Identities that pointed at the linked one follow it, and so do
 * the votes cast under it (a Telegram vote before the phone was shared) in every poll the person has not voted in
 * yet: a vote of the person that comes later, by any way, is then the duplicate it is. Where both had voted before
 * they were known to be one, the later vote is quarantined (quarantineDoubleVotes).
 */
export async function linkIdentity(db: pg.Pool, identityHash: string, personHash: string, now = new Date()): Promise<string> {
  for (let attempt = 0;; attempt++) {
    try {
      return await withTransaction(db, async (sql) => {
        const person = await personOf(sql, personHash);
        if (person === identityHash) return person;
        const r = await sql.query<{ person_hash: string }>(
          `insert into voter_links (identity_hash, person_hash, linked_at) values ($1, $2, $3)
           on conflict (identity_hash) do update set identity_hash = excluded.identity_hash returning person_hash`,
          [identityHash, person, now],
        );
        const linked = r.rows[0]!.person_hash;
        if (linked !== person) return linked;
        await sql.query('update voter_links set person_hash = $2 where person_hash = $1', [identityHash, person]);
        await sql.query(`update votes v set identity_hash = $2 where v.identity_hash = $1
                          and not exists (select 1 from votes w where w.poll_id = v.poll_id and w.identity_hash = $2)`, [identityHash, person]);
        await quarantineDoubleVotes(sql, identityHash, person, now);
        return linked;
      });
    } catch (err) {
      // The person's own vote landed in a poll between the check and the move: the next try sees it and leaves that one.
      if ((err as { code?: string }).code === '23505' && attempt < 2) continue;
      throw err;
    }
  }
}

/**
 * Records the identity and issues a voter token (kept only as its digest). `heldBy`: the person of a valid voter token
 * the browser already holds; the newly verified identity is linked to them (one person, two ways to reach them).
 */
export async function issueVoterToken(db: pg.Pool, salt: string, id: VerifiedIdentity, ttlMinutes: number, now = new Date(),
  heldBy?: string): Promise<{ token: string; expiresAt: Date; identityHash: string }>
{
  const own = storedIdentityHash(salt, id);
  await db.query('insert into voter_identities (identity_hash, provider, first_seen_at) values ($1, $2, $3) on conflict do nothing', [own, id.provider, now]);
  const hash = heldBy && heldBy !== own ? await linkIdentity(db, own, heldBy, now) : await personOf(db, own);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000);
  await db.query('insert into voter_sessions (token_hash, identity_hash, provider, expires_at) values ($1, $2, $3, $4)', [tokenDigest(token), hash, id.provider,
    expiresAt]);
  return { token, expiresAt, identityHash: hash };
}

/** A token issued before its identity was linked to a person (on another device) votes as that person now. */
export async function voterForToken(db: pg.Pool, token: string, now = new Date()): Promise<Voter | null> {
  if (!token || token.length > 200) return null;
  // Named: asked once per vote, planned once per connection.
  const r = await db.query<{ identity_hash: string; provider: string; first_seen_at: Date }>({
    name: 'polls-voter-for-token',
    text: `select coalesce(l.person_hash, s.identity_hash) as identity_hash, s.provider, coalesce(i.first_seen_at, s.created_at) as first_seen_at
             from voter_sessions s left join voter_identities i on i.identity_hash = s.identity_hash
                  left join voter_links l on l.identity_hash = s.identity_hash
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
    text: `select s.token_hash, coalesce(l.person_hash, s.identity_hash) as identity_hash, s.provider, coalesce(i.first_seen_at, s.created_at) as first_seen_at
             from voter_sessions s left join voter_identities i on i.identity_hash = s.identity_hash
                  left join voter_links l on l.identity_hash = s.identity_hash
            where s.token_hash = any($1::text[]) and s.expires_at > $2`,
    values: [wanted, now],
  });
  const found = new Map(r.rows.map((row) => [row.token_hash, { identityHash: row.identity_hash, provider: row.provider, firstSeenAt: row.first_seen_at }]));
  return digests.map((d) => (d ? found.get(d) ?? null : null));
}

/** Identities verified directly (the Telegram bot): recorded, then used without a token, as the person they belong to. */
export async function rememberIdentity(db: pg.Pool, salt: string, id: VerifiedIdentity, now = new Date()): Promise<Voter> {
  const own = storedIdentityHash(salt, id);
  const r = await db.query<{ first_seen_at: Date }>(
    `insert into voter_identities (identity_hash, provider, first_seen_at) values ($1, $2, $3)
     on conflict (identity_hash) do update set provider = voter_identities.provider returning first_seen_at`,
    [own, id.provider, now],
  );
  return { identityHash: await personOf(db, own), provider: id.provider, firstSeenAt: r.rows[0]!.first_seen_at };
}

/**
 * A Telegram user shared their own phone with the bot (Telegram confirms a contact is the sender's own by its
 * user_id): their Telegram account counts as that phone from now on, so a vote from the bot and one on the site with
 * an SMS code are one person's.
 */
export async function linkTelegramPhone(db: pg.Pool, salt: string, p: TelegramProof & { contact: NonNullable<TelegramProof['contact']> },
  now = new Date()): Promise<{ ok: boolean; message: string }>
{
  const asPhone = await telegramProvider.verify(p);
  if (!asPhone.ok) return { ok: false, message: asPhone.error };
  if (asPhone.identity.provider !== 'phone') return { ok: false, message: 'Можно подтвердить только свой номер: нажмите кнопку «Поделиться номером».' };
  const phone = await rememberIdentity(db, salt, asPhone.identity, now);
  const telegram = storedIdentityHash(salt, { provider: 'telegram', key: String(p.fromId) });
  await db.query('insert into voter_identities (identity_hash, provider, first_seen_at) values ($1, $2, $3) on conflict do nothing', [telegram, 'telegram',
    now]);
  await linkIdentity(db, telegram, phone.identityHash, now);
  return { ok: true, message: 'Номер подтверждён: голоса с этого номера на сайте и в Telegram считаются одним голосом.' };
}

/** Verifying a citizen by a one-time code: the voter token the vote and the discussion ask for. */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../../lib/api-builder.js';
import { VOTER_COOKIE, voterTokenOf, type PollsContext } from '../api.js';
import { issueVoterToken, voterForToken } from '../identity.js';
import { hasVoted } from '../vote-store.js';

const THROTTLED = 'Too many requests from this address; Retry-After says when to try again';

export function registerIdentityRoutes(api: ApiBuilder, ctx: PollsContext): void {
  const { db, now } = ctx;
  api.route({ method: 'post', path: '/api/v1/public/identity/code', tag: 'polls (public)', auth: false,
    summary: 'Send a one-time code by SMS to a phone or by e-mail (through the outbound queue; in development mode it is logged instead).',
    body: z.object({ channel: z.enum(['phone', 'email']), destination: z.string().min(3).max(320) }), status: 201,
    response: z.object({ challengeId: z.uuid() }),
    errors: { 429: `${THROTTLED}, or too many codes for this destination`,
      503: 'Codes cannot be sent from this process now (no outbound queue, or it is down)' } }, async ({ body, req }) => {
    ctx.throttle(ctx.limiters.ip, `ip:${ctx.clientIp(req)}`);
    // The per-destination limit is counted by the code provider on the canonical destination, in PostgreSQL.
    let r: Awaited<ReturnType<typeof ctx.codes.start>>;
    try {
      r = await ctx.codes.start(body.channel, body.destination);
    } catch (err) {
      // The code could not be queued (Redis down): nothing was kept, the person may simply ask again.
      ctx.deps.logger?.warn({ err: (err as Error).message }, 'a one-time code could not be queued');
      throw new HttpError(503, 'Не удалось отправить код, попробуйте ещё раз через минуту');
    }
    if (!r.ok) throw new HttpError(r.unavailable ? 503 : r.retryAfter ? 429 : 400, r.error, r.retryAfter ? { retryAfter: r.retryAfter } : undefined);
    return { body: { challengeId: r.challengeId } };
  });

  api.route({ method: 'post', path: '/api/v1/public/identity/verify', tag: 'polls (public)', auth: false,
    summary: 'Check the code; sets the HttpOnly voter cookie and returns the token (for the widget).',
    body: z.object({ challengeId: z.uuid(), code: z.string().regex(/^\s*\d{6}\s*$/, 'six digits') }),
    response: z.object({ token: z.string(), expiresAt: z.iso.datetime({ offset: true }) }), errors: { 429: THROTTLED } }, async ({ body, req }) => {
    ctx.throttle(ctx.limiters.ip, `ip:${ctx.clientIp(req)}`);
    const verified = await ctx.codes.verify(body);
    if (!verified.ok) throw new HttpError(400, verified.error);
    const ttl = ctx.limits.voterTokenTtlMinutes;
    // A browser that already holds a voter token verified a second phone or mailbox: both are one person's.
    const held = voterTokenOf(req);
    const holder = held ? await voterForToken(db, held, now()) : null;
    const issued = await issueVoterToken(db, ctx.deps.salt, verified.identity, ttl, now(), holder?.identityHash);
    const cookie = `${VOTER_COOKIE}=${issued.token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ttl * 60}${req.secure ? '; Secure' : ''}`;
    return { headers: { 'set-cookie': cookie, 'cache-control': 'no-store' }, body: { token: issued.token, expiresAt: issued.expiresAt.toISOString() } };
  });

  api.route({ method: 'get', path: '/api/v1/public/identity/me', tag: 'polls (public)', auth: false,
    summary: 'Whether this browser holds a valid voter token, and whether it already voted in a poll.', query: z.object({ pollId: z.uuid().optional() }),
    response: z.object({ verified: z.boolean(), provider: z.string().optional(),
      voted: z.boolean().optional().describe('With pollId: whether this voter voted in it') }), errors: [] }, async ({ query, req }) => {
    const token = voterTokenOf(req);
    const voter = token ? await voterForToken(db, token, now()) : null;
    if (!voter) return { body: { verified: false } };
    const voted = query.pollId ? await hasVoted(db, query.pollId, voter.identityHash) : undefined;
    return { body: { verified: true, provider: voter.provider, ...(voted !== undefined ? { voted } : {}) } };
  });
}

/**
 * The polls REST API. Citizens (no staff account) use `/api/v1/public/...`: read polls, verify by a one-time code,
 * vote, comment. Staff use `/api/v1/polls/...` with a bearer token: build and schedule polls, watch bursts,
 * quarantine votes, moderate free-text answers and comments, reply as officials.
 */
import type { Request, Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { pgInt, pgIntParam } from '../../lib/request-schemas.js';
import { uuidV5 } from '../../lib/ids.js';
import type { HotRoute } from '../../lib/http.js';
import type { Logger } from '../../lib/logger.js';
import type { Queues } from '../../lib/queues.js';
import type { AuthUser } from '../auth.js';
import { requireAuth } from '../auth.js';
import { ApiBuilder, HttpError } from '../http-kit.js';
import type { OutboxRelay } from '../outbox.js';
import { hasRegionRole } from '../rules.js';
import { createCodeProvider, issueVoterToken, voterForToken, type Voter } from './identity.js';
import { createNetworkHasher, createRateLimiter } from './limits.js';
import { createPollCache, type PollCache } from './poll-cache.js';
import { createVoteBatcher, type VoteBatcher } from './vote-batcher.js';
import { ballotSchema, pollInputSchema, POLL_STATUSES, VOTE_CHANNELS, type Poll, type PollStatus, type VoteChannel } from './model.js';
import {
  castVote, chatsOfMunicipality, countedVotes, createPoll, detectBursts, listPolls, loadPoll, setVoteState, transitionPoll, updateDraft, voteTotals, type CastResult,
} from './store.js';

export const VOTER_COOKIE = 'otklik_voter';

export interface PollLimits {
  /** Vote, code and comment requests per client IP per minute. */
  ipPerMinute: number;
  /** Codes requested per phone/e-mail per hour. */
  codesPerHour: number;
  voterTokenTtlMinutes: number;
  /** Votes in a 10-minute window from one network, or from freshly verified identities, that make a burst. */
  burstThreshold: number;
}

export const DEFAULT_POLL_LIMITS: PollLimits = { ipPerMinute: 60, codesPerHour: 5, voterTokenTtlMinutes: 60, burstThreshold: 20 };

export interface PollsApiDeps {
  db: pg.Pool;
  salt: string;
  limits?: PollLimits;
  relay?: Pick<OutboxRelay, 'nudge'>;
  now?: () => Date;
  logger?: Logger;
  /** Pushed polls leave through the outbound queue; without it the push endpoint answers 503. */
  queues?: Pick<Queues, 'outbound'>;
  /** Shared with the ballot box of the same process (createPolls); one of its own otherwise. */
  pollCache?: PollCache;
  /** Group commit of votes and batched token lookups, shared with the ballot box (createPolls); its own otherwise. */
  voteBatcher?: VoteBatcher;
}

/** The voter token from the page's HttpOnly cookie or, for the cross-site widget, the `x-voter-token` header. */
export function voterTokenOf(req: Request): string | undefined {
  const header = req.get('x-voter-token');
  if (header) return header.trim();
  const cookies = req.get('cookie') ?? '';
  for (const part of cookies.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === VOTER_COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const uuid = z.uuid();
const idParams = z.object({ id: uuid });
const page = { limit: pgIntParam.min(1).max(500).default(50), offset: pgIntParam.min(0).default(0) };
const PUBLIC_STATUSES: PollStatus[] = ['published', 'open', 'closed', 'results_published'];

/** Human answers for refusals, shown as they are on the page, the widget and in the bot. */
export const CAST_MESSAGES: Record<Exclude<CastResult['status'], 'accepted' | 'invalid'>, { status: number; error: string }> = {
  duplicate: { status: 409, error: 'Вы уже проголосовали в этом голосовании. Спасибо за участие!' },
  closed: { status: 409, error: 'Голосование сейчас закрыто: голоса не принимаются.' },
  not_found: { status: 404, error: 'Голосование не найдено' },
};

const isPollStaff = (u: AuthUser) => hasRegionRole(u, 'administrator') || hasRegionRole(u, 'moderator');
function requireStaff(u: AuthUser) {
  if (!isPollStaff(u)) throw new HttpError(403, 'only a region administrator or moderator manages polls');
}

/** What a citizen sees of a poll: no counts, no staff fields. */
export const publicPoll = (p: Poll) => ({
  id: p.id, title: p.title, description: p.description, status: p.status, municipalities: p.municipalities, minAge: p.minAge,
  opensAt: p.opensAt, closesAt: p.closesAt, liveResults: p.liveResults, questions: p.questions,
});

export function createPollsApi(deps: PollsApiDeps): { router: Router; hot: HotRoute[] } {
  const db = deps.db;
  const now = deps.now ?? (() => new Date());
  const limits = deps.limits ?? DEFAULT_POLL_LIMITS;
  const api = new ApiBuilder(requireAuth(db));
  const codes = createCodeProvider({ db, salt: deps.salt, now });
  const ipLimiter = createRateLimiter(limits.ipPerMinute, 60_000);
  const codeLimiter = createRateLimiter(limits.codesPerHour, 3_600_000);
  const identityLimiter = createRateLimiter(10, 60_000);
  const pollCache = deps.pollCache ?? createPollCache((id) => loadPoll(db, id));
  const networkHash = createNetworkHasher(deps.salt);
  const batcher = deps.voteBatcher ?? createVoteBatcher(db);

  const throttle = (limiter: ReturnType<typeof createRateLimiter>, key: string) => {
    const wait = limiter.hit(key);
    if (wait > 0) throw new HttpError(429, `Слишком много запросов: попробуйте через ${wait} с`, { retryAfter: wait });
  };
  const clientIp = (req: Request) => req.ip ?? 'unknown';

  async function voterOf(req: Request): Promise<Voter> {
    const token = voterTokenOf(req);
    const voter = token ? await batcher.voterForToken(token, now()) : null;
    if (!voter) throw new HttpError(401, 'Подтвердите личность: получите код по телефону или электронной почте');
    return voter;
  }

  async function publicPollOr404(id: string): Promise<Poll> {
    const p = await loadPoll(db, id);
    if (!p || !PUBLIC_STATUSES.includes(p.status)) throw new HttpError(404, 'Голосование не найдено');
    return p;
  }

  api.route({ method: 'get', path: '/api/v1/polls/openapi.json', tag: 'polls', auth: false, summary: 'This document.' }, async () => ({
    body: api.openApi({ title: 'Otklik polls API', version: '1', description: 'Polls, votes and discussions.' }),
  }));

  // ---- citizens -----------------------------------------------------------------------------------------------
  api.route({ method: 'get', path: '/api/v1/public/polls', tag: 'polls (public)', auth: false, summary: 'Published polls, optionally for one municipality.',
    query: z.object({ municipality: z.string().max(300).optional(), ...page }) }, async ({ query }) => {
    const items = await listPolls(db, { statuses: PUBLIC_STATUSES, municipality: query.municipality, limit: query.limit, offset: query.offset });
    return { body: { items: items.map(({ votes: _v, ...p }) => p), limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'get', path: '/api/v1/public/polls/:id', tag: 'polls (public)', auth: false, summary: 'One published poll with its questions.',
    params: idParams }, async ({ params }) => ({ body: publicPoll(await publicPollOr404(params.id)) }));

  api.route({ method: 'post', path: '/api/v1/public/identity/code', tag: 'polls (public)', auth: false,
    summary: 'Send a one-time code to a phone or e-mail (recorded in the identity_codes delivery outbox).',
    body: z.object({ channel: z.enum(['phone', 'email']), destination: z.string().min(3).max(320) }) }, async ({ body, req }) => {
    throttle(ipLimiter, `ip:${clientIp(req)}`);
    throttle(codeLimiter, `code:${body.channel}:${body.destination.replace(/\s/g, '').toLowerCase()}`);
    const r = await codes.start(body.channel, body.destination);
    if (!r.ok) throw new HttpError(400, r.error);
    return { status: 201, body: { challengeId: r.challengeId } };
  });

  api.route({ method: 'post', path: '/api/v1/public/identity/verify', tag: 'polls (public)', auth: false,
    summary: 'Check the code; sets the HttpOnly voter cookie and returns the token (for the widget).',
    body: z.object({ challengeId: uuid, code: z.string().regex(/^\s*\d{6}\s*$/, 'six digits') }) }, async ({ body, req }) => {
    throttle(ipLimiter, `ip:${clientIp(req)}`);
    const v = await codes.verify(body);
    if (!v.ok) throw new HttpError(400, v.error);
    const t = await issueVoterToken(db, deps.salt, v.identity, limits.voterTokenTtlMinutes, now());
    const cookie = `${VOTER_COOKIE}=${t.token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${limits.voterTokenTtlMinutes * 60}${req.secure ? '; Secure' : ''}`;
    return { headers: { 'set-cookie': cookie, 'cache-control': 'no-store' }, body: { token: t.token, expiresAt: t.expiresAt.toISOString() } };
  });

  api.route({ method: 'get', path: '/api/v1/public/identity/me', tag: 'polls (public)', auth: false,
    summary: 'Whether this browser holds a valid voter token, and whether it already voted in a poll.',
    query: z.object({ pollId: uuid.optional() }) }, async ({ query, req }) => {
    const token = voterTokenOf(req);
    const voter = token ? await voterForToken(db, token, now()) : null;
    if (!voter) return { body: { verified: false } };
    const voted = query.pollId
      ? Boolean((await db.query('select 1 from votes where poll_id = $1 and identity_hash = $2', [query.pollId, voter.identityHash])).rowCount)
      : undefined;
    return { body: { verified: true, provider: voter.provider, ...(voted !== undefined ? { voted } : {}) } };
  });

  api.route({ method: 'post', path: '/api/v1/public/polls/:id/votes', tag: 'polls (public)', auth: false, hot: true,
    summary: 'Vote (one vote per verified person per poll across all channels; 409 for a second vote or a closed poll).',
    params: idParams, body: ballotSchema.extend({ channel: z.enum(VOTE_CHANNELS).exclude(['telegram']).default('page') }) }, async ({ params, body, req }) => {
    const ip = clientIp(req);
    throttle(ipLimiter, `ip:${ip}`);
    const voter = await voterOf(req);
    throttle(identityLimiter, `id:${voter.identityHash}`);
    const r = await vote(params.id, voter, body.channel, body, networkHash(ip));
    return { status: 201, body: r };
  });

  /** Shared by the HTTP route: maps outcomes to answers. */
  async function vote(pollId: string, voter: Voter, channel: VoteChannel, ballot: z.infer<typeof ballotSchema>, network: string) {
    const cached = await pollCache.get(pollId);
    if (!cached) throw new HttpError(404, CAST_MESSAGES.not_found.error);
    const r = await castVote(db, { pollId, identityHash: voter.identityHash, provider: voter.provider, channel, ballot, networkHash: network, now: now() }, cached,
      (p) => (p ? pollCache.remember(p) : pollCache.forget(pollId)), batcher.write);
    if (r.status === 'accepted') {
      deps.relay?.nudge();
      return { voteId: r.voteId, message: r.pendingTexts ? 'Спасибо! Ваш голос учтён, текстовые ответы будут опубликованы после модерации.' : 'Спасибо! Ваш голос учтён.' };
    }
    if (r.status === 'invalid') throw new HttpError(400, r.error);
    const m = CAST_MESSAGES[r.status];
    throw new HttpError(m.status, m.error);
  }

  api.route({ method: 'get', path: '/api/v1/public/polls/:id/comments', tag: 'polls (public)', auth: false, summary: 'Published discussion comments and official replies.',
    params: idParams, query: z.object(page) }, async ({ params, query }) => {
    await publicPollOr404(params.id);
    const r = await db.query(
      `select id, parent_id as "parentId", author_kind as "authorKind", author_name as "authorName", text, created_at as "createdAt"
         from poll_comments where poll_id = $1 and status = 'published' order by created_at, id limit $2 offset $3`,
      [params.id, query.limit, query.offset]);
    return { body: { items: r.rows, limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'post', path: '/api/v1/public/polls/:id/comments', tag: 'polls (public)', auth: false,
    summary: 'Comment in the discussion (verified voters; published after moderation).',
    params: idParams, body: z.object({ text: z.string().trim().min(2).max(5000), parentId: uuid.optional(), name: z.string().trim().max(100).optional() }) }, async ({ params, body, req }) => {
    throttle(ipLimiter, `ip:${clientIp(req)}`);
    const voter = await voterOf(req);
    throttle(identityLimiter, `id:${voter.identityHash}`);
    const poll = await publicPollOr404(params.id);
    if (poll.status === 'results_published') throw new HttpError(409, 'Обсуждение завершено');
    if (body.parentId && !(await db.query(`select 1 from poll_comments where id = $1 and poll_id = $2 and status = 'published'`, [body.parentId, params.id])).rowCount) {
      throw new HttpError(400, 'Комментарий, на который вы отвечаете, не найден');
    }
    const r = await db.query<{ id: string }>(
      `insert into poll_comments (poll_id, parent_id, author_kind, identity_hash, author_name, text) values ($1, $2, 'citizen', $3, $4, $5) returning id`,
      [params.id, body.parentId ?? null, voter.identityHash, body.name ?? 'Житель', body.text]);
    return { status: 201, body: { id: r.rows[0]!.id, status: 'pending', message: 'Комментарий появится после модерации.' } };
  });

  // ---- staff --------------------------------------------------------------------------------------------------
  api.route({ method: 'post', path: '/api/v1/polls', tag: 'polls', summary: 'Create a poll (draft) with its questions.', roles: 'region administrator, moderator',
    body: pollInputSchema }, async ({ user, body }) => {
    requireStaff(user);
    const id = await createPoll(db, body, user.id);
    return { status: 201, body: await loadPoll(db, id) };
  });

  api.route({ method: 'get', path: '/api/v1/polls', tag: 'polls', summary: 'Polls with their counted votes.', roles: 'any signed-in user',
    query: z.object({ status: z.enum(POLL_STATUSES).optional(), ...page }) }, async ({ query }) => {
    const items = await listPolls(db, { statuses: query.status ? [query.status] : undefined, limit: query.limit, offset: query.offset });
    return { body: { items, limit: query.limit, offset: query.offset } };
  });

  const staffPoll = async (id: string) => {
    const p = await loadPoll(db, id);
    if (!p) throw new HttpError(404, 'poll not found');
    return p;
  };

  api.route({ method: 'get', path: '/api/v1/polls/:id', tag: 'polls', summary: 'A poll with vote totals.', roles: 'any signed-in user', params: idParams },
    async ({ params }) => ({ body: { ...(await staffPoll(params.id)), totals: await voteTotals(db, params.id) } }));

  api.route({ method: 'put', path: '/api/v1/polls/:id', tag: 'polls', summary: 'Replace a draft poll.', roles: 'region administrator, moderator',
    params: idParams, body: pollInputSchema }, async ({ user, params, body }) => {
    requireStaff(user);
    const r = await updateDraft(db, params.id, body);
    if (!r.ok) throw new HttpError(r.code, r.error);
    pollCache.forget(params.id);
    return { body: r.poll };
  });

  api.route({ method: 'post', path: '/api/v1/polls/:id/status', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Move the schedule: draft → published → open → closed → results_published (published → draft allowed).',
    params: idParams, body: z.object({ to: z.enum(POLL_STATUSES), expectedVersion: pgInt.min(0).optional() }) }, async ({ user, params, body }) => {
    requireStaff(user);
    const r = await transitionPoll(db, params.id, body.to, body.expectedVersion);
    if (!r.ok) throw new HttpError(r.code, r.error);
    pollCache.forget(params.id);
    deps.logger?.info({ pollId: params.id, to: body.to, actor: user.id }, 'poll status changed');
    return { body: r.poll };
  });

  api.route({ method: 'post', path: '/api/v1/polls/:id/push', tag: 'polls', roles: 'region administrator, moderator',
    summary: "Send an open poll with its voting keyboard to the Telegram chats of one municipality (subscribers and appellants). Repeating a push sends nothing twice.",
    params: idParams, body: z.object({ municipality: z.string().trim().min(1).max(300) }) }, async ({ user, params, body }) => {
    requireStaff(user);
    const poll = await staffPoll(params.id);
    if (poll.status !== 'open') throw new HttpError(409, 'only an open poll can be pushed');
    if (poll.municipalities.length > 0 && !poll.municipalities.includes(body.municipality)) {
      throw new HttpError(400, 'municipality: the poll is not held there');
    }
    if (!deps.queues) throw new HttpError(503, 'the outbound queue is not available in this process');
    const chats = await chatsOfMunicipality(db, body.municipality);
    const text = `Голосование для жителей: ${body.municipality}`;
    // One id per poll and chat: a repeated push (or a retried request) is deduplicated by the queue and delivery log.
    const jobs = chats.map((chatId) => {
      const outboundId = uuidV5(`poll-push:${poll.id}:telegram:${chatId}`);
      return { name: 'poll', data: { outboundId, source: 'telegram' as const, kind: 'poll' as const, pollId: poll.id, text, target: { chatId } }, opts: { jobId: `outbound-${outboundId}` } };
    });
    for (let i = 0; i < jobs.length; i += 500) await deps.queues.outbound.addBulk(jobs.slice(i, i + 500));
    deps.logger?.info({ pollId: poll.id, chats: chats.length, actor: user.id }, 'poll pushed');
    return { status: 202, body: { municipality: body.municipality, chats: chats.length } };
  });

  api.route({ method: 'get', path: '/api/v1/polls/:id/counts', tag: 'polls', roles: 'any signed-in user',
    summary: 'Counted votes per question and option from PostgreSQL (quarantined votes excluded).', params: idParams }, async ({ params }) => {
    await staffPoll(params.id);
    return { body: { totals: await voteTotals(db, params.id), rows: await countedVotes(db, params.id) } };
  });

  api.route({ method: 'get', path: '/api/v1/polls/:id/votes', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Votes without identities: channel, municipality, network, state.', params: idParams,
    query: z.object({ status: z.enum(['accepted', 'quarantined']).optional(), ...page }) }, async ({ user, params, query }) => {
    requireStaff(user);
    const r = await db.query(
      `select id, channel, municipality, left(network_hash, 12) as network, status, cast_at as "castAt" from votes
        where poll_id = $1 and ($2::text is null or status = $2) order by cast_at desc, id limit $3 offset $4`,
      [params.id, query.status ?? null, query.limit, query.offset]);
    return { body: { items: r.rows, limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'get', path: '/api/v1/polls/:id/bursts', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Suspicious bursts: many votes from one network, or from newly verified identities, within 10 minutes.', params: idParams }, async ({ user, params }) => {
    requireStaff(user);
    await staffPoll(params.id);
    const items = await detectBursts(db, params.id, { windowMinutes: 10, networkThreshold: limits.burstThreshold, newAccountThreshold: limits.burstThreshold, newAccountMinutes: 60 });
    return { body: { items } };
  });

  const stateBody = z.object({ voteIds: z.array(uuid).min(1).max(10_000), reason: z.string().trim().min(3).max(2000) });
  for (const action of ['quarantine', 'release'] as const) {
    api.route({ method: 'post', path: `/api/v1/polls/:id/votes/${action}`, tag: 'polls', roles: 'region administrator, moderator',
      summary: action === 'quarantine' ? 'Quarantine votes: they leave the published count; each gets an audit entry.' : 'Release quarantined votes back into the count (audited).',
      params: idParams, body: stateBody }, async ({ user, params, body }) => {
      requireStaff(user);
      await staffPoll(params.id);
      const r = await setVoteState(db, { pollId: params.id, voteIds: body.voteIds, action, actorId: user.id, reason: body.reason, now: now() });
      deps.relay?.nudge();
      deps.logger?.info({ pollId: params.id, action, changed: r.changed.length, actor: user.id }, 'votes state changed');
      return { body: r };
    });
  }

  api.route({ method: 'get', path: '/api/v1/polls/:id/audit', tag: 'polls', roles: 'region administrator, moderator', summary: 'Quarantine audit trail.',
    params: idParams, query: z.object(page) }, async ({ user, params, query }) => {
    requireStaff(user);
    const r = await db.query(
      `select a.id, a.vote_id as "voteId", a.action, a.reason, a.at, u.login as actor
         from vote_audit a join votes v on v.id = a.vote_id join users u on u.id = a.actor_id
        where v.poll_id = $1 order by a.id desc limit $2 offset $3`, [params.id, query.limit, query.offset]);
    return { body: { items: r.rows } };
  });

  api.route({ method: 'get', path: '/api/v1/polls/:id/answers', tag: 'polls', roles: 'region administrator, moderator', summary: 'Free-text answers by moderation state.',
    params: idParams, query: z.object({ moderation: z.enum(['pending', 'approved', 'rejected']).default('pending'), ...page }) }, async ({ user, params, query }) => {
    requireStaff(user);
    const r = await db.query(
      `select a.vote_id as "voteId", a.question_id as "questionId", a.text, a.moderation from vote_answers a join votes v on v.id = a.vote_id
        where v.poll_id = $1 and a.text is not null and a.moderation = $2 order by v.cast_at, a.vote_id limit $3 offset $4`,
      [params.id, query.moderation, query.limit, query.offset]);
    return { body: { items: r.rows } };
  });

  api.route({ method: 'post', path: '/api/v1/polls/:id/answers/moderate', tag: 'polls', roles: 'region administrator, moderator', summary: 'Approve or reject a free-text answer.',
    params: idParams, body: z.object({ voteId: uuid, questionId: uuid, decision: z.enum(['approved', 'rejected']) }) }, async ({ user, params, body }) => {
    requireStaff(user);
    const r = await db.query(
      `update vote_answers a set moderation = $4 from votes v where v.id = a.vote_id and v.poll_id = $1 and a.vote_id = $2 and a.question_id = $3 and a.text is not null`,
      [params.id, body.voteId, body.questionId, body.decision]);
    if (!r.rowCount) throw new HttpError(404, 'answer not found');
    return { body: { ok: true } };
  });

  api.route({ method: 'get', path: '/api/v1/polls/:id/comments', tag: 'polls', roles: 'region administrator, moderator', summary: 'Discussion comments by state.',
    params: idParams, query: z.object({ status: z.enum(['pending', 'published', 'rejected']).default('pending'), ...page }) }, async ({ user, params, query }) => {
    requireStaff(user);
    const r = await db.query(
      `select id, parent_id as "parentId", author_kind as "authorKind", author_name as "authorName", text, status, created_at as "createdAt"
         from poll_comments where poll_id = $1 and status = $2 order by created_at, id limit $3 offset $4`, [params.id, query.status, query.limit, query.offset]);
    return { body: { items: r.rows } };
  });

  api.route({ method: 'post', path: '/api/v1/polls/:id/comments/:commentId/moderate', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Publish or reject a citizen comment.', params: z.object({ id: uuid, commentId: uuid }),
    body: z.object({ decision: z.enum(['published', 'rejected']) }) }, async ({ user, params, body }) => {
    requireStaff(user);
    const r = await db.query(
      `update poll_comments set status = $3, moderated_by = $4, moderated_at = now() where id = $2 and poll_id = $1 and author_kind = 'citizen'`,
      [params.id, params.commentId, body.decision, user.id]);
    if (!r.rowCount) throw new HttpError(404, 'comment not found');
    return { body: { ok: true } };
  });

  api.route({ method: 'post', path: '/api/v1/polls/:id/comments', tag: 'polls', roles: 'any signed-in official',
    summary: "An official's reply or statement in the discussion (published at once, signed with the official's name).",
    params: idParams, body: z.object({ text: z.string().trim().min(2).max(10_000), parentId: uuid.optional() }) }, async ({ user, params, body }) => {
    await staffPoll(params.id);
    if (body.parentId && !(await db.query('select 1 from poll_comments where id = $1 and poll_id = $2', [body.parentId, params.id])).rowCount) {
      throw new HttpError(400, 'parentId: no such comment in this poll');
    }
    const r = await db.query<{ id: string }>(
      `insert into poll_comments (poll_id, parent_id, author_kind, user_id, author_name, text, status, moderated_by, moderated_at)
       values ($1, $2, 'official', $3, $4, $5, 'published', $3, now()) returning id`,
      [params.id, body.parentId ?? null, user.id, user.displayName, body.text]);
    return { status: 201, body: { id: r.rows[0]!.id } };
  });

  return { router: api.router, hot: api.hotRoutes() };
}

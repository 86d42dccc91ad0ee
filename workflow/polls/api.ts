/**
 * The polls REST API. Citizens (no staff account) use `/api/v1/public/...`: read polls, verify by a one-time code,
 * vote, comment (routes/public.ts, routes/identity.ts). Staff use `/api/v1/polls/...` with a bearer token: build and
 * schedule polls (routes/staff.ts), watch bursts and quarantine votes (routes/votes.ts), moderate free-text answers
 * and comments and reply as officials (routes/discussion.ts). Handlers parse, authorize and call the stores.
 */
import type { Request, RequestHandler, Router } from 'express';
import type pg from 'pg';
import { ApiBuilder, HttpError } from '../../lib/api-builder.js';
import type { HotRoute } from '../../lib/http.js';
import type { Logger } from '../../lib/logger.js';
import { createSealer, type Sealer } from '../../lib/seal.js';
import type { Queues } from '../../lib/queues.js';
import type { AuthUser } from '../auth.js';
import { requireAuth } from '../auth.js';
import type { OutboxRelay } from '../outbox.js';
import { managesPolls } from '../rules.js';
import { queuedCodeDelivery } from './code-delivery.js';
import { createCodeProvider, type Voter } from './identity.js';
import { createNetworkHasher, createRateLimiter } from './limits.js';
import type { Poll, PollStatus } from './model.js';
import { createPollCache, type PollCache } from './poll-cache.js';
import { registerDiscussionRoutes } from './routes/discussion.js';
import { registerIdentityRoutes } from './routes/identity.js';
import { registerPublicPollRoutes } from './routes/public.js';
import { registerStaffPollRoutes } from './routes/staff.js';
import { registerVoteRoutes } from './routes/votes.js';
import { loadPoll } from './store.js';
import { createVoteBatcher, type VoteBatcher } from './vote-batcher.js';
import type { CastResult } from './vote-store.js';

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
  /** The process's one bearer/session check (main.ts builds it once); its own without. */
  requireAuth?: RequestHandler;
  salt: string;
  limits?: PollLimits;
  relay?: Pick<OutboxRelay, 'nudge'>;
  now?: () => Date;
  logger?: Logger;
  /** Pushed polls and one-time codes leave through the outbound queue; without it those endpoints answer 503. */
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
    const [name, ...value] = part.trim().split('=');
    if (name === VOTER_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export const PUBLIC_STATUSES: PollStatus[] = ['published', 'open', 'closed', 'results_published'];

/** Human answers for refusals, shown as they are on the page, the widget and in the bot. */
export const CAST_MESSAGES: Record<Exclude<CastResult['status'], 'accepted' | 'invalid'>, { status: number; error: string }> = {
  duplicate: { status: 409, error: 'Вы уже проголосовали в этом голосовании. Спасибо за участие!' },
  closed: { status: 409, error: 'Голосование сейчас закрыто: голоса не принимаются.' },
  not_found: { status: 404, error: 'Голосование не найдено' },
};

export function requireStaff(u: AuthUser): void {
  if (!managesPolls(u)) throw new HttpError(403, 'only a region administrator or moderator manages polls');
}

/** What a citizen sees of a poll: no counts, no staff fields. */
export const publicPoll = (p: Poll) => ({
  id: p.id,
  title: p.title,
  description: p.description,
  status: p.status,
  municipalities: p.municipalities,
  minAge: p.minAge,
  opensAt: p.opensAt,
  closesAt: p.closesAt,
  liveResults: p.liveResults,
  questions: p.questions,
});

type Limiter = ReturnType<typeof createRateLimiter>;

/** What the polls route modules share: the stores' pool, limits and limiters, caches, and the common refusals. */
export interface PollsContext {
  deps: PollsApiDeps;
  db: pg.Pool;
  now: () => Date;
  limits: PollLimits;
  pollCache: PollCache;
  batcher: VoteBatcher;
  codes: ReturnType<typeof createCodeProvider>;
  limiters: { ip: Limiter; identity: Limiter };
  /** Seals what crosses Redis naming a citizen (pushed polls name their recipients' chats). */
  sealer: Sealer;
  networkHash: (ip: string) => string;
  /** Answers 429 when the key is over its limit. */
  throttle(limiter: Limiter, key: string): void;
  clientIp(req: Request): string;
  /** The verified voter of this request; 401 without one. */
  voterOf(req: Request): Promise<Voter>;
  /** A poll citizens may see; 404 otherwise (a draft does not exist for them). */
  publicPollOr404(id: string): Promise<Poll>;
  /** Any poll, for staff; 404 when there is none. */
  staffPoll(id: string): Promise<Poll>;
}

function createContext(deps: PollsApiDeps): PollsContext {
  const db = deps.db;
  const now = deps.now ?? (() => new Date());
  const limits = deps.limits ?? DEFAULT_POLL_LIMITS;
  const batcher = deps.voteBatcher ?? createVoteBatcher(db);
  const sealer = createSealer(deps.salt);
  return {
    deps,
    db,
    now,
    limits,
    batcher,
    pollCache: deps.pollCache ?? createPollCache((id) => loadPoll(db, id)),
    codes: createCodeProvider({ db, salt: deps.salt, now, codesPerHour: limits.codesPerHour,
      deliver: deps.queues ? queuedCodeDelivery(deps.queues, sealer) : undefined }),
    limiters: { ip: createRateLimiter(limits.ipPerMinute, 60_000), identity: createRateLimiter(10, 60_000) },
    sealer,
    networkHash: createNetworkHasher(deps.salt),
    throttle(limiter, key) {
      const wait = limiter.hit(key);
      if (wait > 0) throw new HttpError(429, `Слишком много запросов: попробуйте через ${wait} с`, { retryAfter: wait });
    },
    clientIp: (req) => req.ip ?? 'unknown',
    async voterOf(req) {
      const token = voterTokenOf(req);
      const voter = token ? await batcher.voterForToken(token, now()) : null;
      if (!voter) throw new HttpError(401, 'Подтвердите личность: получите код по телефону или электронной почте');
      return voter;
    },
    async publicPollOr404(id) {
      const poll = await loadPoll(db, id);
      if (!poll || !PUBLIC_STATUSES.includes(poll.status)) throw new HttpError(404, 'Голосование не найдено');
      return poll;
    },
    async staffPoll(id) {
      const poll = await loadPoll(db, id);
      if (!poll) throw new HttpError(404, 'poll not found');
      return poll;
    },
  };
}

export function createPollsApi(deps: PollsApiDeps): { router: Router; hot: HotRoute[]; builder: ApiBuilder } {
  const api = new ApiBuilder(deps.requireAuth ?? requireAuth(deps.db));
  const ctx = createContext(deps);
  registerPublicPollRoutes(api, ctx);
  registerIdentityRoutes(api, ctx);
  registerStaffPollRoutes(api, ctx);
  registerVoteRoutes(api, ctx);
  registerDiscussionRoutes(api, ctx);
  return { router: api.router, hot: api.hotRoutes(), builder: api };
}

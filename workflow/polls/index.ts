/**
 * The polls domain as main.ts wires it: the REST API router, and a ballot box that channels without a voter
 * token (the Telegram bot, whose updates carry the sender Telegram verified) vote through. Channels receive the
 * ballot box from main.ts; they never import workflow/.
 */
import type { RequestHandler, Router } from 'express';
import type pg from 'pg';
import type { ApiBuilder } from '../../lib/api-builder.js';
import type { HotRoute } from '../../lib/http.js';
import type { Logger } from '../../lib/logger.js';
import type { Queues } from '../../lib/queues.js';
import type { OutboxRelay } from '../outbox.js';
import { CAST_MESSAGES, createPollsApi, publicPoll, type PollLimits } from './api.js';
import { linkTelegramPhone, rememberIdentity, telegramProvider, type TelegramProof } from './identity.js';
import { networkHash } from './limits.js';
import type { Poll } from './model.js';
import { coalesceNudges, createPollCache } from './poll-cache.js';
import { createVoteBatcher, type VoteBatcher } from './vote-batcher.js';
import { listPolls, loadPoll, municipalityOfChat, subscribeChat } from './store.js';
import { castVote } from './vote-store.js';

export interface BallotBox {
  /** Open polls a channel can offer (all of the region plus those of one municipality). */
  openPolls(municipality?: string): Promise<{ id: string; title: string }[]>;
  poll(id: string): Promise<ReturnType<typeof publicPoll> | null>;
  /** Every poll citizens may see (published and later), newest first. */
  publicPolls(): Promise<Omit<ReturnType<typeof publicPoll>, 'questions'>[]>;
  /** One answer to a single-choice question from a Telegram user; returns what to tell them. */
  voteFromTelegram(
    input: { pollId: string; questionId: string; optionId: string; proof: TelegramProof; municipality?: string },
  ): Promise<{ accepted: boolean; message: string }>;
  /** A Telegram chat names its municipality (the bot's `/polls <municipality>`): it receives that municipality's polls. */
  subscribe(chatId: string, municipality: string): Promise<void>;
  /** The chat's municipality: the one it named, else the one of its latest appeal through the bot. */
  municipalityOf(chatId: string): Promise<string | undefined>;
  /** A Telegram user shared their own phone: their account votes as that phone from now on. */
  linkTelegramPhone(input: TelegramProof & { contact: NonNullable<TelegramProof['contact']> }): Promise<{ ok: boolean; message: string }>;
}

export interface Polls {
  router: Router;
  /** The vote endpoint, to be answered in front of the middleware stack (lib/http.ts HotRoute). */
  hotRoutes: HotRoute[];
  ballotBox: BallotBox;
  /** The vote path's group commit, shared by every channel of this process (its stats show batches in flight). */
  voteBatcher: VoteBatcher;
  /** The builders whose routes make up the polls API, for one OpenAPI document of the whole system. */
  builders: ApiBuilder[];
}

export function createPolls(deps: {
  db: pg.Pool;
  salt: string;
  relay?: Pick<OutboxRelay, 'nudge'>;
  limits?: PollLimits;
  logger?: Logger;
  now?: () => Date;
  requireAuth?: RequestHandler;
  /** Where pushed polls leave for the Telegram chats of a municipality. */
  queues?: Pick<Queues, 'outbound'>;
}): Polls {
  const now = deps.now ?? (() => new Date());
  const pollCache = createPollCache((id) => loadPoll(deps.db, id));
  const relay = coalesceNudges(deps.relay);
  const voteBatcher = createVoteBatcher(deps.db);
  const { router, hot, builder } = createPollsApi({ ...deps, relay, pollCache, voteBatcher });
  const ballotBox: BallotBox = {
    async openPolls(municipality) {
      const items = await listPolls(deps.db, { statuses: ['open'], municipality, limit: 20, offset: 0 });
      return items.map((p) => ({ id: p.id, title: p.title }));
    },
    async poll(id) {
      const p = await loadPoll(deps.db, id);
      return p && p.status !== 'draft' ? publicPoll(p) : null;
    },
    async publicPolls() {
      const items = await listPolls(deps.db, { statuses: ['published', 'open', 'closed', 'results_published'], limit: 100, offset: 0 });
      return items.map(({ votes: _v, questions: _q, version: _ver, ...p }) => p);
    },
    async voteFromTelegram(input) {
      const verified = await telegramProvider.verify(input.proof);
      if (!verified.ok) return { accepted: false, message: verified.error };
      const voter = await rememberIdentity(deps.db, deps.salt, verified.identity, now());
      const poll: Poll | null = await pollCache.get(input.pollId);
      if (!poll) return { accepted: false, message: CAST_MESSAGES.not_found.error };
      // The bot offers one question per message; other required questions make the ballot incomplete on purpose.
      const r = await castVote(deps.db, {
        pollId: input.pollId,
        identityHash: voter.identityHash,
        provider: voter.provider,
        channel: 'telegram',
        networkHash: networkHash(deps.salt, undefined),
        now: now(),
        ballot: { answers: [{ questionId: input.questionId, optionIds: [input.optionId] }], municipality: input.municipality },
      }, poll, (p) => (p ? pollCache.remember(p) : pollCache.forget(input.pollId)), voteBatcher.write);
      if (r.status === 'accepted') {
        relay?.nudge();
        return { accepted: true, message: 'Спасибо! Ваш голос учтён.' };
      }
      if (r.status === 'invalid') return { accepted: false, message: r.error };
      return { accepted: false, message: CAST_MESSAGES[r.status].error };
    },
    subscribe: (chatId, municipality) => subscribeChat(deps.db, chatId, municipality),
    linkTelegramPhone: (input) => linkTelegramPhone(deps.db, deps.salt, input, now()),
    municipalityOf: (chatId) => municipalityOfChat(deps.db, chatId),
  };
  return { router, hotRoutes: hot, ballotBox, voteBatcher, builders: [builder] };
}

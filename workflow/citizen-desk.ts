/**
 * Citizens acting on their own case from a channel (a rating, a repeat-review request). Message ids are computable
 * (UUID v5 of public channel ids), so an action is applied only when the channel vouches for who acted and that
 * person is the case's author on the case's own channel: same source, same author hash (the salted hash of the
 * sender the channel verified), same chat when the case has one. The status page proves authorship by the secret
 * token of the citizen's notices instead (citizen-status.ts); both end in the same engine with the same rules.
 */
import type pg from 'pg';
import type { CitizenAction, CaseStatus } from '../lib/queues.js';
import type { RegionRules } from '../lib/region-config.js';
import { caseAuthorOf } from './store/cases.js';
import { applyCitizenAction, LOW_RATING_MAX, type CitizenActionOutcome, type EngineDeps } from './lifecycle.js';
import type { OutboxRelay } from './outbox.js';
import type { StatusLinks } from './status-link.js';
import type { Sql } from './store/sql.js';
import { caseIdFor } from './register-case.js';

/** Why an action was refused before the case was looked at any further. */
export type AuthorCheck = 'ok' | 'no-case' | 'wrong-channel' | 'not-author';

interface AuthorState {
  check: AuthorCheck;
  status?: string;
  rating?: number | null;
  round?: number;
}

/** Whether the acting person is the author of the case registered from `messageId`, on its channel; and where the case is. */
export async function checkAuthor(db: Sql, a: Pick<CitizenAction, 'messageId' | 'source' | 'authorHash' | 'channelUserId'>): Promise<AuthorState> {
  const c = await caseAuthorOf(db, caseIdFor(a.messageId));
  if (!c) return { check: 'no-case' };
  if (c.source !== a.source) return { check: 'wrong-channel' };
  if (c.author_hash !== a.authorHash) return { check: 'not-author' };
  if (a.channelUserId !== undefined && c.channel_user_id !== a.channelUserId) return { check: 'not-author' };
  return { check: 'ok', status: c.status, rating: c.rating, round: c.review_cycle };
}

/**
 * Applies a citizen action once its author is verified (checkAuthor; a case that does not exist is left to
 * applyCitizenAction, which records it). A refused action changes nothing and is not recorded, so an impostor's
 * attempt cannot use up the action id of the author's own.
 */
export async function applyVerifiedCitizenAction(engine: EngineDeps, a: CitizenAction): Promise<CitizenActionOutcome> {
  const { check } = await checkAuthor(engine.db, a);
  if (check === 'wrong-channel' || check === 'not-author') return { applied: false, reason: check };
  return applyCitizenAction(engine, { actionId: a.actionId, kind: a.kind, caseId: caseIdFor(a.messageId), rating: a.rating, comment: a.comment });
}

export type RatingAnswer =
  | { accepted: true; status: CaseStatus; repeatReviewOffered: boolean }
  | { accepted: false; reason: 'not-author' | 'not-awaiting' | 'duplicate' };
export type RepeatReviewAnswer =
  | { accepted: true; deadlineAt?: Date }
  | { accepted: false; reason: 'not-author' | 'not-awaiting' | 'rating-not-low' | 'duplicate' };

/** Who acts on a case from a channel, as the channel verified them. */
export interface ChannelActor {
  messageId: string;
  source: CitizenAction['source'];
  authorHash: string;
  channelUserId?: string;
}

/**
 * What channels call to rate an answer or ask for a repeat review and hear at once whether it counted (the Telegram
 * bot and VK answer the button press); main.ts hands it to ingest, which never imports the workflow.
 */
export interface CitizenDesk {
  rate(a: ChannelActor & { rating: number; comment?: string }): Promise<RatingAnswer>;
  requestRepeatReview(a: ChannelActor & { comment?: string }): Promise<RepeatReviewAnswer>;
}

/**
 * One action id per case, round and kind, whatever the channel: a double tap, a press on an older message's keyboard
 * or the same rating from the page and the bot count once per round; the next answer's round takes a new one.
 */
export const roundActionId = (kind: 'rating' | 'repeat', caseId: string, round: number) => `${kind}-${caseId}-r${round}`;

/** The engine's answer to a rating, as channels tell it. */
export function ratingAnswer(outcome: CitizenActionOutcome): RatingAnswer {
  if (outcome.applied) return { accepted: true, status: outcome.status, repeatReviewOffered: outcome.status === 'rated' };
  return { accepted: false, reason: outcome.reason === 'duplicate' ? 'duplicate' : 'not-awaiting' };
}

export function repeatReviewAnswer(outcome: CitizenActionOutcome): RepeatReviewAnswer {
  if (outcome.applied) return { accepted: true };
  if (outcome.reason === 'duplicate') return { accepted: false, reason: 'duplicate' };
  return { accepted: false, reason: outcome.reason === 'rating-not-low' ? 'rating-not-low' : 'not-awaiting' };
}

/** A refusal told before the engine runs: the case is not where the action fits. */
export function earlyRefusal(kind: 'rating' | 'repeat', state: { status?: string; rating?: number | null }): { accepted: false;
  reason: 'not-awaiting' | 'duplicate' | 'rating-not-low' } | undefined
{
  if (kind === 'rating') {
    if (state.status === 'answered') return undefined;
    return { accepted: false,
      reason: state.rating !== null && state.rating !== undefined && (state.status === 'rated' || state.status === 'closed') ? 'duplicate' : 'not-awaiting' };
  }
  if (state.status === 'repeat_review') return { accepted: false, reason: 'duplicate' };
  if (state.status !== 'rated') return { accepted: false, reason: 'not-awaiting' };
  return (state.rating ?? 5) > LOW_RATING_MAX ? { accepted: false, reason: 'rating-not-low' } : undefined;
}

export function createCitizenDesk(
  deps: { db: pg.Pool; now?: () => Date; reminderDaysBefore?: number[]; relay?: Pick<OutboxRelay, 'nudge'>; links?: StatusLinks; region?: RegionRules },
): CitizenDesk {
  const engine: EngineDeps = { db: deps.db, now: deps.now ?? (() => new Date()), reminderDaysBefore: deps.reminderDaysBefore, links: deps.links,
    region: deps.region };
  const nudged = <T extends { accepted: boolean }>(answer: T): T => {
    if (answer.accepted) deps.relay?.nudge();
    return answer;
  };
  return {
    async rate(input) {
      // A press that is refused records nothing (so it cannot use up the round's action id).
      const state = await checkAuthor(deps.db, input);
      if (state.check !== 'ok') return { accepted: false, reason: 'not-author' };
      const early = earlyRefusal('rating', state);
      if (early) return early as RatingAnswer;
      const caseId = caseIdFor(input.messageId);
      const outcome = await applyCitizenAction(engine, { actionId: roundActionId('rating', caseId, state.round ?? 0), kind: 'rating', caseId,
        rating: input.rating, comment: input.comment }, { onlyApplied: true });
      return nudged(ratingAnswer(outcome));
    },
    async requestRepeatReview(input) {
      const state = await checkAuthor(deps.db, input);
      if (state.check !== 'ok') return { accepted: false, reason: 'not-author' };
      const early = earlyRefusal('repeat', state);
      if (early) return early;
      const caseId = caseIdFor(input.messageId);
      const outcome = await applyCitizenAction(engine, { actionId: roundActionId('repeat', caseId, state.round ?? 0), kind: 'repeat_review_request', caseId,
        comment: input.comment }, { onlyApplied: true });
      return nudged(repeatReviewAnswer(outcome));
    },
  };
}

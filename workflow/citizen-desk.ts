/**
 * Citizens acting on their own case from a channel (a rating, a repeat-review request). Message ids are computable
 * (UUID v5 of public channel ids), so an action is applied only when the channel vouches for who acted and that
 * person is the case's author on the case's own channel: same source, same author hash (the salted hash of the
 * sender the channel verified), same chat when the case has one.
 */
import type pg from 'pg';
import type { CitizenAction } from '../lib/queues.js';
import type { RegionRules } from '../lib/region-config.js';
import { caseAuthorOf } from './store/cases.js';
import { applyCitizenAction, type CitizenActionOutcome, type EngineDeps } from './lifecycle.js';
import type { OutboxRelay } from './outbox.js';
import type { Sql } from './store/sql.js';
import { caseIdFor } from './register-case.js';

/** Why an action was refused before the case was looked at any further. */
export type AuthorCheck = 'ok' | 'no-case' | 'wrong-channel' | 'not-author';

/** Whether the acting person is the author of the case registered from `messageId`, on its channel; and the case's status. */
export async function checkAuthor(db: Sql, a: Pick<CitizenAction, 'messageId' | 'source' | 'authorHash' | 'channelUserId'>):
  Promise<{ check: AuthorCheck; status?: string; rated?: boolean }> {
  const c = await caseAuthorOf(db, caseIdFor(a.messageId));
  if (!c) return { check: 'no-case' };
  if (c.source !== a.source) return { check: 'wrong-channel' };
  if (c.author_hash !== a.authorHash) return { check: 'not-author' };
  if (a.channelUserId !== undefined && c.channel_user_id !== a.channelUserId) return { check: 'not-author' };
  return { check: 'ok', status: c.status, rated: c.rating !== null };
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

export type RatingAnswer = { accepted: true } | { accepted: false; reason: 'not-author' | 'not-awaiting' | 'duplicate' };

/**
 * What channels call to rate an answer and hear at once whether it counted (the Telegram bot answers the button
 * press); main.ts hands it to ingest, which never imports the workflow.
 */
export interface CitizenDesk {
  rate(a: { actionId: string; messageId: string; source: CitizenAction['source']; authorHash: string; channelUserId?: string; rating: number }): Promise<RatingAnswer>;
}

export function createCitizenDesk(deps: { db: pg.Pool; now?: () => Date; reminderDaysBefore?: number[]; relay?: Pick<OutboxRelay, 'nudge'>;
  region?: RegionRules }): CitizenDesk {
  const engine: EngineDeps = { db: deps.db, now: deps.now ?? (() => new Date()), reminderDaysBefore: deps.reminderDaysBefore, region: deps.region };
  return {
    async rate(input) {
      // A press that is refused records nothing (so it cannot use up the action id of a later, valid one).
      const { check, status, rated } = await checkAuthor(deps.db, input);
      if (check !== 'ok') return { accepted: false, reason: 'not-author' };
      if (status !== 'answered') return { accepted: false, reason: rated && (status === 'rated' || status === 'closed') ? 'duplicate' : 'not-awaiting' };
      const outcome = await applyCitizenAction(engine, { actionId: input.actionId, kind: 'rating', caseId: caseIdFor(input.messageId), rating: input.rating });
      if (outcome.applied) {
        deps.relay?.nudge();
        return { accepted: true };
      }
      return { accepted: false, reason: outcome.reason === 'duplicate' ? 'duplicate' : 'not-awaiting' };
    },
  };
}

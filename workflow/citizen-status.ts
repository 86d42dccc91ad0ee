/**
 * The workflow's side of the public status page (lib/citizen-status.ts): the case of a registration number shown to
 * whoever holds its token, and the citizen's rating and repeat-review request from there. The token is the proof of
 * authorship here (only the citizen's notices carry it), so the same engine rules apply as for the channels' buttons:
 * one rating per round, a repeat review after a low one.
 */
import type pg from 'pg';
import type { CaseStatusView, StatusActionResult, StatusDesk, StatusStage } from '../lib/citizen-status.js';
import { earlyRefusal, ratingAnswer, repeatReviewAnswer, roundActionId } from './citizen-desk.js';
import { applyCitizenAction, type EngineDeps } from './lifecycle.js';
import type { RegionRules } from '../lib/region-config.js';
import { attachmentLinks } from './notify.js';
import type { OutboxRelay } from './outbox.js';
import type { StatusLinks } from './status-link.js';
import { caseByNumber, publicEvents, sentAnswer, type PublicEvent, type StatusCaseRow } from './store/citizen-status.js';

/** The audit entries a citizen is told about, and how; internal steps (drafts, approvals, reassignments) stay inside. */
const STAGE_TITLES: Record<string, (e: PublicEvent) => string> = {
  registered: () => 'Сообщение зарегистрировано',
  accept: () => 'Прошло модерацию и направлено на рассмотрение',
  reject: () => 'Отклонено',
  redirect: () => 'Перенаправлено по компетенции',
  take: () => 'Принято в работу',
  assign: () => 'Принято в работу',
  'send-answer': () => 'Дан ответ',
  rate: (e) => `Ответ оценён: ${String(e.data.rating ?? '')} из 5`,
  'repeat-review-request': () => 'Начато повторное рассмотрение',
  'close-rated': () => 'Рассмотрение завершено',
  close: () => 'Рассмотрение завершено',
  'stop-repeat-review': () => 'Повторное рассмотрение прекращено, рассмотрение завершено',
};

/** Consecutive entries that read the same (an executor reassigned) are told once. */
function stagesOf(events: PublicEvent[]): StatusStage[] {
  const out: StatusStage[] = [];
  for (const e of events) {
    const title = STAGE_TITLES[e.type]!(e);
    if (out.at(-1)?.title !== title) out.push({ at: e.at, title });
  }
  return out;
}

async function viewOf(db: pg.Pool, c: StatusCaseRow): Promise<CaseStatusView> {
  const [events, answer] = await Promise.all([publicEvents(db, c.id, Object.keys(STAGE_TITLES)), sentAnswer(db, c.id)]);
  const ratedThisRound = c.status === 'rated' || c.status === 'closed';
  return {
    registrationNumber: c.registrationNumber,
    status: c.status,
    category: c.category,
    organizationName: c.organizationName,
    registeredAt: c.registeredAt,
    deadlineAt: c.deadlineAt,
    round: c.reviewCycle,
    stages: stagesOf(events),
    answer: answer ? { text: answer.text, at: answer.at, links: attachmentLinks(answer.attachments) } : undefined,
    rejectionReason: c.rejectionReason,
    rating: ratedThisRound ? c.rating : null,
    canRate: !earlyRefusal('rating', c),
    canRequestRepeatReview: !earlyRefusal('repeat', c),
  };
}

export function createStatusDesk(
  deps: { db: pg.Pool; links: StatusLinks; now?: () => Date; reminderDaysBefore?: number[]; relay?: Pick<OutboxRelay, 'nudge'>; region?: RegionRules },
): StatusDesk {
  const engine: EngineDeps = { db: deps.db, now: deps.now ?? (() => new Date()), reminderDaysBefore: deps.reminderDaysBefore, links: deps.links,
    region: deps.region };
  /** The case when the token is its own; an unknown number and a wrong token look the same from outside. */
  const authorized = async (number: string, token: string) => {
    if (number.length > 40 || token.length > 100) return undefined;
    const c = await caseByNumber(deps.db, number);
    return c && deps.links.verify(c.id, token) ? c : undefined;
  };
  const done = (answer: { accepted: true } | { accepted: false; reason: 'not-author' | 'not-awaiting' | 'duplicate' | 'rating-not-low' },
    status: string): StatusActionResult =>
  {
    if (!answer.accepted) return { ok: false, reason: answer.reason === 'not-author' ? 'not-found' : answer.reason };
    deps.relay?.nudge();
    return { ok: true, status };
  };
  return {
    async view(number, token) {
      const c = await authorized(number, token);
      return c ? viewOf(deps.db, c) : null;
    },
    async rate(number, token, rating, comment) {
      const c = await authorized(number, token);
      if (!c) return { ok: false, reason: 'not-found' };
      const early = earlyRefusal('rating', c);
      if (early) return done(early, c.status);
      const outcome = await applyCitizenAction(engine, { actionId: roundActionId('rating', c.id, c.reviewCycle), kind: 'rating', caseId: c.id, rating,
        comment }, { onlyApplied: true });
      return done(ratingAnswer(outcome), outcome.applied ? outcome.status : c.status);
    },
    async requestRepeatReview(number, token, comment) {
      const c = await authorized(number, token);
      if (!c) return { ok: false, reason: 'not-found' };
      const early = earlyRefusal('repeat', c);
      if (early) return done(early, c.status);
      const outcome = await applyCitizenAction(engine, { actionId: roundActionId('repeat', c.id, c.reviewCycle), kind: 'repeat_review_request', caseId: c.id,
        comment }, { onlyApplied: true });
      return done(repeatReviewAnswer(outcome), outcome.applied ? outcome.status : c.status);
    },
  };
}

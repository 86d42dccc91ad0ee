/**
 * A case's term after registration: recomputed when the monitoring team corrects its category (the region's deadline
 * rules decide again, with the case's reason and text) and when a moderator marks it fast-track by hand (or takes a
 * manual mark back). The term keeps its first day — registration, or the repeat-review request — and ends at
 * midnight of the region's day (lib/region-time.ts); the audit entry says why, and the reminders follow the new date.
 */
import type pg from 'pg';
import type { DeadlineDecision, RegionRules } from '../lib/region-config.js';
import { addDays, endOfLocalDate, localDate } from '../lib/region-time.js';
import { withTransaction } from '../lib/transaction.js';
import { ruDate } from './notify.js';
import { reminderCalendar, reminderDaysOf, rescheduleReminders } from './reminders.js';
import { OPEN_STATUSES } from './rules.js';
import { loadCase, type CaseRow } from './store/cases.js';
import type { Sql } from './store/sql.js';
import { recordTermChange, type RecordedChange, type Term } from './transitions.js';

export const MANUAL_FAST_TRACK = 'fast-track:manual';

/** The rule as staff read it in the case log (UI text, Russian). */
export function ruleTitle(rule: string): string {
  if (rule === 'standard') return 'стандартный срок';
  if (rule === 'fast-track:category') return 'фаст-трек по категории';
  if (rule === 'fast-track:reason') return 'фаст-трек по причине обращения';
  if (rule === MANUAL_FAST_TRACK) return 'фаст-трек, отмечен модератором';
  if (rule.startsWith('fast-track:keyword:')) return `фаст-трек по фразе «${rule.slice('fast-track:keyword:'.length)}»`;
  if (rule.startsWith('federal:')) return `срок федерального сервиса (${rule.slice('federal:'.length)})`;
  return rule;
}

/** The same first day, a new number of days: the end of the day that many days after it, in the region. */
export function termOf(c: Pick<CaseRow, 'deadlineAt' | 'deadlineDays'>, d: DeadlineDecision, timeZone: string): Term {
  const firstDay = addDays(localDate(c.deadlineAt, timeZone), -c.deadlineDays);
  return { fastTrack: d.fastTrack, deadlineDays: d.deadlineDays, deadlineRule: d.rule, federalService: d.federalService ?? null,
    deadlineAt: endOfLocalDate(addDays(firstDay, d.deadlineDays), timeZone) };
}

const sameTerm = (c: CaseRow, t: Term) => c.fastTrack === t.fastTrack && c.deadlineDays === t.deadlineDays && c.deadlineRule === t.deadlineRule;

interface TermStep {
  sql: Sql;
  c: CaseRow;
  actor: string;
  now: Date;
  region: RegionRules;
  reminderDaysBefore?: number[];
}

/** Records the new term with its reason and moves the reminders; nothing when the term is the same. */
async function applyTerm(s: TermStep, term: Term, type: string, why: string): Promise<RecordedChange | undefined> {
  if (sameTerm(s.c, term)) return undefined;
  const tz = s.region.timeZone;
  const comment = `${why}. Срок пересчитан: ${ruleTitle(term.deadlineRule)}, ${term.deadlineDays} дн., до ${ruDate(term.deadlineAt, tz)} `
    + `(было: ${ruleTitle(s.c.deadlineRule)}, ${s.c.deadlineDays} дн., до ${ruDate(s.c.deadlineAt, tz)}).`;
  const r = await recordTermChange(s.sql, s.c, { term, type, why: comment, actor: s.actor }, s.now);
  await rescheduleReminders(s.sql, r.case, s.now, { daysBefore: reminderDaysOf(s.region, s.reminderDaysBefore), calendar: reminderCalendar(s.region) });
  return r;
}

/**
 * After a category correction: the region's rules decide the term again for the new category (a manual fast-track
 * mark stands). Only while the term runs; without the rules (a workflow wired without them) nothing changes.
 */
export async function recomputeAfterCategory(s: TermStep, from: string): Promise<RecordedChange | undefined> {
  const decide = s.region.decideDeadline;
  if (!decide || !OPEN_STATUSES.includes(s.c.status) || s.c.deadlineRule === MANUAL_FAST_TRACK) return undefined;
  const decision = decide({ category: s.c.category, reason: s.c.provenance?.reason, text: s.c.messageText });
  return applyTerm(s, termOf(s.c, decision, s.region.timeZone), 'deadline_recomputed', `Категория исправлена: «${from}» → «${s.c.category}»`);
}

export type FastTrackResult = { ok: true; case: CaseRow } | { ok: false; status: 404 | 409; error: string };

/**
 * A moderator's fast-track mark: the fast-track term (never longer than the term the case has: a federal service's
 * 5 days stay 5), or, taking a manual mark back, the term the region's rules give (the standard one without them).
 */
export async function setFastTrack(db: pg.Pool,
  input: { actor: string; caseId: string; fastTrack: boolean; reason: string; expectedVersion: number; now: Date; region: RegionRules;
    reminderDaysBefore?: number[] }): Promise<FastTrackResult>
{
  return withTransaction(db, async (sql) => {
    const c = await loadCase(sql, input.caseId, true);
    if (!c) return { ok: false, status: 404, error: 'case not found' };
    if (c.version !== input.expectedVersion) return { ok: false, status: 409, error: `the case changed (version ${c.version}); reload it` };
    if (!OPEN_STATUSES.includes(c.status)) return { ok: false, status: 409, error: `the term of a case in status "${c.status}" no longer runs` };
    if (!input.fastTrack && c.deadlineRule !== MANUAL_FAST_TRACK) {
      return { ok: false, status: 409, error: "only a fast-track a moderator set by hand can be taken back; the region's rules set this one" };
    }
    const decision: DeadlineDecision = input.fastTrack
      ? { fastTrack: true, deadlineDays: Math.min(c.deadlineDays, input.region.fastTrackDays), rule: MANUAL_FAST_TRACK,
        federalService: c.federalService ?? undefined }
      : input.region.decideDeadline?.({ category: c.category, reason: c.provenance?.reason, text: c.messageText })
        ?? { fastTrack: false, deadlineDays: input.region.standardDays, rule: 'standard' };
    const why = input.fastTrack ? `Модератор отметил обращение как фаст-трек: ${input.reason}` : `Модератор снял отметку фаст-трека: ${input.reason}`;
    const step = { sql, c, actor: input.actor, now: input.now, region: input.region, reminderDaysBefore: input.reminderDaysBefore };
    const r = await applyTerm(step, termOf(c, decision, input.region.timeZone), input.fastTrack ? 'fast_track_marked' : 'fast_track_unmarked', why);
    return { ok: true, case: r?.case ?? c };
  });
}

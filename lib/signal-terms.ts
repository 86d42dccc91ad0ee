/**
 * The monitoring team's terms for signals (posts and comments that monitoring found): hours, not ПОС days. Read from
 * the `signals` section of the region config (config/region.yaml) by the workflow, which stamps each signal with its
 * reaction deadline, and validated with the rest of that file by lib/region-config.ts. Pure: a term is a
 * function of the time a post was seen, the region's time zone and its working hours.
 */
import fs from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/** `HH:MM`, 00:00–23:59. */
const clockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');
const hours = (fallback: number) => z.number().positive().max(720).default(fallback);

export const signalTermsSchema = z.object({
  /** First public reaction (an interim «взято в работу» or the answer) after the post was seen. */
  reactionHours: z.object({ default: hours(24), fastTrack: hours(8) }).prefault({}),
  /** The answer to an accepted signal, from its acceptance: the deadline of the case it becomes. */
  answerHours: z.object({ default: hours(72), fastTrack: hours(24) }).prefault({}),
  /**
   * When the monitoring team works, in the region's time zone; the clock stops outside. Absent: round the clock.
   * Same-day windows only (from before to), at least an hour long.
   */
  workingHours: z.object({ from: clockTime, to: clockTime }).refine((w) => minutesOf(w.to) - minutesOf(w.from) >= 60, {
    message: 'workingHours: from must be at least an hour before to',
  }).optional(),
  /** A complaint the detector is surer of than this becomes a case without the team; absent (the default): never. */
  autoAcceptAbove: z.number().min(0).max(1).optional(),
  /** Spike alerts: a count in the last windowHours at least factor × its usual count per window, and at least minCount. */
  spike: z.object({
    windowHours: z.number().int().min(1).max(72).default(6),
    factor: z.number().min(1).max(100).default(3),
    minCount: z.number().int().min(2).max(10_000).default(5),
    baselineDays: z.number().int().min(1).max(60).default(7),
  }).prefault({}),
});
export type SignalTerms = z.infer<typeof signalTermsSchema> & { timezone: string };

export const DEFAULT_SIGNAL_TERMS: SignalTerms = { ...signalTermsSchema.parse({}), timezone: 'Europe/Moscow' };

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** A time zone Intl knows, or an error naming it. */
export function checkTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    throw new Error(`unknown time zone "${tz}"`);
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in milliseconds (Krasnoyarsk: +7 h). */
export function zoneOffsetMs(at: number, tz: string): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric',
      minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, Number(x.value)]));
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant a local wall-clock time (given as if it were UTC) falls on in the zone. */
function fromWall(wall: number, tz: string): number {
  const guess = wall - zoneOffsetMs(wall, tz);
  return wall - zoneOffsetMs(guess, tz);
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * `start` plus `hoursOfWork` hours of the team's working time: plain hours without working hours, otherwise only the
 * minutes inside the daily window count (a post seen at 23:00 waits for the morning).
 */
export function addWorkingHours(start: Date, hoursOfWork: number, terms: Pick<SignalTerms, 'workingHours' | 'timezone'>): Date {
  const w = terms.workingHours;
  if (!w) return new Date(start.getTime() + hoursOfWork * 3600_000);
  const from = minutesOf(w.from) * MINUTE;
  const to = minutesOf(w.to) * MINUTE;
  let left = Math.round(hoursOfWork * 3600_000);
  let wall = start.getTime() + zoneOffsetMs(start.getTime(), terms.timezone);
  // Each turn finishes the term today or moves to the next working day: at most one turn per day of the term.
  for (;;) {
    const day = Math.floor(wall / DAY) * DAY;
    const inDay = wall - day;
    if (inDay >= to) {
      wall = day + DAY + from;
      continue;
    }
    if (inDay < from) wall = day + from;
    const open = day + to - wall;
    if (left <= open) return new Date(fromWall(wall + left, terms.timezone));
    left -= open;
    wall = day + DAY + from;
  }
}

export type SignalKind = 'complaint' | 'question' | 'other';

/** When the team must first react to a signal; `other` (thanks, banter) has no term. */
export function reactionDueAt(receivedAt: Date, s: { kind: string; fastTrack: boolean }, terms: SignalTerms): Date | null {
  if (s.kind !== 'complaint' && s.kind !== 'question') return null;
  return addWorkingHours(receivedAt, s.fastTrack ? terms.reactionHours.fastTrack : terms.reactionHours.default, terms);
}

/** The answer's deadline for a signal accepted at `acceptedAt` (the deadline of the case it becomes). */
export function answerDueAt(acceptedAt: Date, fastTrack: boolean, terms: SignalTerms): Date {
  return addWorkingHours(acceptedAt, fastTrack ? terms.answerHours.fastTrack : terms.answerHours.default, terms);
}

/** The `signals` section and `timezone` of a region config text. */
export function parseSignalTerms(yamlText: string, origin = 'region config'): SignalTerms {
  const doc = (parse(yamlText) ?? {}) as { signals?: unknown; timezone?: unknown };
  const parsed = signalTermsSchema.safeParse(doc.signals ?? {});
  if (!parsed.success) {
    throw new Error(`${origin} is invalid: ${parsed.error.issues.map((i) => `signals.${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const timezone = typeof doc.timezone === 'string' ? doc.timezone : DEFAULT_SIGNAL_TERMS.timezone;
  try {
    checkTimeZone(timezone);
  } catch (err) {
    throw new Error(`${origin} is invalid: timezone: ${(err as Error).message}`, { cause: err });
  }
  return { ...parsed.data, timezone };
}

export function loadSignalTerms(path: string): SignalTerms {
  return parseSignalTerms(fs.readFileSync(path, 'utf8'), path);
}

/**
 * The region's calendar: wall-clock dates and times in its IANA zone, computed with Intl (no zone data of our own).
 * ПОС counts terms in calendar days of the region, so «до 03.01.2027» means until the end of that day there, and
 * every date staff or citizens read is printed in that zone, not in the server's or in UTC.
 */
import { DAY_MS } from './time.js';

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
      second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date and time in the zone at this instant. */
export function localParts(at: Date, timeZone: string): LocalDateTime {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(timeZone).formatToParts(at)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute!, second: out.second! };
}

/** How far the zone's wall clock is ahead of UTC at this instant, in ms. */
function offsetMs(at: number, timeZone: string): number {
  const p = localParts(new Date(at), timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at / 1000) * 1000;
}

/**
 * The instant the zone's clock shows this wall-clock time. Day, hour and minute may overflow (day 32 is the 1st of
 * the next month). A time skipped by a clock change resolves to the same clock time after the change.
 */
export function zonedInstant(t: LocalDate & { hour?: number; minute?: number; second?: number; ms?: number }, timeZone: string): Date {
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour ?? 0, t.minute ?? 0, t.second ?? 0, t.ms ?? 0);
  const first = asUtc - offsetMs(asUtc, timeZone);
  return new Date(asUtc - offsetMs(first, timeZone));
}

/** The local date `days` calendar days after (or before) the given one. */
export function addDays(d: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

export const localDate = (at: Date, timeZone: string): LocalDate => {
  const p = localParts(at, timeZone);
  return { year: p.year, month: p.month, day: p.day };
};

/** Whole calendar days from a's local date to b's (negative when b's date is earlier). */
export function calendarDaysBetween(a: Date, b: Date, timeZone: string): number {
  const x = localDate(a, timeZone);
  const y = localDate(b, timeZone);
  return Math.round((Date.UTC(y.year, y.month - 1, y.day) - Date.UTC(x.year, x.month - 1, x.day)) / DAY_MS);
}

/** The last millisecond of a local date: a term «до 03.01» runs to 23:59:59.999 of the 3rd in the region. */
export const endOfLocalDate = (d: LocalDate, timeZone: string): Date => new Date(zonedInstant({ ...addDays(d, 1) }, timeZone).getTime() - 1);

/**
 * A term of `days` calendar days from `from`: it runs to the end of the `days`-th day after the day of `from` in the
 * region (the day itself does not count, as a term in days is counted under Russian civil law, ГК РФ ст. 191, 194).
 * Registered 4 Dec 14:05 with 30 days: due 3 Jan 23:59:59.999 region time.
 */
export const termEnd = (from: Date, days: number, timeZone: string): Date => endOfLocalDate(addDays(localDate(from, timeZone), days), timeZone);

/** `HH:MM` on a local date, as an instant. */
export function atClockTime(d: LocalDate, time: string, timeZone: string): Date {
  const [hour, minute] = time.split(':').map(Number);
  return zonedInstant({ ...d, hour: hour!, minute: minute! }, timeZone);
}

/**
 * The latest of the daily times (HH:MM, sorted) at or before `at` in the region: the digest slot an instant belongs to.
 * Before the first time of a day it is the last time of the day before.
 */
export function latestSlot(at: Date, times: readonly string[], timeZone: string): Date {
  const today = localDate(at, timeZone);
  for (const day of [today, addDays(today, -1)]) {
    for (let i = times.length - 1; i >= 0; i--) {
      const slot = atClockTime(day, times[i]!, timeZone);
      if (slot.getTime() <= at.getTime()) return slot;
    }
  }
  return atClockTime(addDays(today, -1), times[0]!, timeZone);
}

/** A date of a URL or a form, `2026-12-04`, as a local date (already validated as YYYY-MM-DD). */
export function parseIsoDay(day: string): LocalDate {
  const [year, month, date] = day.split('-').map(Number);
  return { year: year!, month: month!, day: date! };
}

export const isoDay = (d: LocalDate): string => `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

/** 03.01.2027 in the region. */
export const formatDate = (at: Date, timeZone: string) => at.toLocaleDateString('ru-RU', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' });

/** 03.01.2027, 14:05 in the region. */
export const formatDateTime = (at: Date, timeZone: string) =>
  at.toLocaleString('ru-RU', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });

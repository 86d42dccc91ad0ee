/**
 * Russian numbers and dates for every page, on the server and in the browser alike (the client scripts bundle this
 * module), and for the Russian text the workflow writes (the case log, the threshold history): «34,9 %», «1 234»,
 * «4 дек. 2026, 14:05» in the region's time zone — never «0.3488» or raw UTC.
 */

/** The zone pages use when the region config names none. */
export const DEFAULT_TIME_ZONE = 'Europe/Moscow';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${withTime}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('ru-RU', { timeZone, day: 'numeric', month: 'short', year: 'numeric',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}) });
    formatters.set(key, f);
  }
  return f;
}

/** The parts of a moment in the zone; `undefined` for a value that is not a date. */
function parts(value: string | number | Date, timeZone: string, withTime: boolean): Record<string, string> | undefined {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return undefined;
  let f: Intl.DateTimeFormat;
  try {
    f = formatter(timeZone, withTime);
  } catch {
    f = formatter(DEFAULT_TIME_ZONE, withTime);
  }
  return Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
}

/** «4 дек. 2026, 14:05» in the zone (without the «г.» Intl adds). */
export function ruDateTime(value: string | number | Date, timeZone = DEFAULT_TIME_ZONE): string {
  const p = parts(value, timeZone, true);
  return p ? `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute}` : '—';
}

/** «4 дек. 2026» in the zone. */
export function ruDay(value: string | number | Date, timeZone = DEFAULT_TIME_ZONE): string {
  const p = parts(value, timeZone, false);
  return p ? `${p.day} ${p.month} ${p.year}` : '—';
}

/** A calendar day «2026-12-04» as «4 дек. 2026» (a day has no zone). */
export function ruCalendarDay(day: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? ruDay(`${day}T12:00:00Z`, 'UTC') : day;
}

const numbers = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 1 });

/** «1 234», «3,5». */
export function ruNumber(n: number): string {
  return Number.isFinite(n) ? numbers.format(n) : '—';
}

/** A share 0…1 as «34,9 %». */
export function ruPercent(share: number, fractionDigits = 1): string {
  if (!Number.isFinite(share)) return '—';
  return new Intl.NumberFormat('ru-RU', { style: 'percent', maximumFractionDigits: fractionDigits, minimumFractionDigits: 0 }).format(share);
}

/** A value already in per cent (0…100) as «34,9 %». */
export const ruPercentOf100 = (pct: number, fractionDigits = 1) => ruPercent(pct / 100, fractionDigits);

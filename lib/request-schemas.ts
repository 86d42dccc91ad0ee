/**
 * Request values that must also be values the stores accept. An integer above PostgreSQL's `integer` or a time zone
 * offset PostgreSQL refuses passed zod and failed inside the query, answering 500 (a fuzzer found
 * `/routing/table/versions/2147483648` and `?from=2026-01-01T00:00:00+16:00`): these schemas refuse them as 400s.
 */
import { z } from 'zod';

/** PostgreSQL `integer`. */
export const PG_INT_MIN = -2_147_483_648;
export const PG_INT_MAX = 2_147_483_647;

/** An integer in a JSON body that fits PostgreSQL's `integer` (chain `.min()` / `.max()` for narrower ranges). */
export const pgInt = z.number().int().min(PG_INT_MIN).max(PG_INT_MAX);

/** The same from a path or query string, where it arrives as text. */
export const pgIntParam = z.coerce.number().int().min(PG_INT_MIN).max(PG_INT_MAX);

/** UTC offsets in use run from −12:00 to +14:00; PostgreSQL refuses ±16:00 and beyond. */
const MAX_OFFSET_MINUTES = 14 * 60;

/** The minutes of a zod-validated date-time's offset (`Z` or `±HH:MM` at its end). */
function offsetMinutes(iso: string): number {
  if (iso.endsWith('Z')) return 0;
  return Number(iso.slice(-5, -3)) * 60 + Number(iso.slice(-2));
}

/** Year 0000 passes the ISO pattern but is no year PostgreSQL (or the calendar) has. */
const hasYear = (iso: string) => Number(iso.slice(0, 4)) >= 1;

/** An ISO 8601 date-time with a UTC offset (`2026-11-20T09:00:00+07:00`) that PostgreSQL stores as given. */
export const isoDateTime = z.iso.datetime({ offset: true })
  .refine((v) => offsetMinutes(v) <= MAX_OFFSET_MINUTES, 'the UTC offset must be within ±14:00')
  .refine(hasYear, 'the year must be 0001 or later');

/** An ISO 8601 calendar date (`2026-11-20`). */
export const isoDay = z.iso.date().refine(hasYear, 'the year must be 0001 or later');

/** Either of the two: what date filters take. */
export const isoDateOrDateTime = isoDateTime.or(isoDay);

/**
 * A channel's Unix time in seconds (VK, Telegram), from 1970 to the end of year 9999: beyond it `new Date(s * 1000)`
 * is no date at all (toISOString throws) or one no store keeps.
 */
export const unixSeconds = z.number().int().min(0).max(253_402_300_799);

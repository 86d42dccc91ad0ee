import { describe, expect, it } from 'vitest';
import { parseRegionConfig } from './region-config.js';
import { addDays, calendarDaysBetween, formatDate, formatDateTime, latestSlot, localParts, termEnd, zonedInstant } from './region-time.js';

const KRSK = 'Asia/Krasnoyarsk';

describe('the region calendar', () => {
  it('counts a term to the end of the last calendar day in the region, not 30×24 h from the minute of registration', () => {
    // 4 Dec 14:05 in Krasnoyarsk (UTC+7) is 07:05 UTC.
    const registered = new Date('2026-12-04T07:05:00Z');
    expect(termEnd(registered, 30, KRSK).toISOString()).toBe('2027-01-03T16:59:59.999Z');
    expect(formatDate(termEnd(registered, 30, KRSK), KRSK)).toBe('03.01.2027');
    // Registered at 01:00 local on the 5th: still 4 Dec in UTC, but the region's day is the 5th.
    expect(termEnd(new Date('2026-12-04T18:00:00Z'), 10, KRSK).toISOString()).toBe('2026-12-15T16:59:59.999Z');
    expect(termEnd(new Date('2026-12-04T18:00:00Z'), 10, 'Europe/Moscow').toISOString()).toBe('2026-12-14T20:59:59.999Z');
  });

  it('prints dates and times in the region, not in UTC', () => {
    const at = new Date('2026-12-04T18:30:00Z');
    expect(formatDate(at, KRSK)).toBe('05.12.2026');
    expect(formatDate(at, 'UTC')).toBe('04.12.2026');
    expect(formatDateTime(at, KRSK)).toBe('05.12.2026, 01:30');
  });

  it('finds wall-clock instants across month ends and clock changes', () => {
    expect(zonedInstant({ year: 2026, month: 12, day: 32, hour: 9 }, KRSK).toISOString()).toBe('2027-01-01T02:00:00.000Z');
    expect(localParts(new Date('2027-01-01T02:00:00Z'), KRSK)).toMatchObject({ year: 2027, month: 1, day: 1, hour: 9, minute: 0 });
    // Berlin leaves summer time on 25 Oct 2026 at 03:00: 09:00 that day is UTC+1.
    expect(zonedInstant({ year: 2026, month: 10, day: 25, hour: 9 }, 'Europe/Berlin').toISOString()).toBe('2026-10-25T08:00:00.000Z');
    expect(zonedInstant({ year: 2026, month: 10, day: 24, hour: 9 }, 'Europe/Berlin').toISOString()).toBe('2026-10-24T07:00:00.000Z');
    expect(addDays({ year: 2028, month: 2, day: 28 }, 1)).toEqual({ year: 2028, month: 2, day: 29 });
  });

  it('counts calendar days between instants in the region', () => {
    expect(calendarDaysBetween(new Date('2026-12-04T16:00:00Z'), new Date('2026-12-04T18:00:00Z'), KRSK)).toBe(1);
    expect(calendarDaysBetween(new Date('2026-12-04T16:00:00Z'), new Date('2026-12-04T18:00:00Z'), 'UTC')).toBe(0);
  });

  it('finds the digest slot an instant belongs to', () => {
    const times = ['09:00', '14:00'];
    expect(latestSlot(new Date('2026-12-04T02:03:00Z'), times, KRSK).toISOString()).toBe('2026-12-04T02:00:00.000Z');
    expect(latestSlot(new Date('2026-12-04T08:00:00Z'), times, KRSK).toISOString()).toBe('2026-12-04T07:00:00.000Z');
    // 08:00 local: the day's first digest has not come, so it is the day before's afternoon one.
    expect(latestSlot(new Date('2026-12-04T01:00:00Z'), times, KRSK).toISOString()).toBe('2026-12-03T07:00:00.000Z');
  });
});

describe('parseRegionConfig', () => {
  it('reads the zone and the digest times, with defaults, and refuses unknown zones and bad times', () => {
    const c = parseRegionConfig('region: Край\ntimezone: Asia/Krasnoyarsk\ndigests: ["14:00", "09:00"]\n');
    expect(c).toMatchObject({ timezone: KRSK, digests: ['09:00', '14:00'], standardDays: 30, fastTrackDays: 10 });
    expect(parseRegionConfig('region: Край\n')).toMatchObject({ timezone: 'Europe/Moscow', digests: ['09:00', '14:00'] });
    expect(() => parseRegionConfig('region: Край\ntimezone: Mars/Olympus\n')).toThrow(/unknown time zone/);
    expect(() => parseRegionConfig('region: Край\ndigests: ["9:00"]\n')).toThrow(/HH:MM/);
    expect(() => parseRegionConfig('region: Край\ndigests: ["24:00"]\n')).toThrow(/HH:MM/);
  });
});

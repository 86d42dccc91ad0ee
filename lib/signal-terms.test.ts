import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addWorkingHours, answerDueAt, DEFAULT_SIGNAL_TERMS, loadSignalTerms, parseSignalTerms, reactionDueAt, zoneOffsetMs } from './signal-terms.js';

const krsk = { ...DEFAULT_SIGNAL_TERMS, timezone: 'Asia/Krasnoyarsk' };

describe('signal terms', () => {
  it('defaults to 24 h, 8 h for fast-tracks, no term for other, round the clock', () => {
    const seen = new Date('2026-11-20T16:30:00Z');
    expect(reactionDueAt(seen, { kind: 'complaint', fastTrack: false }, krsk)?.toISOString()).toBe('2026-11-21T16:30:00.000Z');
    expect(reactionDueAt(seen, { kind: 'question', fastTrack: true }, krsk)?.toISOString()).toBe('2026-11-21T00:30:00.000Z');
    expect(reactionDueAt(seen, { kind: 'other', fastTrack: true }, krsk)).toBeNull();
    expect(answerDueAt(seen, false, krsk).toISOString()).toBe('2026-11-23T16:30:00.000Z');
  });

  it('knows the offset of the region', () => {
    expect(zoneOffsetMs(Date.parse('2026-11-20T12:00:00Z'), 'Asia/Krasnoyarsk')).toBe(7 * 3600_000);
    expect(zoneOffsetMs(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe(2 * 3600_000);
    expect(zoneOffsetMs(Date.parse('2026-01-01T12:00:00Z'), 'Europe/Berlin')).toBe(1 * 3600_000);
  });

  it("stops the clock outside working hours, counted in the region's time zone", () => {
    const terms = { ...krsk, workingHours: { from: '09:00', to: '18:00' } };
    // 19:00 in Krasnoyarsk (12:00 UTC): after hours, the 8 hours start at 09:00 local the next morning → 17:00 local.
    expect(addWorkingHours(new Date('2026-11-20T12:00:00Z'), 8, terms).toISOString()).toBe('2026-11-21T10:00:00.000Z');
    // 16:00 local: two hours today, six tomorrow → 15:00 local the next day.
    expect(addWorkingHours(new Date('2026-11-20T09:00:00Z'), 8, terms).toISOString()).toBe('2026-11-21T08:00:00.000Z');
    // 05:00 local: waits for 09:00, then 24 working hours are two days and a bit → 15:00 local on the third day.
    expect(addWorkingHours(new Date('2026-11-19T22:00:00Z'), 24, terms).toISOString()).toBe('2026-11-22T08:00:00.000Z');
    // The same instant in Moscow (UTC+3) is 15:00 there: three hours today, five tomorrow → 14:00 Moscow time.
    expect(addWorkingHours(new Date('2026-11-20T12:00:00Z'), 8, { ...terms, timezone: 'Europe/Moscow' }).toISOString()).toBe('2026-11-21T11:00:00.000Z');
  });

  it('reads the signals section of the region file and refuses nonsense', () => {
    const terms = parseSignalTerms('timezone: Asia/Krasnoyarsk\nsignals:\n  reactionHours: { default: 12, fastTrack: 4 }\n  autoAcceptAbove: 0.9\n');
    expect(terms).toMatchObject({ timezone: 'Asia/Krasnoyarsk', reactionHours: { default: 12, fastTrack: 4 }, answerHours: { default: 72 },
      autoAcceptAbove: 0.9 });
    expect(() => parseSignalTerms('signals:\n  reactionHours: { default: -1 }\n')).toThrow(/signals\.reactionHours\.default/);
    expect(() => parseSignalTerms('signals:\n  workingHours: { from: "18:00", to: "09:00" }\n')).toThrow(/workingHours/);
    expect(() => parseSignalTerms('timezone: Mars/Olympus\n')).toThrow(/unknown time zone/);
    expect(parseSignalTerms('region: X\n').autoAcceptAbove).toBeUndefined();
  });

  it('ships the defaults the issue asks for in config/region.yaml', () => {
    expect(fs.existsSync('config/region.yaml')).toBe(true);
    const terms = loadSignalTerms('config/region.yaml');
    expect(terms.reactionHours).toEqual({ default: 24, fastTrack: 8 });
    expect(terms.autoAcceptAbove).toBeUndefined();
    expect(terms.timezone).toBe('Asia/Krasnoyarsk');
  });
});

import { describe, expect, it } from 'vitest';
import { isoDateOrDateTime, isoDateTime, isoDay, PG_INT_MAX, PG_INT_MIN, pgInt, pgIntParam } from './request-schemas.js';

const ok = (schema: { safeParse(v: unknown): { success: boolean } }, v: unknown) => schema.safeParse(v).success;

describe('request schemas PostgreSQL can store', () => {
  it("integers within PostgreSQL's integer, from JSON and from text", () => {
    expect(ok(pgInt, PG_INT_MAX)).toBe(true);
    expect(ok(pgInt, PG_INT_MIN)).toBe(true);
    expect(ok(pgInt, PG_INT_MAX + 1)).toBe(false);
    expect(ok(pgInt, PG_INT_MIN - 1)).toBe(false);
    expect(ok(pgInt, 1.5)).toBe(false);
    expect(pgIntParam.parse('2147483647')).toBe(2147483647);
    for (const v of ['2147483648', '-2147483649', '9007199254740993', '1e10', 'abc']) expect(ok(pgIntParam, v), v).toBe(false);
    expect(ok(pgIntParam.min(1), '0')).toBe(false);
  });

  it('date-times with offsets from −14:00 to +14:00, none beyond', () => {
    for (const v of ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00+14:00', '2026-01-01T00:00:00-14:00', '2026-11-20T09:15:00.123+07:00',
      '0001-01-01T00:00:00Z'])
    {
      expect(ok(isoDateTime, v), v).toBe(true);
    }
    for (const v of ['2026-01-01T00:00:00+16:00', '2026-01-01T00:00:00+14:01', '2026-01-01T00:00:00-15:00', '0000-01-01T00:00:00Z', '2026-01-01T00:00:00',
      '2026-01-01'])
    {
      expect(ok(isoDateTime, v), v).toBe(false);
    }
    expect(isoDateTime.safeParse('2026-01-01T00:00:00+16:00').error?.issues[0]?.message).toMatch(/±14:00/);
  });

  it('calendar dates from year 0001, and either form where a filter takes both', () => {
    expect(ok(isoDay, '0001-01-01')).toBe(true);
    expect(ok(isoDay, '0000-01-01')).toBe(false);
    expect(ok(isoDay, '2026-02-30')).toBe(false);
    expect(ok(isoDateOrDateTime, '2026-01-31')).toBe(true);
    expect(ok(isoDateOrDateTime, '2026-01-31T10:00:00+03:00')).toBe(true);
    expect(ok(isoDateOrDateTime, '2026-01-01T00:00:00+16:00')).toBe(false);
  });
});

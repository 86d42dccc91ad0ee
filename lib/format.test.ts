import { describe, expect, it } from 'vitest';
import { ruCalendarDay, ruDateTime, ruDay, ruNumber, ruPercent, ruPercentOf100 } from './format.js';

describe('Russian formats', () => {
  it('prints moments in the region time zone, not UTC', () => {
    // 07:05 UTC is 14:05 in Krasnoyarsk (UTC+7).
    expect(ruDateTime('2026-12-04T07:05:00Z', 'Asia/Krasnoyarsk')).toBe('4 дек. 2026, 14:05');
    expect(ruDay('2026-12-04T20:00:00Z', 'Asia/Krasnoyarsk')).toBe('5 дек. 2026');
    expect(ruCalendarDay('2026-01-31')).toBe('31 янв. 2026');
  });

  it('prints shares and numbers with Russian separators', () => {
    expect(ruPercent(0.3488).replace(/\s/g, ' ')).toBe('34,9 %');
    expect(ruPercentOf100(50).replace(/\s/g, ' ')).toBe('50 %');
    expect(ruNumber(12345.67).replace(/\s/g, ' ')).toBe('12 345,7');
  });

  it('says «—» for what is not a date or a number', () => {
    expect(ruDateTime('not a date')).toBe('—');
    expect(ruPercent(Number.NaN)).toBe('—');
  });
});

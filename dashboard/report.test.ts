import { describe, expect, it } from 'vitest';
import { dashboardFilters, toQueryFilters } from './panel-data.js';
import { kpiCards, reportTable, shareCell, weekRange } from './report.js';

const spaces = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('weekly report in Russian formats', () => {
  it('shows the share answered on time with a comma and a spaced per cent sign', () => {
    const html = spaces(kpiCards({ messages: 12345, cases: 40, overdue: 3, onTimeShare: 34.9 }));
    expect(html).toContain('id="kpi-ontime">34,9 %<');
    expect(html).toContain('id="kpi-messages">12 345<');
    expect(html).not.toMatch(/\d%|34\.9/);
  });

  it('prints shares, hours and ratios of its tables as Russian numbers, text as text', () => {
    const categories = spaces(
      reportTable([['category', 'Категория'], ['messages', 'Сообщений'], ['share', 'Доля']], [{ category: 'Дороги', messages: 1500, share: 0.3488 }],
        shareCell),
    );
    expect(categories).toContain('<td>Дороги</td><td>1 500</td><td>34,9 %</td>');
    const sla = spaces(
      reportTable([['organization', 'Организация'], ['medianHours', 'Медиана, ч'], ['ratio', 'Рост, раз']], [{ organization: 'Школа № 5 <b>',
        medianHours: '12.5', ratio: 2.25 }]),
    );
    expect(sla).toContain('<td>Школа № 5 &lt;b&gt;</td><td>12,5</td><td>2,3</td>');
  });
});

describe("the weekly report's days are the region's days", () => {
  // 3 Dec 18:30 UTC is 4 Dec 01:30 in Krasnoyarsk (UTC+7): the region's «today» is the 4th.
  const lateEvening = new Date('2026-12-03T18:30:00.000Z');

  it('ends the default week with today in the region, not in UTC', () => {
    expect(weekRange(undefined, lateEvening, 'Asia/Krasnoyarsk')).toEqual({ from: '2026-11-28', to: '2026-12-05' });
    expect(weekRange(undefined, lateEvening, 'UTC')).toEqual({ from: '2026-11-27', to: '2026-12-04' });
    // A month and a year boundary; an explicit end stays as asked.
    expect(weekRange('2027-01-03', lateEvening, 'Asia/Krasnoyarsk')).toEqual({ from: '2026-12-27', to: '2027-01-03' });
  });

  it("bounds the days at the region's midnight", () => {
    const f = toQueryFilters(dashboardFilters.parse({ from: '2026-11-28', to: '2026-12-05' }), 'Asia/Krasnoyarsk');
    expect({ from: f.from, to: f.to }).toEqual({ from: '2026-11-27 17:00:00.000', to: '2026-12-04 17:00:00.000' });
    const moscow = toQueryFilters(dashboardFilters.parse({ from: '2026-11-28' }), 'Europe/Moscow');
    expect(moscow.from).toBe('2026-11-27 21:00:00.000');
    // The zone goes with the range: the volume panel groups by the region's days too.
    expect(f.timeZone).toBe('Asia/Krasnoyarsk');
    // Without a zone: UTC days.
    expect(toQueryFilters(dashboardFilters.parse({ from: '2026-11-28' })).from).toBe('2026-11-28 00:00:00.000');
  });
});

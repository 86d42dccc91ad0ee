import { describe, expect, it } from 'vitest';
import { kpiCards, reportTable, shareCell } from './report.js';

const spaces = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('weekly report in Russian formats', () => {
  it('shows the share answered on time with a comma and a spaced per cent sign', () => {
    const html = spaces(kpiCards({ messages: 12345, cases: 40, overdue: 3, onTimeShare: 34.9 }));
    expect(html).toContain('id="kpi-ontime">34,9 %<');
    expect(html).toContain('id="kpi-messages">12 345<');
    expect(html).not.toMatch(/\d%|34\.9/);
  });

  it('prints shares, hours and ratios of its tables as Russian numbers, text as text', () => {
    const categories = spaces(reportTable([['category', 'Категория'], ['messages', 'Сообщений'], ['share', 'Доля']],
      [{ category: 'Дороги', messages: 1500, share: 0.3488 }], shareCell));
    expect(categories).toContain('<td>Дороги</td><td>1 500</td><td>34,9 %</td>');
    const sla = spaces(reportTable([['organization', 'Организация'], ['medianHours', 'Медиана, ч'], ['ratio', 'Рост, раз']],
      [{ organization: 'Школа № 5 <b>', medianHours: '12.5', ratio: 2.25 }]));
    expect(sla).toContain('<td>Школа № 5 &lt;b&gt;</td><td>12,5</td><td>2,3</td>');
  });
});

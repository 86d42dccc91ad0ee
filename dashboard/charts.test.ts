import { describe, expect, it } from 'vitest';
import { drillUrl, fillDays, kpis, panelOption, PANELS, tileLayout, TILE_COLUMNS } from './charts.js';
import { safeNext, homeFor, cookieValue } from './session.js';
import { escapeHtml } from './html.js';

const MUNIS = [
  { id: 'b', name: 'Березовский район', kind: 'municipal_district' },
  { id: 'k', name: 'город Красноярск', kind: 'city_okrug' },
  { id: 'a', name: 'город Ачинск', kind: 'city_okrug' },
  { id: 'ab', name: 'Абанский район', kind: 'municipal_district' },
];

type Series = { data: { value: unknown; drill?: Record<string, string> }[]; name: string };

describe('tile map layout', () => {
  it('puts city okrugs first, then districts, alphabetically, wrapping rows', () => {
    const tiles = tileLayout(MUNIS);
    expect(tiles.map((t) => t.name)).toEqual(['город Ачинск', 'город Красноярск', 'Абанский район', 'Березовский район']);
    expect(tiles[1]).toEqual({ name: 'город Красноярск', x: 1, y: 0 });
    const many = tileLayout(Array.from({ length: TILE_COLUMNS + 1 }, (_, i) => ({ id: String(i), name: `р${String(i).padStart(2, '0')}`, kind: 'x' })));
    expect(many.at(-1)).toMatchObject({ x: 0, y: 1 });
  });

  it('colours each municipality by its total and drills into it; unknown names are counted apart', () => {
    const rows = [
      { period: '2026-11-01', value: 'город Ачинск', messages: 3 },
      { period: '2026-10-01', value: 'город Ачинск', messages: 2 },
      { period: '2026-11-01', value: 'Нигдевск', messages: 4 },
    ];
    const option = panelOption('municipalities', rows, { municipalities: MUNIS }) as { series: Series[]; title: { text: string } };
    const achinsk = option.series[0]!.data.find((d) => d.drill?.municipality === 'город Ачинск')!;
    expect(achinsk.value).toEqual([0, 0, 5]);
    expect(option.title.text).toContain('4');
  });
});

describe('panel options', () => {
  it('every panel builds an option from empty rows', () => {
    for (const p of PANELS) expect(panelOption(p, [], {})).toHaveProperty('series');
  });

  it('SLA bars carry the organization and the overdue drill; names come from the context', () => {
    const rows = [{ organization: 'org-1', category: '', cases: 5, answered: 2, answeredOnTime: 1, overdueNow: 2, onTimeShare: 0.25, medianHours: 3,
      p90Hours: 9 }];
    const o = panelOption('sla', rows, { orgNames: { 'org-1': 'Администрация Ачинска' } }) as { series: Series[]; yAxis: { data: string[] } };
    expect(o.yAxis.data).toEqual(['Администрация Ачинска']);
    const overdue = o.series.find((s) => s.name === 'Просрочено сейчас')!;
    expect(overdue.data[0]).toEqual({ value: 2, drill: { organizationId: 'org-1', overdue: 'true' } });
    const late = o.series.find((s) => s.name === 'Отвечено с опозданием')!;
    expect(late.data[0]!.value).toBe(1);
    const open = o.series.find((s) => s.name === 'В работе')!;
    expect(open.data[0]!.value).toBe(1);
  });

  it('volume lines have one point per period and source, zero where nothing came', () => {
    const rows = [{ period: '2026-11-01 00:00:00', value: 'vk', messages: 2 }, { period: '2026-11-02 00:00:00', value: 'telegram', messages: 1 }];
    const o = panelOption('volume', rows) as { series: Series[]; xAxis: { data: string[] } };
    expect(o.xAxis.data).toEqual(['2026-11-01', '2026-11-02']);
    expect(o.series.map((s) => s.name)).toEqual(['ВКонтакте', 'Telegram']);
    expect(o.series[0]!.data.map((d) => d.value)).toEqual([2, 0]);
    expect(o.series[0]!.data[0]!.drill).toEqual({ source: 'vk', from: '2026-11-01' });
  });

  it('names every source in Russian, the networks added later included', () => {
    const rows = ['contact_center', 'vk', 'telegram', 'max', 'ok', 'widget'].map((value) => ({ period: '2026-11-01 00:00:00', value, messages: 1 }));
    const o = panelOption('sources', rows) as { series: { data: { name: string }[] }[] };
    expect(o.series[0]!.data.map((d) => d.name).sort()).toEqual(
      ['MAX', 'Telegram', 'ВКонтакте', 'Виджет на сайте', 'Контакт-центр 122', 'Одноклассники'].sort(),
    );
  });

  it('draws quiet days as zero between the first and the last day', () => {
    expect(fillDays(['2026-02-27', '2026-03-02'])).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(fillDays(['2026-11-01'])).toEqual(['2026-11-01']);
  });

  it('headline figures sum the SLA rows', () => {
    const sla = [{ cases: 3, answered: 2, answeredOnTime: 1, overdueNow: 2 }, { cases: 1, answered: 1, answeredOnTime: 1, overdueNow: 0 }];
    expect(kpis(sla, [{ messages: 7 }])).toEqual({ messages: 7, cases: 4, overdue: 2, onTimeShare: 40 });
  });
});

describe('drill-down URLs', () => {
  it('keep the dashboard filters and add the clicked element', () => {
    const url = new URL(drillUrl({ organizationId: 'o1', overdue: 'true' }, { municipality: 'город Ачинск', from: '2026-11-01' }), 'http://x');
    expect(url.pathname).toBe('/cases');
    expect(Object.fromEntries(url.searchParams)).toEqual({ municipality: 'город Ачинск', from: '2026-11-01', organizationId: 'o1', overdue: 'true' });
  });

  it('turn a clicked day into a one-day range and skip empty values', () => {
    const url = new URL(drillUrl({ source: 'vk', from: '2026-11-30', organizationId: '' }, {}), 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({ source: 'vk', from: '2026-11-30', to: '2026-12-01' });
  });
});

describe('sessions and escaping', () => {
  it('only local paths are followed after login', () => {
    expect(safeNext('/analytics?municipality=x')).toBe('/analytics?municipality=x');
    for (const bad of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', 42, undefined]) {
      expect(safeNext(bad)).toBeUndefined();
    }
  });

  it('each kind of user lands on their page', () => {
    expect(homeFor({ id: '1', login: 'm', displayName: 'M', roles: [{ role: 'moderator', organizationId: null }] })).toBe('/inbox');
    expect(homeFor({ id: '1', login: 'e', displayName: 'E', roles: [{ role: 'executor', organizationId: 'o' }] })).toBe('/desk');
    expect(homeFor({ id: '1', login: 'a', displayName: 'A', roles: [{ role: 'administrator', organizationId: null }] })).toBe('/admin');
  });

  it('reads one cookie among several, tolerating bad encoding', () => {
    const req = (cookie: string) => ({ get: (h: string) => (h === 'cookie' ? cookie : undefined) }) as never;
    expect(cookieValue(req('a=1; otklik_token=abc%2Fd; b=2'), 'otklik_token')).toBe('abc/d');
    expect(cookieValue(req('otklik_token=%E0%A4%A'), 'otklik_token')).toBeUndefined();
    expect(cookieValue(req(''), 'otklik_token')).toBeUndefined();
  });

  it('escapes markup in text and attributes', () => {
    expect(escapeHtml('<img src=x onerror="a">\'')).toBe('&lt;img src=x onerror=&quot;a&quot;&gt;&#39;');
  });
});

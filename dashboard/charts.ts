/**
 * ECharts options of the officials' dashboard, built from the analytics API's rows. Pure and DOM-free: the browser
 * draws them (and exports PNG), the server renders the very same options to SVG and into the weekly report, so an
 * exported panel always looks like the one on screen.
 */
import { SOURCE_LABELS } from '../lib/sources.js';
import { DAY_MS } from '../lib/time.js';

/** A panel's row as the analytics queries return it. */
export type { Row } from '../analytics/queries.js';
import type { Row } from '../analytics/queries.js';

export const SOURCE_NAMES: Record<string, string> = Object.fromEntries(Object.entries(SOURCE_LABELS).map(([source, l]) => [source, l.name]));

export const PANELS = ['volume', 'sources', 'categories', 'municipalities', 'sla', 'answer-time', 'ratings', 'rising', 'signals', 'polls'] as const;
export type PanelName = (typeof PANELS)[number];

/** Which analytics endpoint (and fixed parameters) feeds each panel. */
export const PANEL_SOURCES: Record<PanelName, { path: string; params: Record<string, string> }> = {
  volume: { path: 'volume', params: { by: 'source', interval: 'day' } },
  sources: { path: 'volume', params: { by: 'source', interval: 'month' } },
  categories: { path: 'top-problems', params: { limit: '15' } },
  municipalities: { path: 'volume', params: { by: 'municipality', interval: 'month' } },
  sla: { path: 'sla', params: { groupBy: 'organization' } },
  'answer-time': { path: 'sla', params: { groupBy: 'organization' } },
  ratings: { path: 'ratings', params: { groupBy: 'organization' } },
  rising: { path: 'rising-topics', params: { minCount: '1', limit: '15' } },
  signals: { path: 'signal-reaction', params: { groupBy: 'municipality' } },
  polls: { path: 'polls', params: { limit: '15' } },
};

export const PANEL_TITLES: Record<PanelName, string> = {
  volume: 'Обращения по дням',
  sources: 'Источники',
  categories: 'Категории',
  municipalities: 'Муниципалитеты',
  sla: 'Сроки по организациям',
  'answer-time': 'Время ответа, часов',
  ratings: 'Оценки граждан',
  rising: 'Растущие темы',
  signals: 'Реакция на сигналы мониторинга, часов',
  polls: 'Голосования: явка',
};

export interface Municipality {
  id: string;
  name: string;
  kind: string;
}

/** Context a panel needs besides its rows: organization names for ids, the region's municipalities. */
export interface ChartContext {
  orgNames?: Record<string, string>;
  municipalities?: Municipality[];
  /** Poll ids to titles: a panel names polls, never shows their ids. */
  pollTitles?: Record<string, string>;
  /**
   * Width of name labels before they wrap. The server renders without font metrics and counts every Cyrillic
   * letter a full em wide, so its wider charts (SVG export, weekly report) give names more room.
   */
  labelWidth?: number;
}

/**
 * A category axis of long names (organizations, topics): the grid makes room for the labels, which wrap rather than
 * being cut or running into each other.
 */
const namesAxis = (names: string[], ctx: ChartContext = {}) => ({ type: 'category', data: names,
  axisLabel: { width: ctx.labelWidth ?? 220, overflow: 'break', lineHeight: 13, fontSize: 11, interval: 0 } });
const namesGrid = (top: number) => ({ left: 8, right: 30, top, bottom: 30, containLabel: true });

/** Server renders (SVG export, weekly report): room for a whole organization name without font metrics. */
export const SERVER_LABEL_WIDTH = 340;

/**
 * The height a bar chart of n names needs so that wrapped labels do not overlap: `lines` is the most lines a name
 * wraps to (13 px each, as namesAxis sets them).
 */
export const barChartHeight = (n: number, lines = 2) => Math.max(300, (13 * lines + 8) * n + 90);

/**
 * A name label's width in a browser chart `chartWidth` wide: two fifths of it, so that a half-width panel keeps
 * room for its bars (a fixed 220 px left a 400 px panel bars a few pixels wide).
 */
export const labelWidthFor = (chartWidth: number) => Math.min(220, Math.max(90, Math.round(chartWidth * 0.4)));

/** How many lines the longest of `names` wraps to at `width` px (11 px type: about 6.5 px a letter, Cyrillic included). */
export const wrappedLines = (names: string[], width: number) => Math.max(1, ...names.map((n) => Math.ceil((n.length * 6.5) / width)));

/** What a click on a chart element means: a filter of the cases list behind it. */
export type Drill = Record<string, string>;

const sum = (rows: Row[], key: string) => rows.reduce((n, r) => n + Number(r[key] ?? 0), 0);

function totalsBy(rows: Row[], key: string, value: string): [string, number][] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(String(r[key] ?? ''), (m.get(String(r[key] ?? '')) ?? 0) + Number(r[value] ?? 0));
  return [...m.entries()].sort((a, b) => b[1] - a[1]);
}

const orgName = (ctx: ChartContext, id: string) => (id ? ctx.orgNames?.[id] ?? 'Организация удалена' : 'Не назначена');
export const pollTitle = (ctx: ChartContext, id: string) => ctx.pollTitles?.[id] ?? 'Голосование';

export const TILE_COLUMNS = 8;

/**
 * The tile map: one square per municipality of the region, city okrugs first, then districts, alphabetically
 * within each; no geometry is available offline, so position encodes kind, not place.
 */
export function tileLayout(municipalities: Municipality[]): { name: string; x: number; y: number }[] {
  const rank = (m: Municipality) => (m.kind === 'city_okrug' ? 0 : 1);
  const sorted = [...municipalities].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'ru'));
  return sorted.map((m, i) => ({ name: m.name, x: i % TILE_COLUMNS, y: Math.floor(i / TILE_COLUMNS) }));
}

const shortName = (name: string) => name.replace(/^город /, 'г. ').replace(/ муниципальный (район|округ)$/, '').replace(/ (район|округ)$/, '');

/** The ECharts option of a panel. `drill` data on series items tells the client where a click leads. */
export function panelOption(panel: PanelName, rows: Row[], ctx: ChartContext = {}): Record<string, unknown> {
  const option = buildOption(panel, rows, ctx);
  // An empty panel says so instead of showing bare axes (the tile map still shows the region).
  if (rows.length === 0 && panel !== 'municipalities') {
    return { ...option,
      title: { text: 'Нет данных за период', left: 'center', top: 'middle', textStyle: { fontSize: 14, fontWeight: 'normal', color: '#555' } } };
  }
  return option;
}

function volumeOption(rows: Row[]): Record<string, unknown> {
  const periods = fillDays([...new Set(rows.map((r) => String(r.period).slice(0, 10)))].sort());
  const values = [...new Set(rows.map((r) => String(r.value)))];
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: periods },
    yAxis: { type: 'value', minInterval: 1 },
    series: values.map((v) => ({
      type: 'line',
      name: SOURCE_NAMES[v] ?? v,
      sampling: 'lttb',
      showSymbol: periods.length < 60,
      data: periods.map((p) => {
        const n = rows.filter((x) => String(x.period).slice(0, 10) === p && String(x.value) === v).reduce((t, x) => t + Number(x.messages), 0);
        return { value: n, drill: { source: v, from: p } };
      }),
    })),
  };
}

function sourcesOption(rows: Row[]): Record<string, unknown> {
  return {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['35%', '65%'], name: 'Источник',
      data: totalsBy(rows, 'value', 'messages').map(([v, n]) => ({ name: SOURCE_NAMES[v] ?? v, value: n, drill: { source: v } })) }],
  };
}

function categoriesOption(rows: Row[], ctx: ChartContext): Record<string, unknown> {
  const list = [...rows].reverse();
  return {
    tooltip: { trigger: 'axis' },
    grid: namesGrid(10),
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: namesAxis(list.map((r) => String(r.category)), ctx),
    series: [{ type: 'bar', name: 'Сообщений', itemStyle: { color: '#2d5fa8' },
      data: list.map((r) => ({ value: Number(r.messages), drill: { category: String(r.category) } })) }],
  };
}

function municipalitiesOption(rows: Row[], ctx: ChartContext): Record<string, unknown> {
  const totals = new Map(totalsBy(rows, 'value', 'messages'));
  const tiles = tileLayout(ctx.municipalities ?? []);
  const known = new Set(tiles.map((t) => t.name));
  const max = Math.max(1, ...totals.values());
  return {
    tooltip: { trigger: 'item' },
    grid: { left: 5, right: 5, top: 24, bottom: 50 },
    xAxis: { type: 'category', show: false, data: Array.from({ length: TILE_COLUMNS }, (_, i) => String(i)) },
    yAxis: { type: 'category', show: false, inverse: true, data: Array.from({ length: Math.ceil(tiles.length / TILE_COLUMNS) || 1 }, (_, i) => String(i)) },
    visualMap: { min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120,
      inRange: { color: ['#eef3fb', '#9db7e0', '#2d5fa8', '#13305e'] }, text: ['больше', '0'] },
    series: [{
      type: 'heatmap',
      name: 'Сообщений',
      label: { show: true, fontSize: 10, overflow: 'truncate', width: 130, formatter: '{b}' },
      itemStyle: { borderColor: '#fff', borderWidth: 2 },
      // Each tile shows its count under the name: the colour alone does not say how many.
      data: tiles.map((t) => {
        const n = totals.get(t.name) ?? 0;
        return { name: shortName(t.name), value: [t.x, t.y, n], drill: { municipality: t.name },
          label: { formatter: `{b}\n${n}`, color: n > max * 0.45 ? '#fff' : '#1a1a1a' } };
      }),
    }],
    // Messages whose municipality is outside the gazetteer are not lost: they are counted in the title (above the map, clear of the legend).
    title: { text: unknownNote(totals, known), top: 0, left: 'center', textStyle: { fontSize: 11, fontWeight: 'normal', color: '#555' } },
  };
}

function slaOption(rows: Row[], ctx: ChartContext): Record<string, unknown> {
  const list = [...rows].sort((a, b) => Number(b.cases) - Number(a.cases)).slice(0, 15).reverse();
  const names = list.map((r) => orgName(ctx, String(r.organization)));
  const item = (r: Row, key: string, extra: Drill) => ({ value: Number(r[key]), drill: { organizationId: String(r.organization), ...extra } });
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: namesGrid(40),
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: namesAxis(names, ctx),
    series: [
      { type: 'bar', stack: 'sla', name: 'Отвечено в срок', itemStyle: { color: '#2e7d32' }, data: list.map((r) => item(r, 'answeredOnTime', {})) },
      { type: 'bar', stack: 'sla', name: 'Отвечено с опозданием', itemStyle: { color: '#f0a500' },
        data: list.map((r) => ({ value: Number(r.answered) - Number(r.answeredOnTime), drill: { organizationId: String(r.organization) } })) },
      { type: 'bar', stack: 'sla', name: 'Просрочено сейчас', itemStyle: { color: '#c62828' },
        data: list.map((r) => item(r, 'overdueNow', { overdue: 'true' })) },
      { type: 'bar', stack: 'sla', name: 'В работе', itemStyle: { color: '#9e9e9e' },
        data: list.map((r) => ({ value: Math.max(0, Number(r.cases) - Number(r.answered) - Number(r.overdueNow)),
          drill: { organizationId: String(r.organization), overdue: 'false' } })
        ) },
    ],
  };
}

function answerTimeOption(rows: Row[], ctx: ChartContext): Record<string, unknown> {
  const list = rows.filter((r) => Number(r.answered) > 0).slice(0, 15).reverse();
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    // The axis name «часов» stands right of the axis's end, outside what containLabel reserves: the grid leaves it room.
    grid: { ...namesGrid(40), right: 52 },
    xAxis: { type: 'value', name: 'часов', nameLocation: 'end', nameGap: 6 },
    yAxis: namesAxis(list.map((r) => orgName(ctx, String(r.organization))), ctx),
    series: [
      { type: 'bar', name: 'Медиана', itemStyle: { color: '#2d5fa8' },
        data: list.map((r) => ({ value: Number(r.medianHours), drill: { organizationId: String(r.organization) } })) },
      { type: 'bar', name: '90-й перцентиль', itemStyle: { color: '#9db7e0' },
        data: list.map((r) => ({ value: Number(r.p90Hours), drill: { organizationId: String(r.organization) } })) },
    ],
  };
}

function ratingsOption(rows: Row[], ctx: ChartContext): Record<string, unknown> {
  const list = rows.filter((r) => Number(r.rated) > 0).slice(0, 15).reverse();
  return {
    tooltip: { trigger: 'axis' },
    grid: namesGrid(10),
    xAxis: { type: 'value', min: 0, max: 5 },
    yAxis: namesAxis(list.map((r) => orgName(ctx, String(r.organization))), ctx),
    series: [{ type: 'bar', name: 'Средняя оценка', itemStyle: { color: '#6a1b9a' },
      data: list.map((r) => ({ value: Number(r.average), drill: { organizationId: String(r.organization) } })) }],
  };
}

function risingOption(rows: Row[], ctx: ChartContext): Record<string, unknown> {
  const list = [...rows].slice(0, 15).reverse();
  return {
    tooltip: { trigger: 'axis' },
    grid: namesGrid(10),
    xAxis: { type: 'value' },
    yAxis: namesAxis(list.map((r) => `${r.category} — ${shortName(String(r.municipality))}`), ctx),
    series: [{ type: 'bar', name: 'Рост, раз', itemStyle: { color: '#c62828' },
      data: list.map((r) => ({ value: Number(r.ratio), drill: { category: String(r.category), municipality: String(r.municipality) } })) }],
  };
}

/** Hours to the first reaction and to the answer per municipality, with the share reacted within the term in the label. */
function signalsOption(rows: Row[]): Record<string, unknown> {
  const list = [...rows].slice(0, 15).reverse();
  const label = (r: Row) => `${shortName(String(r.municipality) || 'не определён')} (${Math.round(Number(r.onTimeShare) * 100)}% в срок)`;
  const item = (r: Row, key: string) => ({ value: Number(r[key]), drill: { municipality: String(r.municipality) } });
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 230, right: 30, top: 40, bottom: 30 },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: list.map(label) },
    series: [
      { type: 'bar', name: 'До реакции, медиана', itemStyle: { color: '#2d5fa8' }, data: list.map((r) => item(r, 'medianReactionHours')) },
      { type: 'bar', name: 'До ответа, медиана', itemStyle: { color: '#9db7e0' }, data: list.map((r) => item(r, 'medianAnswerHours')) },
    ],
  };
}

function pollsOption(rows: Row[], ctx: ChartContext): Record<string, unknown> {
  const list = [...rows].slice(0, 15).reverse();
  return {
    tooltip: { trigger: 'axis' },
    grid: namesGrid(10),
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: namesAxis(list.map((r) => pollTitle(ctx, String(r.poll))), ctx),
    series: [{ type: 'bar', name: 'Участников', itemStyle: { color: '#00838f' }, data: list.map((r) => Number(r.participants)) }],
  };
}

/** Each panel's ECharts option; buildOption adds what every chart shares (accessibility, no animation, the font). */
const PANEL_OPTIONS: Record<PanelName, (rows: Row[], ctx: ChartContext) => Record<string, unknown>> = {
  volume: volumeOption,
  sources: sourcesOption,
  categories: categoriesOption,
  municipalities: municipalitiesOption,
  sla: slaOption,
  'answer-time': answerTimeOption,
  ratings: ratingsOption,
  rising: risingOption,
  signals: signalsOption,
  polls: pollsOption,
};

function buildOption(panel: PanelName, rows: Row[], ctx: ChartContext): Record<string, unknown> {
  return { aria: { enabled: true }, animation: false, textStyle: { fontFamily: 'sans-serif' }, ...PANEL_OPTIONS[panel](rows, ctx) };
}

/** Days with no messages are days too: a quiet day is drawn as zero, not skipped. Long ranges are left as they are. */
export function fillDays(days: string[]): string[] {
  if (days.length < 2 || !days.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))) return days;
  const first = Date.parse(`${days[0]}T00:00:00Z`);
  const last = Date.parse(`${days[days.length - 1]}T00:00:00Z`);
  const count = Math.round((last - first) / DAY_MS) + 1;
  if (count > 400) return days;
  return Array.from({ length: count }, (_, i) => new Date(first + i * DAY_MS).toISOString().slice(0, 10));
}

function unknownNote(totals: Map<string, number>, known: Set<string>): string {
  const outside = [...totals.entries()].filter(([name]) => !known.has(name)).reduce((n, [, v]) => n + v, 0);
  return outside > 0 ? `Без муниципалитета или вне справочника: ${outside}` : '';
}

/** Headline figures of the filtered range. */
export function kpis(sla: Row[], volume: Row[]): { messages: number; cases: number; overdue: number; onTimeShare: number } {
  const answered = sum(sla, 'answered');
  const overdue = sum(sla, 'overdueNow');
  const onTime = sum(sla, 'answeredOnTime');
  return {
    messages: sum(volume, 'messages'),
    cases: sum(sla, 'cases'),
    overdue,
    onTimeShare: answered + overdue > 0 ? Math.round((onTime / (answered + overdue)) * 1000) / 10 : 0,
  };
}

/** The cases list URL behind a chart element, keeping the dashboard's filters. */
export function drillUrl(drill: Drill, filters: Record<string, string>): string {
  const q = new URLSearchParams();
  const map: Record<string, string> = { municipality: 'municipality', category: 'category', source: 'source', from: 'from', to: 'to' };
  for (const [k, v] of Object.entries(filters)) if (v && map[k]) q.set(map[k]!, v);
  if (filters.organization) q.set('organizationId', filters.organization);
  for (const [k, v] of Object.entries(drill)) {
    if (!v) continue;
    if (k === 'from' && !drill.to) {
      // A day of the volume chart: the list covers that whole day.
      q.set('from', v);
      q.set('to', new Date(Date.parse(`${v}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10));
    } else {
      q.set(k, v);
    }
  }
  return `/cases?${q.toString()}`;
}

// The officials' dashboard: every panel reads the analytics API with the page's shared filters; a click on any
// chart element (or on a table link, for keyboard users) opens the list of cases behind it.
import { barChartHeight, drillUrl, kpis, labelWidthFor, panelOption, PANEL_SOURCES, PANELS, pollTitle, type ChartContext, type Drill, type Municipality,
  type PanelName, type Row, wrappedLines } from '../charts.js';
import { api, h, ruCalendarDay, ruDateTime, ruNumber, ruPercentOf100, SOURCE_LABELS } from './_common.js';

interface Chart {
  setOption(option: unknown): void;
  resize(): void;
  on(event: 'click', handler: (p: { data?: { drill?: Drill } }) => void): void;
  getDataURL(opts: { type: 'png' | 'svg'; pixelRatio?: number; backgroundColor?: string }): string;
}
declare const echarts: { init(el: HTMLElement, theme?: unknown, opts?: { renderer?: 'svg' | 'canvas' }): Chart };

// The page lists the panels this official may read (their organization's only, or the region's).
const context = JSON.parse(document.getElementById('analytics-context')!.textContent!) as { filters: Record<string, string>; municipalities: Municipality[];
  panels?: PanelName[] };
const panels = context.panels ?? [...PANELS];
const filters = Object.fromEntries(Object.entries(context.filters).filter(([, v]) => v)) as Record<string, string>;
const charts = new Map<PanelName, Chart>();

const COLUMN_TITLES: Record<string, string> = {
  period: 'Период',
  value: 'Значение',
  messages: 'Сообщений',
  category: 'Категория',
  share: 'Доля',
  organization: 'Организация',
  cases: 'Обращений',
  answered: 'Отвечено',
  answeredOnTime: 'В срок',
  overdueNow: 'Просрочено сейчас',
  onTimeShare: 'Доля в срок',
  medianHours: 'Медиана, ч',
  p90Hours: '90-й перцентиль, ч',
  rated: 'Оценок',
  average: 'Средняя',
  municipality: 'Муниципалитет',
  current: 'За 7 дней',
  baseline: 'Обычно',
  ratio: 'Рост, раз',
  poll: 'Голосование',
  votes: 'Голосов',
  participants: 'Участников',
  r1: '1',
  r2: '2',
  r3: '3',
  r4: '4',
  r5: '5',
  repeatReviews: 'Повторных',
  municipalities: 'Муниципалитетов',
  firstAt: 'Первый',
  lastAt: 'Последний',
  signals: 'Сигналов со сроком',
  reacted: 'С реакцией',
  reactedOnTime: 'Реакция в срок',
  medianReactionHours: 'До реакции, медиана, ч',
  p90ReactionHours: 'До реакции, 90-й перцентиль, ч',
  medianAnswerHours: 'До ответа, медиана, ч',
  unanswered: 'Без ответа',
  answerOverdueNow: 'Без ответа, срок истёк',
  answerOnTimeShare: 'Доля ответов в срок',
};

function apiQuery(panel: PanelName, format?: string): string {
  const q = new URLSearchParams({ ...filters, ...PANEL_SOURCES[panel].params });
  if (format) q.set('format', format);
  return `/api/v1/analytics/${PANEL_SOURCES[panel].path}?${q.toString()}`;
}

/** Which cell of a table row leads where: the same drill-down as the chart. */
function cellDrill(panel: PanelName, key: string, r: Row): Drill | undefined {
  const org = String(r.organization ?? '');
  switch (panel) {
    case 'sla':
      if (!org) return undefined;
      if (key === 'overdueNow') return Number(r.overdueNow) > 0 ? { organizationId: org, overdue: 'true' } : undefined;
      return key === 'organization' || key === 'cases' ? { organizationId: org } : undefined;
    case 'answer-time':
    case 'ratings':
      return key === 'organization' && org ? { organizationId: org } : undefined;
    case 'categories':
      return key === 'category' ? { category: String(r.category) } : undefined;
    case 'municipalities':
      return key === 'value' && r.value ? { municipality: String(r.value) } : undefined;
    case 'sources':
    case 'volume':
      return key === 'value' && r.value ? { source: String(r.value), ...(panel === 'volume' ? { from: String(r.period).slice(0, 10) } : {}) } : undefined;
    case 'rising':
      return key === 'category' ? { category: String(r.category), municipality: String(r.municipality) } : undefined;
    case 'signals':
      return key === 'municipality' && r.municipality ? { municipality: String(r.municipality) } : undefined;
    default:
      return undefined;
  }
}

function renderTable(panel: PanelName, rows: Row[], ctx: ChartContext) {
  const el = document.getElementById(`table-${panel}`)!;
  if (!rows.length) return void el.replaceChildren(h('p', { class: 'muted' }, 'Нет данных.'));
  const keys = Object.keys(rows[0]!);
  const show = (key: string, v: string | number): string => {
    if (key === 'organization') return ctx.orgNames?.[String(v)] ?? (String(v) ? 'Организация удалена' : 'Не назначена');
    if (key === 'poll') return pollTitle(ctx, String(v));
    if (key === 'value' && (panel === 'sources' || panel === 'volume')) return SOURCE_LABELS[String(v)]?.name ?? String(v);
    if (key === 'period') return ruCalendarDay(String(v).slice(0, 10));
    if (key === 'firstAt' || key === 'lastAt') return v ? ruDateTime(`${String(v).replace(' ', 'T')}Z`) : '—';
    if (key === 'onTimeShare' || key === 'share') return ruPercentOf100(Number(v));
    return typeof v === 'number' ? ruNumber(v) : String(v);
  };
  el.replaceChildren(
    h('table', {}, h('thead', {}, h('tr', {}, keys.map((k) => h('th', { scope: 'col' }, COLUMN_TITLES[k] ?? k)))),
      h('tbody', {}, rows.slice(0, 200).map((r) =>
        h('tr', {}, keys.map((k) => {
          const drill = cellDrill(panel, k, r);
          const label = k === 'overdueNow' ? `Просрочено: ${show(k, r[k] ?? '')}` : show(k, r[k] ?? '');
          return h('td', {},
            drill ? h('a', { href: drillUrl(drill, filters), 'data-drill': k }, k === 'overdueNow' ? label : show(k, r[k] ?? '')) : show(k, r[k] ?? ''));
        }))
      ))),
  );
}

function exportLinks(panel: PanelName) {
  const svg = document.querySelector<HTMLAnchorElement>(`[data-svg="${panel}"]`)!;
  svg.href = `/api/v1/dashboard/export/${panel}.svg?${new URLSearchParams(filters).toString()}`;
  svg.setAttribute('download', `${panel}.svg`);
  document.querySelector<HTMLAnchorElement>(`[data-csv="${panel}"]`)!.href = apiQuery(panel, 'csv');
  document.querySelector<HTMLAnchorElement>(`[data-xlsx="${panel}"]`)!.href = apiQuery(panel, 'xlsx');
  document.querySelector<HTMLButtonElement>(`[data-png="${panel}"]`)!.addEventListener('click', () => {
    const chart = charts.get(panel);
    if (!chart) return;
    // PNG is drawn in the browser: the server has no canvas.
    const a = h('a', { href: chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' }), download: `${panel}.png` });
    document.body.append(a);
    a.click();
    a.remove();
  });
}

/** Until the numbers come, the page says it is loading rather than showing «—» as if that were the answer. */
function showLoading() {
  document.getElementById('main')?.setAttribute('aria-busy', 'true');
  for (const id of ['kpi-messages', 'kpi-cases', 'kpi-overdue', 'kpi-ontime']) {
    const el = document.getElementById(id);
    if (el) el.replaceChildren(h('span', { class: 'loading' }, 'загрузка…'));
  }
  for (const p of PANELS) document.getElementById(`chart-${p}`)?.replaceChildren(h('p', { class: 'loading' }, 'Загрузка данных…'));
}

/** Bar charts of names grow with their rows, so that wrapped names never overlap. */
const NAMED_PANELS: PanelName[] = ['categories', 'sla', 'answer-time', 'ratings', 'rising', 'polls'];

async function start() {
  showLoading();
  const [orgs, polls] = await Promise.all([
    api<{ items: { id: string; name: string }[] }>('/api/v1/organizations?limit=500').catch(() => ({ items: [] })),
    api<{ items: { id: string; title: string }[] }>('/api/v1/polls?limit=500').catch(() => ({ items: [] })),
  ]);
  const ctx: ChartContext = { orgNames: Object.fromEntries(orgs.items.map((o) => [o.id, o.name])), municipalities: context.municipalities,
    pollTitles: Object.fromEntries(polls.items.map((p) => [p.id, p.title])) };
  // Panels that share an endpoint and parameters read it once.
  const cache = new Map<string, Promise<Row[]>>();
  const rowsOf = (p: PanelName) => {
    const key = apiQuery(p);
    if (!cache.has(key)) cache.set(key, api<{ rows: Row[] }>(key).then((r) => r.rows));
    return cache.get(key)!;
  };
  await Promise.all(panels.map(async (p) => {
    exportLinks(p);
    const el = document.getElementById(`chart-${p}`)!;
    try {
      const rows = await rowsOf(p);
      el.replaceChildren();
      const labelWidth = labelWidthFor(el.clientWidth);
      const option = panelOption(p, rows, { ...ctx, labelWidth });
      if (NAMED_PANELS.includes(p)) {
        const names = (option.yAxis as { data?: string[] } | undefined)?.data ?? [];
        el.style.height = `${barChartHeight(Math.min(15, rows.length), wrappedLines(names, labelWidth))}px`;
      }
      const chart = echarts.init(el, undefined, { renderer: 'svg' });
      chart.setOption(option);
      chart.on('click', (e) => {
        if (e.data?.drill) location.href = drillUrl(e.data.drill, filters);
      });
      charts.set(p, chart);
      renderTable(p, rows, ctx);
      el.dataset.rows = String(rows.length);
    } catch (err) {
      el.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Панель не загрузилась: ${(err as Error).message}`));
    }
  }));
  const messagesKpi = document.getElementById('kpi-messages');
  const k = kpis(await rowsOf('sla').catch(() => []), messagesKpi ? await rowsOf('volume').catch(() => []) : []);
  if (messagesKpi) messagesKpi.textContent = ruNumber(k.messages);
  document.getElementById('kpi-cases')!.textContent = ruNumber(k.cases);
  const overdue = document.getElementById('kpi-overdue') as HTMLAnchorElement;
  overdue.textContent = ruNumber(k.overdue);
  overdue.href = drillUrl({ overdue: 'true' }, filters);
  document.getElementById('kpi-ontime')!.textContent = ruPercentOf100(k.onTimeShare);
  document.getElementById('main')?.removeAttribute('aria-busy');
  window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
  document.body.dataset.chartsReady = 'true';
}
void start();

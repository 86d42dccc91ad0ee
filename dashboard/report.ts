/**
 * The weekly report for the governor's office: one printable HTML page (print CSS; the browser or `page.pdf()`
 * makes the PDF) from the same panel queries as the dashboard, charts rendered to SVG on the server.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { kpis, panelOption, PANEL_TITLES, SERVER_LABEL_WIDTH, SOURCE_NAMES, type Municipality, type PanelName, type Row } from './charts.js';
import { ruDateTime, ruNumber, ruPercent, ruPercentOf100 } from './format.js';
import { addDays, isoDay, localDate, parseIsoDay } from '../lib/region-time.js';
import { escapeHtml } from './html.js';
import { panelRows, type DashboardFilters } from './panel-data.js';
import { renderSvg } from './svg.js';

// A date without a time prints as itself: no zone moves it.
const ruDay = (d: string) => new Date(`${d}T00:00:00Z`).toLocaleDateString('ru-RU', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
const daysAfter = (day: string, n: number) => isoDay(addDays(parseIsoDay(day), n));

/**
 * The seven days of the region ending before `to` (a date, exclusive; by default the week up to and including today
 * in the region — at 01:30 in Krasnoyarsk «today» is already the next day there, whatever UTC says).
 */
export function weekRange(to: string | undefined, now: Date, timeZone: string): { from: string; to: string } {
  const end = to ?? isoDay(addDays(localDate(now, timeZone), 1));
  return { from: daysAfter(end, -7), to: end };
}

/** «GMT+7»: the region's offset, named in the footer. */
function zoneOffset(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('ru-RU', { timeZone, timeZoneName: 'shortOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ??
    timeZone;
}

/** A cell as a Russian reader reads it: numbers with Russian separators («1 234», «2,5»), text escaped. */
const cell = (v: string | number) => (typeof v === 'number' || /^-?\d+(?:\.\d+)?$/.test(v) ? ruNumber(Number(v)) : escapeHtml(v));

export function reportTable(columns: [string, string][], rows: Row[], fmt: (key: string, v: string | number) => string = (_k, v) => cell(v)): string {
  if (rows.length === 0) return '<p class="muted">Нет данных за период.</p>';
  return `<table><thead><tr>${columns.map(([, t]) => `<th scope="col">${escapeHtml(t)}</th>`).join('')}</tr></thead>
<tbody>${rows.map((r) => `<tr>${columns.map(([k]) => `<td>${fmt(k, r[k] ?? '')}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`;
}

/** The report's headline figures; `onTimeShare` is in per cent (dashboard/charts.ts kpis). */
export function kpiCards(k: { messages: number; cases: number; overdue: number; onTimeShare: number }): string {
  return `<section class="kpis" aria-label="Главные показатели">
  <div class="card"><div class="kpi" id="kpi-messages">${ruNumber(k.messages)}</div><div>сообщений поступило</div></div>
  <div class="card"><div class="kpi" id="kpi-cases">${ruNumber(k.cases)}</div><div>обращений зарегистрировано</div></div>
  <div class="card"><div class="kpi" id="kpi-overdue">${ruNumber(k.overdue)}</div><div>просрочено сейчас</div></div>
  <div class="card"><div class="kpi" id="kpi-ontime">${ruPercentOf100(k.onTimeShare)}</div><div>ответов в срок</div></div>
</section>`;
}

/** The category table's share (0…1) as «34,9 %». */
export const shareCell = (key: string, v: string | number) => (key === 'share' ? ruPercent(Number(v)) : cell(v));

export async function weeklyReport(deps: {
  ch: ClickHouseClient;
  /** Organization ids to names, asked of the workflow (which owns organizations). */
  organizationNames: () => Promise<Record<string, string>>;
  municipalities: Municipality[];
  now: Date;
  /** The region's IANA zone: the report's days are the region's days. */
  timeZone: string;
}, filters: DashboardFilters): Promise<{ title: string; body: string }> {
  const range = weekRange(filters.to, deps.now, deps.timeZone);
  const f: DashboardFilters = { ...filters, ...range };
  const load = (p: PanelName) => panelRows(deps.ch, p, f, deps.now, undefined, deps.timeZone);
  // Overdue is a backlog, not a weekly flow: it counts every open case past its term, whenever it came in.
  const [volume, sources, categories, munis, sla, rising, ratings, orgNames, backlog] = await Promise.all([
    load('volume'),
    load('sources'),
    load('categories'),
    load('municipalities'),
    load('sla'),
    load('rising'),
    load('ratings'),
    deps.organizationNames(),
    panelRows(deps.ch, 'sla', { ...filters, from: undefined, to: undefined }, deps.now),
  ]);
  const ctx = { orgNames, municipalities: deps.municipalities, labelWidth: SERVER_LABEL_WIDTH };
  const k = { ...kpis(sla, volume), overdue: kpis(backlog, []).overdue };
  const chart = (p: PanelName, rows: Row[], h = 320) =>
    `<figure class="report-chart" aria-label="${escapeHtml(PANEL_TITLES[p])}">${renderSvg(panelOption(p, rows, ctx), { width: 860, height: h })}</figure>`;
  const org = (id: string | number) => escapeHtml(orgNames[String(id)] ?? (String(id) || 'Не назначена'));
  const muniTotals = new Map<string, number>();
  for (const r of munis) muniTotals.set(String(r.value), (muniTotals.get(String(r.value)) ?? 0) + Number(r.messages));
  const topMunis = [...muniTotals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([m, n]) => ({ municipality: m || 'Не определён', messages: n }));
  const srcTotals = new Map<string, number>();
  for (const r of sources) srcTotals.set(String(r.value), (srcTotals.get(String(r.value)) ?? 0) + Number(r.messages));
  const scope = [filters.municipality, filters.category, filters.source && (SOURCE_NAMES[filters.source] ?? filters.source)].filter(Boolean).join(', ');
  const title = `Еженедельный отчёт: ${ruDay(range.from)} — ${ruDay(daysAfter(range.to, -1))}`;
  const body = `
<article class="report">
<header class="report-head">
  <p class="muted">Для администрации Губернатора</p>
  <h1>${escapeHtml(title)}</h1>
  ${scope ? `<p>Отбор: ${escapeHtml(scope)}</p>` : ''}
  <p class="no-print"><button type="button" id="print" class="primary">Печать / PDF</button>
    <a href="/analytics?from=${range.from}&amp;to=${range.to}">Открыть на дашборде</a></p>
</header>
${kpiCards(k)}
<section><h2>Поступление по дням</h2>${chart('volume', volume, 280)}
${
    reportTable([['source', 'Источник'], ['messages', 'Сообщений']], [...srcTotals.entries()].map(([s, n]) => ({ source: SOURCE_NAMES[s] ?? s, messages: n })))
  }</section>
<section><h2>Главные проблемы</h2>${chart('categories', categories)}
${reportTable([['category', 'Категория'], ['messages', 'Сообщений'], ['share', 'Доля']], categories, shareCell)}</section>
<section><h2>Муниципалитеты</h2>${reportTable([['municipality', 'Муниципалитет'], ['messages', 'Сообщений']], topMunis)}</section>
<section><h2>Просрочено на сегодня по организациям</h2>
${
    reportTable([['organization', 'Организация'], ['overdueNow', 'Просрочено']], backlog.filter((r) => Number(r.overdueNow) > 0),
      (key, v) => (key === 'organization' ? org(v) : cell(v)))
  }</section>
<section class="page-break"><h2>Соблюдение сроков по организациям (обращения за неделю)</h2>
${
    reportTable([['organization', 'Организация'], ['cases', 'Обращений'], ['answered', 'Отвечено'], ['answeredOnTime', 'В срок'], ['overdueNow', 'Просрочено'],
      ['medianHours', 'Медиана, ч']], sla, (key, v) => (key === 'organization' ? org(v) : cell(v)))
  }</section>
<section><h2>Растущие темы</h2>${
    reportTable([['municipality', 'Муниципалитет'], ['category', 'Категория'], ['current', 'За 7 дней'], ['baseline', 'Обычно'], ['ratio', 'Рост, раз']],
      rising)
  }</section>
<section><h2>Оценки граждан</h2>${
    reportTable([['organization', 'Организация'], ['rated', 'Оценок'], ['average', 'Средняя']], ratings.filter((r) => Number(r.rated) > 0),
      (key, v) => (key === 'organization' ? org(v) : cell(v)))
  }</section>
<footer class="muted">Сформировано ${escapeHtml(ruDateTime(deps.now, deps.timeZone))} (время региона, ${
    escapeHtml(zoneOffset(deps.now, deps.timeZone))
  }) по данным системы «Отклик».</footer>
</article>`;
  return { title, body };
}

// Client script of the home page: draws the two summary charts and refreshes them; a chart without data says so
// instead of drawing an empty ring.
import type { Summary } from '../../analytics/queries.js';
import { ruNumber } from '../format.js';
import { sourceName } from '../../lib/sources.js';
import { countBarsOption, type BarsLook } from './_count-bars.js';
import { detached } from './_detached.js';

interface Chart {
  setOption(option: unknown): void;
  resize(): void;
}
declare const echarts: { init(el: HTMLElement, theme?: unknown, opts?: { renderer?: 'svg' | 'canvas' }): Chart };

function readInitial(): Summary {
  const el = document.getElementById('summary-data');
  return el?.textContent ? (JSON.parse(el.textContent) as Summary) : { byCategory: [], bySource: [] };
}

const charts = new Map<string, Chart>();

/** Shows the chart (made on first data) or the «no data yet» note in its place. */
function draw(name: 'source' | 'category', hasData: boolean, option: () => unknown): void {
  const el = document.getElementById(`chart-${name}`)!;
  document.getElementById(`empty-${name}`)!.hidden = hasData;
  el.hidden = !hasData;
  if (!hasData) return;
  let chart = charts.get(name);
  if (!chart) {
    chart = echarts.init(el, undefined, { renderer: 'svg' });
    charts.set(name, chart);
  }
  chart.setOption(option());
}

const CATEGORY_BARS: BarsLook = { series: 'Сообщений', color: '#2d5fa8', grid: { right: 20, top: 10, bottom: 30 } };

function render(s: Summary) {
  draw('category', s.byCategory.length > 0, () => countBarsOption(s.byCategory.map((r) => [r.category, r.count] as const), CATEGORY_BARS));
  draw('source', s.bySource.length > 0, () => ({
    aria: { enabled: true },
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['35%', '65%'], name: 'Источник', data: s.bySource.map((r) => ({ name: sourceName(r.source), value: r.count })) }],
  }));
  const total = s.bySource.reduce((n, r) => n + r.count, 0);
  document.getElementById('total')!.textContent = ruNumber(total);
  document.body.dataset.chartsReady = 'true';
}

render(readInitial());
window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
setInterval(detached(async () => {
  const res = await fetch('/api/v1/analytics/summary');
  if (res.ok) render((await res.json()) as Summary);
}), 10_000);

// Client script of the home page: draws the two summary charts and refreshes them.
import type { Summary } from '../../analytics/queries.js';
import { detached } from './_detached.js';

declare const echarts: {
  init(el: HTMLElement, theme?: unknown, opts?: { renderer?: 'svg' | 'canvas' }): {
    setOption(option: unknown): void;
    resize(): void;
  };
};

const SOURCE_NAMES: Record<string, string> = {
  contact_center: 'Контакт-центр 122',
  vk: 'ВКонтакте',
  telegram: 'Telegram',
  widget: 'Виджет на сайте',
};

function readInitial(): Summary {
  const el = document.getElementById('summary-data');
  return el?.textContent ? (JSON.parse(el.textContent) as Summary) : { byCategory: [], bySource: [] };
}

const categoryEl = document.getElementById('chart-category')!;
const sourceEl = document.getElementById('chart-source')!;
const categoryChart = echarts.init(categoryEl, undefined, { renderer: 'svg' });
const sourceChart = echarts.init(sourceEl, undefined, { renderer: 'svg' });

function render(s: Summary) {
  categoryChart.setOption({
    aria: { enabled: true },
    tooltip: { trigger: 'axis' },
    grid: { left: 150, right: 20, top: 10, bottom: 30 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: s.byCategory.map((r) => r.category).reverse() },
    series: [{ type: 'bar', name: 'Сообщений', data: s.byCategory.map((r) => r.count).reverse(), itemStyle: { color: '#2d5fa8' } }],
  });
  sourceChart.setOption({
    aria: { enabled: true },
    tooltip: { trigger: 'item' },
    series: [{ type: 'pie', radius: ['35%', '65%'], name: 'Источник',
      data: s.bySource.map((r) => ({ name: SOURCE_NAMES[r.source] ?? r.source, value: r.count })) }],
  });
  const total = s.bySource.reduce((n, r) => n + r.count, 0);
  document.getElementById('total')!.textContent = String(total);
  document.body.dataset.chartsReady = 'true';
}

render(readInitial());
window.addEventListener('resize', () => { categoryChart.resize(); sourceChart.resize(); });
setInterval(detached(async () => {
  const res = await fetch('/api/v1/analytics/summary');
  if (res.ok) render((await res.json()) as Summary);
}), 10_000);

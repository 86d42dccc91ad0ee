// Results charts shared by the poll page and the results page: one horizontal bar chart per question.
import type { ResultsView } from '../polls.js';
import { ruNumber, ruPercentOf100 } from '../format.js';

export interface EChart {
  setOption(option: unknown): void;
  resize(): void;
}
declare const echarts: { init(el: HTMLElement, theme?: unknown, opts?: { renderer?: 'svg' | 'canvas' }): EChart };

const charts = new Map<string, EChart>();

export function renderQuestionCharts(container: HTMLElement, v: ResultsView): void {
  for (const q of v.questions) {
    let chart = charts.get(q.id);
    if (!chart) {
      const section = document.createElement('section');
      section.className = 'poll-result';
      const h = document.createElement('h3');
      h.textContent = q.text;
      const el = document.createElement('div');
      el.className = 'chart';
      el.id = `chart-${q.id}`;
      el.setAttribute('role', 'img');
      el.setAttribute('aria-label', `Результаты: ${q.text}`);
      const table = document.createElement('table');
      table.className = 'poll-table';
      table.id = `table-${q.id}`;
      section.append(h, el, table);
      container.append(section);
      chart = echarts.init(el, undefined, { renderer: 'svg' });
      charts.set(q.id, chart);
    }
    const labels = q.options.map((o) => o.label);
    chart.setOption({
      aria: { enabled: true },
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 40, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: [...labels].reverse(), axisLabel: { width: 140, overflow: 'truncate' } },
      series: [{ type: 'bar', name: 'Голосов', data: q.options.map((o) => o.votes).reverse(), itemStyle: { color: '#2d5fa8' },
        label: { show: true, position: 'right' } }],
    });
    // The same numbers as text: for screen readers and for anyone who prefers a table.
    const table = document.getElementById(`table-${q.id}`)!;
    table.replaceChildren(...q.options.map((o) => {
      const tr = document.createElement('tr');
      tr.dataset.option = o.key;
      for (const text of [o.label, ruNumber(o.votes), ruPercentOf100(o.share)]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }));
  }
}

export function resizeAll(): void {
  for (const c of charts.values()) c.resize();
}

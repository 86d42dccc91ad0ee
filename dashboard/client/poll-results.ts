// Client script of the results page: question charts and turnout, refreshed every 5 seconds.
import type { ResultsView } from '../polls.js';
import { renderQuestionCharts, resizeAll, type EChart } from './poll-charts.js';
import { countBarsOption, type BarsLook } from './_count-bars.js';
import { detached } from './_detached.js';

declare const echarts: { init(el: HTMLElement, theme?: unknown, opts?: { renderer?: 'svg' | 'canvas' }): EChart };

const initial = JSON.parse(document.getElementById('results-data')!.textContent!) as ResultsView;
const mun = echarts.init(document.getElementById('chart-municipality')!, undefined, { renderer: 'svg' });
const channel = echarts.init(document.getElementById('chart-channel')!, undefined, { renderer: 'svg' });

const TURNOUT_BARS: BarsLook = { series: 'Участников', color: '#3a8f5c', grid: { right: 30, top: 8, bottom: 24 } };

function render(v: ResultsView) {
  renderQuestionCharts(document.getElementById('results-charts')!, v);
  mun.setOption(countBarsOption(v.byMunicipality.map((m) => [m.value, m.voters] as const), TURNOUT_BARS));
  channel.setOption({
    aria: { enabled: true },
    tooltip: { trigger: 'item' },
    series: [{ type: 'pie', radius: ['35%', '65%'], name: 'Канал', data: v.byChannel.map((c) => ({ name: c.value, value: c.voters })) }],
  });
  document.getElementById('voters')!.textContent = String(v.voters);
  document.body.dataset.chartsReady = 'true';
}

render(initial);
window.addEventListener('resize', () => {
  resizeAll();
  mun.resize();
  channel.resize();
});
setInterval(detached(async () => {
  const res = await fetch(`/api/v1/public/polls/${initial.pollId}/results`);
  if (res.ok) render((await res.json()) as ResultsView);
}), 5000);

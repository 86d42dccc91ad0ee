import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import express, { type Router } from 'express';
import type { Summary } from '../analytics/queries.js';
import { jsonForScript, layout } from './html.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Typed client scripts are bundled once at start and served from memory: no build step, no CDN. */
async function bundleClientScripts(): Promise<Map<string, string>> {
  const entries = ['home'];
  const out = new Map<string, string>();
  for (const name of entries) {
    const result = await build({
      entryPoints: [path.join(here, 'client', `${name}.ts`)],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2020',
      minify: true,
    });
    out.set(`${name}.js`, result.outputFiles[0]!.text);
  }
  return out;
}

export async function createDashboardPages(deps: { summary: () => Promise<Summary> }): Promise<Router> {
  const router = express.Router();
  const scripts = await bundleClientScripts();
  const echartsPath = require.resolve('echarts/dist/echarts.min.js');

  router.get('/assets/echarts.min.js', (_req, res) => res.sendFile(echartsPath, { maxAge: '1d' }));
  router.use('/assets', express.static(path.join(here, 'assets'), { maxAge: '1h' }));
  router.get('/assets/js/:name', (req, res) => {
    const body = scripts.get(req.params.name);
    if (!body) return void res.status(404).json({ error: 'no such script' });
    res.type('application/javascript').send(body);
  });

  router.get('/', async (_req, res) => {
    const data = await deps.summary();
    const total = data.bySource.reduce((n, r) => n + r.count, 0);
    res.type('html').send(
      layout({
        title: 'Обзор обращений',
        scripts: ['/assets/echarts.min.js', '/assets/js/home.js'],
        body: `
<h1>Обзор обращений граждан</h1>
<div class="grid">
  <section class="card" aria-labelledby="kpi-total"><h2 id="kpi-total">Всего сообщений</h2><div class="kpi" id="total">${total}</div>
    <p class="muted">Данные обновляются автоматически каждые 10 секунд.</p></section>
  <section class="card" aria-labelledby="h-source"><h2 id="h-source">По источникам</h2>
    <div class="chart" id="chart-source" role="img" aria-label="Диаграмма сообщений по источникам"></div></section>
  <section class="card" aria-labelledby="h-category" style="grid-column: 1 / -1"><h2 id="h-category">По категориям</h2>
    <div class="chart" id="chart-category" role="img" aria-label="Диаграмма сообщений по категориям"></div></section>
</div>
<script type="application/json" id="summary-data">${jsonForScript(data)}</script>`,
      }),
    );
  });
  return router;
}

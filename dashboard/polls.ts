/**
 * Citizens' poll pages: the poll with its ballot (/polls/:id), the results page (/polls/:id/results) with live
 * ECharts charts and turnout by municipality and channel, the results as JSON, CSV and XLSX. Counts come from
 * ClickHouse (fed by vote events); the poll's wording comes from the polls domain. Both are injected by main.ts.
 */
import { createRequire } from 'node:module';
import ExcelJS from 'exceljs';
import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import type { ClickHouseClient } from '@clickhouse/client';
import { pollTally, pollTurnoutBreakdown } from '../analytics/poll-queries.js';
import { ApiBuilder, HttpError } from '../lib/api-builder.js';
import { DEFAULT_TIME_ZONE } from '../lib/region-config.js';
import { dashboardScripts } from './client-scripts.js';
import { spreadsheetCsv } from '../lib/csv.js';
import { ruDateTime } from './format.js';
import { currentTimeZone, escapeHtml, jsonForScript, layout } from './html.js';

const require = createRequire(import.meta.url);

/** A poll as citizens see it (the shape of the public polls API). */
export interface PublicPoll {
  id: string;
  title: string;
  description: string;
  status: 'draft' | 'published' | 'open' | 'closed' | 'results_published';
  municipalities: string[];
  minAge: number | null;
  opensAt: string | null;
  closesAt: string | null;
  liveResults: boolean;
  questions: { id: string; kind: 'single' | 'multiple' | 'scale' | 'text'; text: string; required: boolean; scaleMin: number; scaleMax: number;
    maxChoices: number | null; options: { id: string; text: string }[] }[];
}

export interface PollPagesDeps {
  poll(id: string): Promise<PublicPoll | null>;
  list(): Promise<Omit<PublicPoll, 'questions'>[]>;
  /** Counted votes per question and option key (ClickHouse, quarantined votes excluded). */
  results(pollId: string): Promise<{ question: string; option: string; votes: number; share: number }[]>;
  turnout(pollId: string): Promise<{ dimension: 'municipality' | 'channel'; value: string; voters: number }[]>;
  /** The region's IANA zone: the pages and their scripts print dates in it. */
  timeZone?: string;
}

const POLL_STATUSES = ['draft', 'published', 'open', 'closed', 'results_published'] as const;
const turnoutRow = z.object({ value: z.string(), voters: z.number() });
/** The results of a poll as the results page, its script and the JSON endpoint show them. */
export const resultsViewSchema = z.object({
  pollId: z.string(),
  title: z.string(),
  status: z.enum(POLL_STATUSES),
  voters: z.number(),
  questions: z.array(z.object({
    id: z.string(),
    text: z.string(),
    kind: z.string(),
    options: z.array(z.object({ key: z.string(), label: z.string(), votes: z.number(), share: z.number().describe("Per cent of the question's votes") })),
  })),
  byMunicipality: z.array(turnoutRow),
  byChannel: z.array(turnoutRow),
});
export type ResultsView = z.infer<typeof resultsViewSchema>;

export const STATUS_NAMES: Record<PublicPoll['status'], string> = {
  draft: 'Черновик',
  published: 'Скоро откроется',
  open: 'Идёт голосование',
  closed: 'Голосование завершено',
  results_published: 'Итоги опубликованы',
};
export const CHANNEL_NAMES: Record<string, string> = { page: 'Страница голосования', widget: 'Виджет на сайте', telegram: 'Telegram-бот' };

/** Joins counted votes to the poll's wording; options nobody chose show as zero. */
export function resultsView(poll: PublicPoll, rows: Awaited<ReturnType<PollPagesDeps['results']>>,
  turnout: Awaited<ReturnType<PollPagesDeps['turnout']>>): ResultsView
{
  const counts = new Map(rows.map((r) => [`${r.question}|${r.option}`, r.votes]));
  const questions = poll.questions.filter((q) => q.kind !== 'text').map((q) => {
    const keys = q.kind === 'scale'
      ? Array.from({ length: q.scaleMax - q.scaleMin + 1 }, (_, i) => ({ key: String(q.scaleMin + i), label: String(q.scaleMin + i) }))
      : q.options.map((o) => ({ key: o.id, label: o.text }));
    const options = keys.map((k) => ({ ...k, votes: counts.get(`${q.id}|${k.key}`) ?? 0, share: 0 }));
    const total = options.reduce((n, o) => n + o.votes, 0);
    for (const o of options) o.share = total ? Math.round((o.votes / total) * 1000) / 10 : 0;
    return { id: q.id, text: q.text, kind: q.kind, options };
  });
  const byMunicipality = turnout.filter((t) => t.dimension === 'municipality').map((t) => ({ value: t.value || 'не указан', voters: t.voters }));
  const byChannel = turnout.filter((t) => t.dimension === 'channel').map((t) => ({ value: CHANNEL_NAMES[t.value] ?? t.value, voters: t.voters }));
  return { pollId: poll.id, title: poll.title, status: poll.status, voters: byChannel.reduce((n, c) => n + c.voters, 0), questions, byMunicipality, byChannel };
}

/** The polls' sources main.ts hands in: the wording from the polls domain, the counts from ClickHouse. */
export function pollSourcesOf(ballotBox: { poll(id: string): Promise<PublicPoll | null>; publicPolls(): Promise<Omit<PublicPoll, 'questions'>[]> },
  ch: ClickHouseClient)
{
  return {
    poll: (id: string) => ballotBox.poll(id),
    list: () => ballotBox.publicPolls(),
    results: (id: string) => pollTally(ch, id),
    turnout: (id: string) => pollTurnoutBreakdown(ch, id),
    /** Poll ids to titles, for the analytics panels. */
    titles: async () => Object.fromEntries((await ballotBox.publicPolls()).map((p) => [p.id, p.title])),
  };
}

/** Results are public once published, and while the poll runs if its organisers chose live results. */
const resultsVisible = (p: PublicPoll) => p.status === 'results_published' || (p.liveResults && (p.status === 'open' || p.status === 'closed'));

const dateRu = (iso: string | null) => (iso ? ruDateTime(iso, currentTimeZone()) : '');

/** When citizens may vote, in the region's time: «Голосование до 4 дек. 2026, 14:05». */
export function pollDates(p: Pick<PublicPoll, 'status' | 'opensAt' | 'closesAt'>): string {
  const until = p.closesAt ? `до ${dateRu(p.closesAt)}` : 'без даты окончания';
  if (p.status === 'published') return `Голосование начнётся ${p.opensAt ? dateRu(p.opensAt) : 'позже'}, продлится ${until}`;
  if (p.status === 'open') return `Голосование идёт ${until}`;
  return p.closesAt ? `Голосование завершено ${dateRu(p.closesAt)}` : 'Голосование завершено';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Polls citizens may see (not drafts) and their results, shared by the pages, the exports and the JSON endpoint. */
function pollReader(deps: PollPagesDeps) {
  return {
    async visiblePoll(id: string): Promise<PublicPoll | null> {
      if (!UUID.test(id)) return null;
      const p = await deps.poll(id);
      return p && p.status !== 'draft' ? p : null;
    },
    async view(p: PublicPoll): Promise<ResultsView> {
      const [rows, turnout] = await Promise.all([deps.results(p.id), deps.turnout(p.id)]);
      return resultsView(p, rows, turnout);
    },
  };
}
type PollReader = ReturnType<typeof pollReader>;

function pollPage(p: PublicPoll, timeZone: string): string {
  return layout({
    title: p.title,
    timeZone,
    scripts: ['/polls-assets/echarts.min.js', '/polls-assets/poll.js'],
    body: `
<article class="poll" aria-labelledby="poll-title">
  <h1 id="poll-title">${escapeHtml(p.title)}</h1>
  <p class="poll-status" id="poll-status">${escapeHtml(STATUS_NAMES[p.status])}</p>
  <p class="poll-dates" id="poll-dates">${escapeHtml(pollDates(p))}</p>
  ${p.description ? `<div class="poll-description">${escapeHtml(p.description).replace(/\n/g, '<br>')}</div>` : ''}
  <div id="poll-app" aria-live="polite"></div>
  <section id="poll-results" class="card" hidden aria-labelledby="results-title"><h2 id="results-title">Результаты</h2>
    <p class="muted" id="results-note"></p><div id="results-charts"></div></section>
  <section id="poll-discussion" class="card" aria-labelledby="discussion-title"><h2 id="discussion-title">Обсуждение</h2><div id="comments"></div></section>
  <p><a href="/polls/${escapeHtml(p.id)}/results">Страница результатов</a></p>
</article>
<script type="application/json" id="poll-data">${jsonForScript({ poll: p, resultsVisible: resultsVisible(p) })}</script>`,
  });
}

function resultsPage(p: PublicPoll, v: ResultsView, timeZone: string): string {
  return layout({
    title: `Итоги: ${p.title}`,
    timeZone,
    scripts: ['/polls-assets/echarts.min.js', '/polls-assets/poll-results.js'],
    body: `
<h1>Итоги: ${escapeHtml(p.title)}</h1>
<p class="poll-status">${escapeHtml(STATUS_NAMES[p.status])} · Участников: <strong id="voters">${v.voters}</strong></p>
<p><a href="/polls/${escapeHtml(p.id)}/results.csv" download>Скачать CSV</a> · <a href="/polls/${escapeHtml(p.id)}/results.xlsx" download>Скачать XLSX</a></p>
<div id="results-charts"></div>
<div class="grid">
  <section class="card" aria-labelledby="h-mun"><h2 id="h-mun">Явка по муниципалитетам</h2><div class="chart" id="chart-municipality" role="img" aria-label="Явка по муниципалитетам"></div></section>
  <section class="card" aria-labelledby="h-ch"><h2 id="h-ch">Явка по каналам</h2><div class="chart" id="chart-channel" role="img" aria-label="Явка по каналам"></div></section>
</div>
<script type="application/json" id="results-data">${jsonForScript(v)}</script>`,
  });
}

const HEADER = ['Вопрос', 'Вариант', 'Голосов', 'Доля, %'];
const exportRows = (v: ResultsView) => v.questions.flatMap((q) => q.options.map((o) => [q.text, o.label, o.votes, o.share]));

async function resultsWorkbook(p: PublicPoll, v: ResultsView): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Итоги');
  sheet.addRow([p.title]);
  sheet.addRow(HEADER);
  for (const r of exportRows(v)) sheet.addRow(r);
  const turnout = wb.addWorksheet('Явка');
  turnout.addRow(['Разрез', 'Значение', 'Участников']);
  for (const m of v.byMunicipality) turnout.addRow(['Муниципалитет', m.value, m.voters]);
  for (const c of v.byChannel) turnout.addRow(['Канал', c.value, c.voters]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The results as files, linked from the results page. */
function registerResultFiles(router: Router, reader: PollReader): void {
  const published = async (id: string, res: Response) => {
    const p = await reader.visiblePoll(id);
    if (!p || !resultsVisible(p)) return void res.status(404).json({ error: 'Итоги недоступны' });
    return { p, v: await reader.view(p) };
  };
  router.get('/polls/:id/results.csv', async (req, res) => {
    const found = await published(req.params.id, res);
    if (!found) return;
    res.setHeader('content-disposition', `attachment; filename="poll-${found.p.id}.csv"`);
    // Question and option texts are typed by people: cells a spreadsheet would run as formulas are neutralized.
    res.type('text/csv; charset=utf-8').send(spreadsheetCsv([HEADER, ...exportRows(found.v)]));
  });
  router.get('/polls/:id/results.xlsx', async (req, res) => {
    const found = await published(req.params.id, res);
    if (!found) return;
    res.setHeader('content-disposition', `attachment; filename="poll-${found.p.id}.xlsx"`);
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await resultsWorkbook(found.p, found.v));
  });
}

/** The citizens' poll pages (HTML) and the result files; the JSON results are registerPollResultsApi's. */
export async function createPollPages(deps: PollPagesDeps): Promise<Router> {
  const router = express.Router();
  const reader = pollReader(deps);
  const scripts = await dashboardScripts(['poll.js', 'poll-results.js']);
  const echartsPath = require.resolve('echarts/dist/echarts.min.js');

  router.get('/polls-assets/echarts.min.js', (_req, res) => res.sendFile(echartsPath, { maxAge: '1d' }));
  router.get('/polls-assets/:name', (req, res) => {
    const body = scripts.get(req.params.name);
    if (!body) return void res.status(404).json({ error: 'no such script' });
    res.type('application/javascript').send(body);
  });

  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;
  const notFound = (res: Response) =>
    res.status(404).type('html').send(
      layout({ title: 'Голосование не найдено', timeZone, body: '<h1>Голосование не найдено</h1><p><a href="/polls">Все голосования</a></p>' }),
    );

  router.get('/polls', async (_req, res) => {
    const items = (await deps.list()).filter((p) => p.status !== 'draft');
    const list = items.map((p) =>
      `<li class="card"><a href="/polls/${escapeHtml(p.id)}">${escapeHtml(p.title)}</a>
      <span class="muted"> — ${escapeHtml(STATUS_NAMES[p.status])}</span><br><span class="muted">${escapeHtml(pollDates(p))}</span></li>`
    ).join('\n');
    res.type('html').send(
      layout({ title: 'Голосования', timeZone,
        body: `<h1>Голосования и опросы</h1>${items.length ? `<ul class="poll-list">${list}</ul>` : '<p>Сейчас нет голосований.</p>'}` }),
    );
  });

  router.get('/polls/:id', async (req, res) => {
    const p = await reader.visiblePoll(req.params.id);
    if (!p) return void notFound(res);
    res.type('html').send(pollPage(p, timeZone));
  });

  router.get('/polls/:id/results', async (req, res) => {
    const p = await reader.visiblePoll(req.params.id);
    if (!p) return void notFound(res);
    if (!resultsVisible(p)) {
      return void res.type('html').send(
        layout({ title: p.title, timeZone, body: `<h1>${escapeHtml(p.title)}</h1><p>Итоги будут опубликованы после завершения голосования.</p>` }),
      );
    }
    res.type('html').send(resultsPage(p, await reader.view(p), timeZone));
  });

  registerResultFiles(router, reader);
  return router;
}

/** A poll's results as JSON, for the live results of the poll page. */
export function registerPollResultsApi(api: ApiBuilder, deps: PollPagesDeps): void {
  const reader = pollReader(deps);
  api.route({ method: 'get', path: '/api/v1/public/polls/:id/results', tag: 'polls (public)', auth: false,
    summary: 'Results of a poll with turnout by municipality and channel, once they are public (or live, when the poll shows live results).',
    params: z.object({ id: z.string() }), response: resultsViewSchema, errors: { 403: 'Results are not public yet', 404: 'No such poll' } },
    async ({ params }) => {
      const p = await reader.visiblePoll(params.id);
      if (!p) throw new HttpError(404, 'Голосование не найдено');
      if (!resultsVisible(p)) throw new HttpError(403, 'Итоги будут опубликованы после завершения голосования');
      return { headers: { 'cache-control': 'no-store' }, body: await reader.view(p) };
    });
}

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import express, { type Router } from 'express';
import type { Summary } from '../analytics/queries.js';
import { SOURCES } from '../lib/queues.js';
import type { FiguresScope, FiguresScopeOf } from '../lib/read-scope.js';
import { DEFAULT_TIME_ZONE } from '../lib/region-config.js';
import { dashboardScripts } from './client-scripts.js';
import { SOURCE_NAMES, PANELS, PANEL_TITLES, type Municipality, type PanelName } from './charts.js';
import { ruDay, ruNumber } from './format.js';
import { currentTimeZone, escapeHtml, jsonForScript, layout } from './html.js';
import { inboxFilterFields, inboxTabs, inboxViewOf, monitoringBody } from './monitoring-page.js';
import { dashboardFilters, panelsFor, type DashboardFilters } from './panel-data.js';
import { createAdminPages } from './admin.js';
import { problemBody, type AppealChannels } from './problem-page.js';
import { weeklyReport } from './report.js';
import { createSessionRouter, requirePage, type PageUser, type SessionDeps } from './session.js';
import { ACTIVITY_BODY, DESK_EXTRAS, registerInvitePage } from './staff-pages.js';

declare module 'express-serve-static-core' {
  interface Locals {
    /** What the signed-in official reads of the figures (the navigation's analytics links). */
    figures?: FiguresScope['kind'];
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export interface DashboardDeps {
  summary: () => Promise<Summary>;
  /**
   * The staff pages need the workflow's sessions, organization names (ids to names for the weekly report, asked
   * of the workflow, which owns organizations) and figures scopes, and ClickHouse for analytics; without them only
   * the public overview is served.
   */
  session?: SessionDeps;
  organizationNames?: () => Promise<Record<string, string>>;
  /** The figures each official may read, decided by the workflow: which panels /analytics shows, who gets the report. */
  figuresScope?: FiguresScopeOf;
  ch?: ClickHouseClient;
  /** The region's municipalities (the gazetteer), for filters and maps. */
  municipalities?: Municipality[];
  secureCookie?: boolean;
  now?: () => Date;
  /** The channels a citizen can write through, as the settings are now (the «Сообщить о проблеме» page). */
  appealChannels?: () => AppealChannels;
  /** The region's IANA zone: page scripts print dates in it. */
  timeZone?: string;
}

const STATUS_OPTIONS: [string, string][] = [
  ['moderation', 'На модерации'],
  ['routed', 'Направленные'],
  ['rejected', 'Отклонённые'],
  ['all', 'Все'],
];

function options(list: [string, string][], selected?: string): string {
  return list.map(([v, t]) => `<option value="${escapeHtml(v)}"${v === selected ? ' selected' : ''}>${escapeHtml(t)}</option>`).join('');
}

const NO_DATA = 'Пока нет данных: сообщения граждан появятся здесь, как только поступят.';

function homeBody(data: Summary, today: string): string {
  const total = data.bySource.reduce((n, r) => n + r.count, 0);
  return `
<h1>Обзор обращений граждан</h1>
<p class="period" id="period">Период: всё время работы системы, по ${escapeHtml(today)} включительно</p>
<div class="grid">
  <section class="card" aria-labelledby="h-citizens"><h2 id="h-citizens">Жителям</h2>
    <ul>
      <li><a href="/polls">Голосования и опросы</a> — выскажите мнение о планах региона</li>
      <li><a href="/problem">Сообщить о проблеме</a> — по телефону 122, ВКонтакте, в Telegram или через форму на сайтах органов власти</li>
    </ul></section>
  <section class="card" aria-labelledby="h-staff"><h2 id="h-staff">Сотрудникам</h2>
    <p><a href="/login">Вход для сотрудников</a> — мониторинг, рабочий стол организации, аналитика.</p></section>
  <section class="card" aria-labelledby="kpi-total"><h2 id="kpi-total">Всего сообщений</h2><div class="kpi" id="total">${ruNumber(total)}</div>
    <p class="muted">Данные обновляются автоматически каждые 10 секунд.</p></section>
  <section class="card" aria-labelledby="h-source"><h2 id="h-source">По источникам</h2>
    <p class="chart-empty" id="empty-source"${data.bySource.length ? ' hidden' : ''}>${NO_DATA}</p>
    <div class="chart" id="chart-source" role="img" aria-label="Диаграмма сообщений по источникам"${data.bySource.length ? '' : ' hidden'}></div></section>
  <section class="card" aria-labelledby="h-category" style="grid-column: 1 / -1"><h2 id="h-category">По категориям</h2>
    <p class="chart-empty" id="empty-category"${data.byCategory.length ? ' hidden' : ''}>${NO_DATA}</p>
    <div class="chart" id="chart-category" role="img" aria-label="Диаграмма сообщений по категориям"${data.byCategory.length ? '' : ' hidden'}></div></section>
</div>
<script type="application/json" id="summary-data">${jsonForScript(data)}</script>`;
}

function inboxBody(q: Record<string, string | undefined>, municipalities: Municipality[]): string {
  return `
<h1>Обращения на модерации</h1>
${inboxTabs('appeals')}
<form id="inbox-filters" class="filters" role="search" aria-label="Фильтры входящих">
  <input type="hidden" name="view" value="appeals">
  ${inboxFilterFields('f', q, { label: 'Статус', options: STATUS_OPTIONS, byDefault: 'moderation' }, ['newest', 'urgent'])}
</form>
<div class="views" aria-label="Сохранённые виды">
  <span class="fld"><label for="saved-views">Сохранённые виды</label> <select id="saved-views"><option value="">—</option></select></span>
  <label>Название <input id="view-name" maxlength="60"></label>
  <button type="button" id="save-view">Сохранить вид</button>
  <button type="button" id="delete-view">Удалить вид</button>
  <span class="muted">Клавиши: j/k — вниз/вверх, o — открыть, a — принять, r — отклонить, n — не жалоба, x — отметить, m — объединить отмеченные, / — поиск</span>
</div>
<p class="legend" aria-label="Обозначения"><span><span class="swatch fast" aria-hidden="true"></span>Быстрая задача: сокращённый срок ответа</span>
  <span><span class="bad">просрочено</span> / <span class="warn">меньше двух суток</span> — срок ответа</span></p>
<p id="inbox-status" class="muted" aria-live="polite"></p>
<div class="bulk"><button type="button" id="merge">Объединить отмеченные в инцидент</button></div>
<div id="inbox-list" class="inbox" role="list" aria-label="Входящие"></div>
<datalist id="muni-list">${municipalities.map((m) => `<option value="${escapeHtml(m.name)}">`).join('')}</datalist>
<datalist id="category-list"></datalist>`;
}

const DESK_BODY = `
<h1>Рабочий стол организации</h1>
<div id="desk" class="desk"></div>
${DESK_EXTRAS}
<dialog id="readiness" aria-labelledby="readiness-title">
  <form method="dialog" id="readiness-form">
    <h2 id="readiness-title">Требуется подтверждение</h2>
    <p>Подтвердите, пожалуйста, что Вы прошли обучение по работе с системой и готовы приступить.</p>
    <p id="readiness-orgs" class="muted"></p>
    <label class="check"><input type="checkbox" id="training-confirmed"> Мною пройдено обучение</label>
    <label class="check"><input type="checkbox" id="ready-confirmed"> ЛКО готов к работе</label>
    <p id="readiness-error" class="error" role="alert"></p>
    <div class="actions"><button type="button" id="readiness-confirm" class="primary" disabled>Подтверждаю</button>
      <button type="button" id="readiness-close">Закрыть</button></div>
  </form>
</dialog>`;

const CASES_BODY = `
<h1>Обращения</h1>
<p id="cases-filter" class="muted"></p>
<p id="cases-total" aria-live="polite"></p>
<div id="cases-list"></div>`;

const panelCard = (p: (typeof PANELS)[number], wide = false) => `
<section class="card panel${wide ? ' wide' : ''}" id="panel-${p}" aria-labelledby="h-${p}">
  <h2 id="h-${p}">${escapeHtml(PANEL_TITLES[p])}</h2>
  <div class="chart" id="chart-${p}" role="img" aria-label="${escapeHtml(PANEL_TITLES[p])}: диаграмма; данные — в таблице ниже"></div>
  <div class="exports" aria-label="Экспорт: ${escapeHtml(PANEL_TITLES[p])}">
    <button type="button" class="link" data-png="${p}">PNG</button>
    <a data-svg="${p}" href="#">SVG</a> <a data-csv="${p}" href="#">CSV</a> <a data-xlsx="${p}" href="#">XLSX</a>
  </div>
  <details><summary>Таблица</summary><div class="table" id="table-${p}"></div></details>
</section>`;

/** The panels of /analytics in page order, wide or not. */
const PANEL_LAYOUT: [PanelName, boolean][] = [
  ['volume', true],
  ['municipalities', true],
  ['sources', false],
  ['categories', false],
  ['sla', true],
  ['answer-time', false],
  ['ratings', false],
  ['rising', true],
  ['signals', true],
  ['polls', false],
];

const FILTER_NAMES: Record<string, string> = {
  from: '«С» — нужна дата',
  to: '«По» — нужна дата',
  source: '«Источник» — нет такого источника',
  category: '«Категория» — слишком длинное значение',
  municipality: '«Муниципалитет» — слишком длинное значение',
  organization: '«Организация» — неверный идентификатор',
};

function analyticsBody(parsed: ReturnType<typeof dashboardFilters.safeParse>, municipalities: Municipality[], panels: readonly PanelName[] = PANELS): string {
  const f: Partial<DashboardFilters> = parsed.success ? parsed.data : {};
  const regionWide = panels.includes('volume');
  const munis = [...municipalities].sort((a, b) => a.name.localeCompare(b.name, 'ru'));
  return `
<h1>Аналитика обращений</h1>
${
    parsed.success
      ? ''
      : `<p class="error" role="alert">Фильтр не применён: ${
        escapeHtml(parsed.error.issues.map((i) => FILTER_NAMES[String(i.path[0])] ?? 'неизвестное поле').join('; '))
      }</p>`
  }
<form id="filters" class="filters" method="get" action="/analytics" aria-label="Фильтры для всех панелей">
  <label>С <input type="date" name="from" value="${escapeHtml(f.from ?? '')}"></label>
  <label>По (не включая) <input type="date" name="to" value="${escapeHtml(f.to ?? '')}"></label>
  <span class="fld"><label for="f-municipality">Муниципалитет</label> <select id="f-municipality" name="municipality"><option value="">Весь край</option>${
    options(munis.map((m) => [m.name, m.name]), f.municipality)
  }</select></span>
  <span class="fld"><label for="f-source">Источник</label> <select id="f-source" name="source"><option value="">Все</option>${
    options(SOURCES.map((s) => [s, SOURCE_NAMES[s] ?? s]), f.source)
  }</select></span>
  <label>Категория <input name="category" value="${escapeHtml(f.category ?? '')}"></label>
  ${f.organization ? `<input type="hidden" name="organization" value="${escapeHtml(f.organization)}">` : ''}
  <button type="submit" class="primary">Применить</button> <a href="/analytics">Сбросить</a>
  ${regionWide ? `<a href="/report/weekly${f.municipality ? `?municipality=${encodeURIComponent(f.municipality)}` : ''}">Отчёт за неделю</a>` : ''}
</form>
${regionWide ? '' : '<p class="muted">Показатели Вашей организации: сроки, время ответа и оценки граждан.</p>'}
<section class="kpis" aria-label="Главные показатели">
  ${regionWide ? '<div class="card"><div class="kpi" id="kpi-messages">—</div><div>сообщений</div></div>' : ''}
  <div class="card"><div class="kpi" id="kpi-cases">—</div><div>обращений</div></div>
  <div class="card"><a class="kpi" id="kpi-overdue" href="#">—</a><div>просрочено сейчас</div></div>
  <div class="card"><div class="kpi" id="kpi-ontime">—</div><div>ответов в срок</div></div>
</section>
<div class="grid">
${PANEL_LAYOUT.filter(([p]) => panels.includes(p)).map(([p, wide]) => panelCard(p, wide)).join('')}
</div>
<script type="application/json" id="analytics-context">${jsonForScript({ filters: f, municipalities, panels })}</script>`;
}

/** The pages' bundled scripts, ECharts and the static assets. */
async function registerAssets(router: Router): Promise<void> {
  const scripts = await dashboardScripts();
  const echartsPath = require.resolve('echarts/dist/echarts.min.js');
  router.get('/assets/echarts.min.js', (_req, res) => res.sendFile(echartsPath, { maxAge: '1d' }));
  router.use('/assets', express.static(path.join(here, 'assets'), { maxAge: '1h' }));
  router.get('/favicon.ico', (_req, res) => res.sendFile(path.join(here, 'assets', 'favicon.ico'), { maxAge: '1d' }));
  router.get('/assets/js/:name', (req, res) => {
    const body = scripts.get(req.params.name);
    if (!body) return void res.status(404).json({ error: 'no such script' });
    res.type('application/javascript').send(body);
  });
}

/** The staff pages, each behind a session (a redirect to the login form otherwise). */
function registerStaffPages(router: Router,
  deps: DashboardDeps & { session: SessionDeps; organizationNames: () => Promise<Record<string, string>>; figuresScope: FiguresScopeOf }): void
{
  const now = deps.now ?? (() => new Date());
  const municipalities = deps.municipalities ?? [];
  const figuresOf = (res: express.Response): Promise<FiguresScope> => deps.figuresScope(res.locals.pageUser!);
  const session = requirePage(deps.session);
  // The navigation offers analytics and the report only to those who may read them.
  const page: express.RequestHandler = (req, res, next) =>
    void session(req, res, (err?: unknown) => {
      if (err) return next(err);
      figuresOf(res).then((f) => {
        res.locals.figures = f.kind;
        next();
      }, next);
    });
  const userOf = (res: express.Response) => ({ ...(res.locals.pageUser as PageUser), figures: res.locals.figures });
  const shell = (res: express.Response, title: string, script: string, body: string, charts = false) =>
    res.type('html').send(layout({
      title,
      user: userOf(res),
      body,
      timeZone: deps.timeZone,
      scripts: [...(charts ? ['/assets/echarts.min.js'] : []), `/assets/js/${script}.js`],
    }));
  const refuse = (res: express.Response, text: string) =>
    res.status(403).type('html').send(
      layout({ title: 'Нет доступа', user: userOf(res), body: `<h1>Нет доступа</h1><p>${escapeHtml(text)}</p>`, timeZone: deps.timeZone }),
    );

  router.get('/inbox', page, (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    if (inboxViewOf(q) === 'appeals') return shell(res, 'Обращения на модерации', 'inbox', inboxBody(q, municipalities));
    shell(res, 'Мониторинг', 'monitoring', monitoringBody(q, municipalities));
  });
  router.get('/desk', page, (_req, res) => shell(res, 'Рабочий стол', 'desk', DESK_BODY));
  router.get('/cases', page, (_req, res) => shell(res, 'Обращения', 'cases', CASES_BODY));
  router.get('/activity', page, (_req, res) => shell(res, 'Кто не смотрит', 'activity', ACTIVITY_BODY));
  router.get('/cases/:id', page, (req, res) => {
    if (!/^[0-9a-f-]{36}$/i.test(String(req.params.id))) {
      return void res.status(400).type('html').send(layout({ title: 'Ошибка', user: userOf(res), body: '<h1>Неверный номер обращения</h1>' }));
    }
    shell(res, 'Обращение', 'case', `
<div id="case" data-case-id="${escapeHtml(String(req.params.id))}"><p>Загрузка…</p></div>`);
  });
  router.get('/analytics', page, async (req, res) => {
    const panels = panelsFor(await figuresOf(res));
    if (panels.length === 0) {
      return void refuse(res, 'Аналитика доступна должностным лицам региона, а также координаторам, руководителям и кураторам — по своей организации.');
    }
    shell(res, 'Аналитика', 'analytics', analyticsBody(dashboardFilters.safeParse(req.query), municipalities, panels), true);
  });
  router.get('/report/weekly', page, async (req, res) => {
    if ((await figuresOf(res)).kind !== 'region') return void refuse(res, 'Еженедельный отчёт по краю доступен должностным лицам региона.');
    const parsed = dashboardFilters.safeParse(req.query);
    if (!parsed.success) {
      return void res.status(400).type('html').send(layout({ title: 'Ошибка', user: userOf(res), body: '<h1>Неверные параметры отчёта</h1>' }));
    }
    if (!deps.ch) return void res.status(503).type('html').send(layout({ title: 'Ошибка', user: userOf(res), body: '<h1>Аналитика недоступна</h1>' }));
    const report = await weeklyReport({ ch: deps.ch, organizationNames: deps.organizationNames, municipalities, now: now(),
      timeZone: deps.timeZone ?? DEFAULT_TIME_ZONE }, parsed.data);
    res.type('html').send(
      layout({ title: report.title, user: userOf(res), body: report.body, scripts: ['/assets/js/report.js'], bodyClass: 'print-page',
        timeZone: deps.timeZone }),
    );
  });
}

export async function createDashboardPages(deps: DashboardDeps): Promise<Router> {
  const router = express.Router();
  await registerAssets(router);
  router.get('/', async (_req, res) => {
    const data = await deps.summary();
    const today = ruDay(deps.now?.() ?? new Date(), currentTimeZone(deps.timeZone));
    res.type('html').send(
      layout({ title: 'Обзор обращений', scripts: ['/assets/echarts.min.js', '/assets/js/home.js'], body: homeBody(data, today), timeZone: deps.timeZone }),
    );
  });
  router.get('/problem', (_req, res) => {
    const channels = deps.appealChannels?.() ?? { vkGroupIds: [], telegram: false, widgetSites: [] };
    res.type('html').send(layout({ title: 'Сообщить о проблеме', body: problemBody(channels), timeZone: deps.timeZone }));
  });
  registerInvitePage(router, deps.timeZone);
  if (!deps.session || !deps.organizationNames || !deps.figuresScope) return router;
  router.use(createSessionRouter({ ...deps.session, secureCookie: deps.secureCookie }));
  registerStaffPages(router, { ...deps, session: deps.session, organizationNames: deps.organizationNames, figuresScope: deps.figuresScope });
  router.use(createAdminPages({ session: deps.session }));
  return router;
}

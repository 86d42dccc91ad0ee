import type { RequestHandler } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { ApiBuilder, HttpError } from '../lib/api-builder.js';
import { SOURCES } from '../lib/queues.js';
import type { FiguresScopeOf } from '../lib/read-scope.js';
import { parseIsoDay, zonedInstant } from '../lib/region-time.js';
import { isoDateTime, isoDay } from '../lib/request-schemas.js';
import { ACCESS_ROLES, accessOf, scopedFilters } from './access.js';
import { exportTable, type Column } from './export.js';
import { pollResults, pollTurnout } from './poll-queries.js';
import * as q from './queries.js';
import { SIGNAL_GROUPS, signalReaction } from './signal-queries.js';

/** A date (`2026-01-31`: the region's midnight, see toFilters) or an ISO 8601 date-time with offset. */
const instant = z.union([isoDay, isoDateTime]);
const dim = z.string().trim().min(1).max(300).optional();

const filtersSchema = z.object({
  from: instant.optional(),
  to: instant.optional(),
  source: z.enum(SOURCES).optional(),
  category: dim,
  municipality: dim,
  organization: dim,
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
});

type Parsed = z.infer<typeof filtersSchema>;

/** A date is the midnight that starts it in the region's zone; a date-time is the instant it names. */
const instantIn = (v: string, timeZone: string) => (v.length === 10 ? zonedInstant(parseIsoDay(v), timeZone) : new Date(v));

function toFilters(p: Parsed, timeZone: string): q.Filters {
  const from = p.from ? instantIn(p.from, timeZone) : undefined;
  const to = p.to ? instantIn(p.to, timeZone) : undefined;
  if (from && to && from >= to) throw new HttpError(400, 'from must be before to');
  return {
    from: from ? q.toChTime(from) : q.ALL_TIME.from,
    to: to ? q.toChTime(to) : q.ALL_TIME.to,
    timeZone,
    source: p.source,
    category: p.category,
    municipality: p.municipality,
    organization: p.organization,
  };
}

interface Table {
  title: string;
  columns: Column[];
  rows: q.Row[];
}

type Panel<E extends z.ZodRawShape> = (ch: ClickHouseClient, f: q.Filters, p: Parsed & z.infer<z.ZodObject<E>>,
  params: Record<string, string>) => Promise<Table>;

const C = (key: string, title: string): Column => ({ key, title });
const ORG_CAT = [C('organization', 'Организация'), C('category', 'Категория')];
const TAG = 'analytics';

const tableSchema = z.object({
  title: z.string(),
  columns: z.array(z.object({ key: z.string(), title: z.string().describe('The Russian header') })),
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number()])).describe('One value per column key')),
});
const TABLE_FILES = {
  'text/csv': 'The same table as CSV (UTF-8 with BOM), with format=csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'The same table as an XLSX sheet, with format=xlsx',
};

/** Path parameters of a table's path (`incidents/:incident/mentions`), taken as they come. */
function pathParams(path: string): z.ZodObject | undefined {
  const names = [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  return names.length ? z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) : undefined;
}

type TableRoute = <E extends z.ZodRawShape>(path: string, summary: string, extra: E, panel: Panel<E>) => void;

/** Every dashboard table of the API. */
function registerTables(table: TableRoute, now: () => Date): void {
  registerMessageTables(table, now);
  registerAnswerTables(table, now);
}

/** What citizens and networks wrote: volume, problems, rising topics and incidents. */
function registerMessageTables(table: TableRoute, now: () => Date): void {
  table('volume', 'Messages per period, split by source, category or municipality.', { interval: z.enum(q.VOLUME_INTERVALS).default('day'),
    by: z.enum(q.VOLUME_DIMENSIONS).default('source') }, async (ch, f, p) => ({
      title: 'Обращения по времени',
      columns: [C('period', 'Период'), C('value', { source: 'Источник', category: 'Категория', municipality: 'Муниципалитет' }[p.by]),
        C('messages', 'Сообщений')],
      rows: await q.volume(ch, f, { interval: p.interval, by: p.by }),
    }));

  table('top-problems', 'The categories with the most messages.', {}, async (ch, f, p) => ({
    title: 'Главные проблемы',
    columns: [C('category', 'Категория'), C('messages', 'Сообщений'), C('share', 'Доля')],
    rows: await q.topProblems(ch, f, { limit: p.limit }),
  }));

  table('rising-topics', 'Categories rising in a municipality: the last 7 days against the usual week.', {
    weeks: z.coerce.number().int().min(1).max(12).default(4),
    minCount: z.coerce.number().int().min(1).max(10_000).default(5),
  }, async (ch, f, p) => ({
    title: 'Растущие темы',
    columns: [C('municipality', 'Муниципалитет'), C('category', 'Категория'), C('current', 'За 7 дней'), C('baseline', 'Обычно за неделю'),
      C('ratio', 'Рост, раз')],
    rows: await q.risingTopics(ch, f, { weeks: p.weeks, minCount: p.minCount, limit: p.limit, now: now() }),
  }));

  table('incidents', 'Incidents: messages about one problem, with their mentions and sources.', {}, async (ch, f, p) => ({
    title: 'Инциденты',
    columns: [C('incident', 'Инцидент'), C('mentions', 'Упоминаний'), C('firstAt', 'Первое'), C('lastAt', 'Последнее'), C('municipality', 'Муниципалитет'),
      C('category', 'Категория'), C('sources', 'Источники')],
    rows: await q.incidents(ch, f, { limit: p.limit }),
  }));

  table('incidents/:incident/mentions', 'The messages of one incident.', {}, async (ch, f, p, params) => ({
    title: 'Упоминания инцидента',
    columns: [C('messageId', 'Сообщение'), C('at', 'Время'), C('source', 'Источник'), C('municipality', 'Муниципалитет'), C('category', 'Категория')],
    rows: await q.incidentMentions(ch, String(params.incident).slice(0, 100), f, { limit: p.limit }),
  }));
}

/** How the region answered: terms kept, ratings, rejections, reaction to signals; and the polls' turnout and results. */
function registerAnswerTables(table: TableRoute, now: () => Date): void {
  const groupBy = { groupBy: z.enum(q.SLA_GROUPS).default('organization,category') };
  table('sla', 'Deadlines kept: answered in time, overdue now, median and 90th percentile hours to answer.', groupBy, async (ch, f, p) => ({
    title: 'Соблюдение сроков',
    columns: [...ORG_CAT, C('cases', 'Обращений'), C('answered', 'Отвечено'), C('answeredOnTime', 'В срок'), C('overdueNow', 'Просрочено сейчас'),
      C('onTimeShare', 'Доля в срок'), C('medianHours', 'Медиана, ч'), C('p90Hours', '90-й перцентиль, ч')],
    rows: await q.sla(ch, f, { groupBy: p.groupBy, now: now() }),
  }));

  table('ratings', "Citizens' ratings of answers and repeat reviews.", groupBy, async (ch, f, p) => ({
    title: 'Оценки граждан',
    columns: [...ORG_CAT, C('rated', 'Оценок'), C('average', 'Средняя'), C('r1', '1'), C('r2', '2'), C('r3', '3'), C('r4', '4'), C('r5', '5'),
      C('repeatReviews', 'Повторных рассмотрений')],
    rows: await q.ratings(ch, f, { groupBy: p.groupBy }),
  }));

  table('rejections', 'Rejections at moderation by reason.', {}, async (ch, f) => ({
    title: 'Отклонения на модерации',
    columns: [C('reason', 'Причина'), C('rejected', 'Отклонено'), C('share', 'Доля от поступивших')],
    rows: await q.rejections(ch, f),
  }));

  table('signal-reaction',
    'Signals (posts the monitoring found): time to the first reaction and to the answer, share within the reaction term and within the answer term, overdue and unanswered, by municipality, organization (the one routing named) or network.',
    { groupBy: z.enum(SIGNAL_GROUPS).default('municipality') }, async (ch, f, p) => ({
      title: 'Реакция на сигналы мониторинга',
      columns: [C(p.groupBy, { municipality: 'Муниципалитет', organization: 'Организация', source: 'Сеть' }[p.groupBy]), C('signals', 'Сигналов со сроком'),
        C('reacted', 'С реакцией'), C('reactedOnTime', 'Реакция в срок'), C('overdueNow', 'Без реакции, срок истёк'), C('onTimeShare', 'Доля в срок'),
        C('medianReactionHours', 'До реакции, медиана, ч'), C('p90ReactionHours', 'До реакции, 90-й перцентиль, ч'), C('answered', 'С ответом'),
        C('unanswered', 'Без ответа'), C('medianAnswerHours', 'До ответа, медиана, ч'), C('answeredOnTime', 'Ответ в срок'),
        C('answerOverdueNow', 'Без ответа, срок истёк'), C('answerOnTimeShare', 'Доля ответов в срок')],
      rows: await signalReaction(ch, f, { groupBy: p.groupBy, now: now() }),
    }));

  table('polls', 'Turnout of polls: votes, participants, municipalities.', {}, async (ch, f, p) => ({
    title: 'Голосования: явка',
    columns: [C('poll', 'Голосование'), C('votes', 'Голосов'), C('participants', 'Участников'), C('municipalities', 'Муниципалитетов'),
      C('firstAt', 'Первый голос'), C('lastAt', 'Последний голос')],
    rows: await pollTurnout(ch, f, { limit: p.limit }),
  }));

  table('polls/:poll', 'Results of one poll per question and option.', {}, async (ch, f, _p, params) => ({
    title: 'Итоги голосования',
    columns: [C('question', 'Вопрос'), C('option', 'Вариант'), C('votes', 'Голосов'), C('share', 'Доля')],
    rows: await pollResults(ch, String(params.poll).slice(0, 200), f),
  }));
}

/**
 * The analytics API: one GET per dashboard table, each with a date range and filters, answering JSON or, with
 * `?format=csv|xlsx`, the same table as a file. Everything except the public summary needs an official's token,
 * and each table is cut to what the official's figures scope (decided by the workflow) allows.
 */
export function createAnalyticsApi(
  deps: { ch: ClickHouseClient; requireAuth: RequestHandler; figuresScope: FiguresScopeOf; now?: () => Date;
    /** The region's IANA zone now (an administrator may change it): its days bound the ranges and group the volume. */
    timeZone?: () => string },
): ApiBuilder {
  const api = new ApiBuilder(deps.requireAuth);
  const now = deps.now ?? (() => new Date());
  const timeZone = deps.timeZone ?? (() => 'UTC');

  function table<E extends z.ZodRawShape>(path: string, summary: string, extra: E, panel: Panel<E>) {
    const access = accessOf(path);
    api.route({ method: 'get', path: `/api/v1/analytics/${path}`, tag: TAG, summary, roles: ACCESS_ROLES[access], params: pathParams(path),
      query: filtersSchema.extend(extra), response: tableSchema, produces: TABLE_FILES, errors: { 403: 'Not among the figures the caller may read' } },
      async ({ params, query, user }) => {
        const p = query as Parsed & z.infer<z.ZodObject<E>>;
        const filters = scopedFilters(await deps.figuresScope(user), access, toFilters(p, timeZone()));
        const t = await panel(deps.ch, filters, p, (params ?? {}) as Record<string, string>);
        if (p.format === 'json') return { body: { title: t.title, columns: t.columns, rows: t.rows } };
        const file = await exportTable(t.title, t.columns, t.rows, p.format);
        return { headers: { 'content-disposition': `attachment; filename="${path.replace(/\W+/g, '-')}.${p.format}"` },
          content: { type: file.contentType, data: file.body } };
      });
  }

  // Aggregates only (no texts, no authors), so the summary is readable without a login, like published statistics.
  api.route({ method: 'get', path: '/api/v1/analytics/summary', tag: TAG, auth: false, errors: [],
    summary: 'Messages by category and by source over a date range: the public overview.',
    query: z.object({ from: instant.optional(), to: instant.optional() }),
    response: z.object({ byCategory: z.array(z.object({ category: z.string(), count: z.number() })),
      bySource: z.array(z.object({ source: z.string(), count: z.number() })) }) }, async ({ query }) => {
    const range = toFilters({ ...query, format: 'json', limit: 1 }, timeZone());
    return { body: await q.summary(deps.ch, { from: range.from, to: range.to }) };
  });

  registerTables(table, now);
  return api;
}

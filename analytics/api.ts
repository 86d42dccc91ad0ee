import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { SOURCES } from '../lib/queues.js';
import { isoDateTime, isoDay } from '../lib/request-schemas.js';
import { exportTable, type Column } from './export.js';
import * as q from './queries.js';

/** A date (`2026-01-31`, midnight UTC) or an ISO 8601 date-time with offset. */
const instant = z.union([isoDay, isoDateTime]).transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v));
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

function toFilters(p: Parsed): q.Filters {
  return {
    from: p.from ? q.toChTime(p.from) : q.ALL_TIME.from,
    to: p.to ? q.toChTime(p.to) : q.ALL_TIME.to,
    source: p.source, category: p.category, municipality: p.municipality, organization: p.organization,
  };
}

const zodMessage = (err: z.ZodError) => err.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');

interface Table {
  title: string;
  columns: Column[];
  rows: q.Row[];
}

type Panel<E extends z.ZodRawShape> = (ch: ClickHouseClient, f: q.Filters, p: Parsed & z.infer<z.ZodObject<E>>, req: Request) => Promise<Table>;

const C = (key: string, title: string): Column => ({ key, title });
const ORG_CAT = [C('organization', 'Организация'), C('category', 'Категория')];

/**
 * The analytics API: one GET per dashboard table, each with a date range and filters, answering JSON or, with
 * `?format=csv|xlsx`, the same table as a file. Everything except the public summary needs an official's token.
 */
export function createAnalyticsApi(deps: { ch: ClickHouseClient; requireAuth?: RequestHandler; now?: () => Date }): Router {
  const router = express.Router();
  const now = deps.now ?? (() => new Date());
  const guard: RequestHandler[] = deps.requireAuth ? [deps.requireAuth] : [];

  function table<E extends z.ZodRawShape>(path: string, extra: E, panel: Panel<E>) {
    const schema = filtersSchema.extend(extra);
    router.get(`/api/v1/analytics/${path}`, ...guard, async (req: Request, res: Response) => {
      const parsed = schema.safeParse(req.query);
      if (!parsed.success) return void res.status(400).json({ error: zodMessage(parsed.error) });
      const p = parsed.data as Parsed & z.infer<z.ZodObject<E>>;
      if (p.from && p.to && p.from >= p.to) return void res.status(400).json({ error: 'from must be before to' });
      const t = await panel(deps.ch, toFilters(p), p, req);
      if (p.format === 'json') return void res.json({ title: t.title, columns: t.columns, rows: t.rows });
      const file = await exportTable(t.title, t.columns, t.rows, p.format);
      res.setHeader('content-type', file.contentType);
      res.setHeader('content-disposition', `attachment; filename="${path.replace(/\W+/g, '-')}.${p.format}"`);
      res.send(file.body);
    });
  }

  router.get('/api/v1/analytics/summary', async (req, res) => {
    // Aggregates only (no texts, no authors), so the summary is readable without a login, like published statistics.
    const range = z.object({ from: instant.optional(), to: instant.optional() }).safeParse(req.query);
    if (!range.success) return void res.status(400).json({ error: 'from/to must be ISO 8601 dates or date-times' });
    res.json(await q.summary(deps.ch, {
      from: range.data.from && q.toChTime(range.data.from),
      to: range.data.to && q.toChTime(range.data.to),
    }));
  });

  table('volume', { interval: z.enum(q.VOLUME_INTERVALS).default('day'), by: z.enum(q.VOLUME_DIMENSIONS).default('source') }, async (ch, f, p) => ({
    title: 'Обращения по времени',
    columns: [C('period', 'Период'), C('value', { source: 'Источник', category: 'Категория', municipality: 'Муниципалитет' }[p.by]), C('messages', 'Сообщений')],
    rows: await q.volume(ch, f, { interval: p.interval, by: p.by }),
  }));

  table('top-problems', {}, async (ch, f, p) => ({
    title: 'Главные проблемы',
    columns: [C('category', 'Категория'), C('messages', 'Сообщений'), C('share', 'Доля')],
    rows: await q.topProblems(ch, f, { limit: p.limit }),
  }));

  table('rising-topics', { weeks: z.coerce.number().int().min(1).max(12).default(4), minCount: z.coerce.number().int().min(1).max(10_000).default(5) }, async (ch, f, p) => ({
    title: 'Растущие темы',
    columns: [C('municipality', 'Муниципалитет'), C('category', 'Категория'), C('current', 'За 7 дней'), C('baseline', 'Обычно за неделю'), C('ratio', 'Рост, раз')],
    rows: await q.risingTopics(ch, f, { weeks: p.weeks, minCount: p.minCount, limit: p.limit }),
  }));

  table('incidents', {}, async (ch, f, p) => ({
    title: 'Инциденты',
    columns: [C('incident', 'Инцидент'), C('mentions', 'Упоминаний'), C('firstAt', 'Первое'), C('lastAt', 'Последнее'), C('municipality', 'Муниципалитет'), C('category', 'Категория'), C('sources', 'Источники')],
    rows: await q.incidents(ch, f, { limit: p.limit }),
  }));

  table('incidents/:incident/mentions', {}, async (ch, f, p, req) => ({
    title: 'Упоминания инцидента',
    columns: [C('messageId', 'Сообщение'), C('at', 'Время'), C('source', 'Источник'), C('municipality', 'Муниципалитет'), C('category', 'Категория')],
    rows: await q.incidentMentions(ch, String(req.params.incident).slice(0, 100), f, { limit: p.limit }),
  }));

  const groupBy = { groupBy: z.enum(q.SLA_GROUPS).default('organization,category') };
  table('sla', groupBy, async (ch, f, p) => ({
    title: 'Соблюдение сроков',
    columns: [...ORG_CAT, C('cases', 'Обращений'), C('answered', 'Отвечено'), C('answeredOnTime', 'В срок'), C('overdueNow', 'Просрочено сейчас'),
      C('onTimeShare', 'Доля в срок'), C('medianHours', 'Медиана, ч'), C('p90Hours', '90-й перцентиль, ч')],
    rows: await q.sla(ch, f, { groupBy: p.groupBy, now: now() }),
  }));

  table('ratings', groupBy, async (ch, f, p) => ({
    title: 'Оценки граждан',
    columns: [...ORG_CAT, C('rated', 'Оценок'), C('average', 'Средняя'), C('r1', '1'), C('r2', '2'), C('r3', '3'), C('r4', '4'), C('r5', '5'), C('repeatReviews', 'Повторных рассмотрений')],
    rows: await q.ratings(ch, f, { groupBy: p.groupBy }),
  }));

  table('rejections', {}, async (ch, f) => ({
    title: 'Отклонения на модерации',
    columns: [C('reason', 'Причина'), C('rejected', 'Отклонено'), C('share', 'Доля от поступивших')],
    rows: await q.rejections(ch, f),
  }));

  table('polls', {}, async (ch, f, p) => ({
    title: 'Голосования: явка',
    columns: [C('poll', 'Голосование'), C('votes', 'Голосов'), C('participants', 'Участников'), C('municipalities', 'Муниципалитетов'), C('firstAt', 'Первый голос'), C('lastAt', 'Последний голос')],
    rows: await q.pollTurnout(ch, f, { limit: p.limit }),
  }));

  table('polls/:poll', {}, async (ch, f, _p, req) => ({
    title: 'Итоги голосования',
    columns: [C('question', 'Вопрос'), C('option', 'Вариант'), C('votes', 'Голосов'), C('share', 'Доля')],
    rows: await q.pollResults(ch, String(req.params.poll).slice(0, 200), f),
  }));

  return router;
}

/**
 * The dashboard's own JSON endpoints under /api/v1/dashboard: the monitoring inbox with its corrections and
 * incident merges (moderators), and server-side SVG export of any analytics panel (any signed-in user).
 * Authentication is the workflow's middleware handed in by main.ts (bearer token or session cookie + CSRF header).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { PANELS, PANEL_TITLES, panelOption, type Municipality } from './charts.js';
import { correctionBody, inboxQuery, mergeBody, type Moderation, type ModerationResult } from '../lib/moderation.js';
import { refuseNulBody } from '../lib/http.js';
import { dashboardFilters, organizationNames, panelRows } from './panel-data.js';
import { renderSvg } from './svg.js';

interface ReqUser {
  id: string;
  roles: { role: string; organizationId: string | null }[];
}

const describe = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
const isModerator = (u: ReqUser | undefined) => !!u?.roles.some((r) => (r.role === 'moderator' || r.role === 'administrator') && r.organizationId === null);

export function createDashboardApi(deps: {
  db: pg.Pool;
  ch?: ClickHouseClient;
  requireAuth: RequestHandler;
  /** The workflow's inbox operations, bound to its database by main.ts: the workflow alone writes cases. */
  moderation: Moderation;
  municipalities: Municipality[];
  now?: () => Date;
}): Router {
  const router = express.Router();
  const now = deps.now ?? (() => new Date());
  const parseJson = express.json({ limit: '64kb' });
  const json: RequestHandler = (req, res, next) => parseJson(req, res, (err?: unknown) => (err ? next(err) : refuseNulBody(req, res, next)));
  const user = (req: Request) => (req as Request & { user?: ReqUser }).user;

  const moderators: RequestHandler = (req, res, next) => {
    if (!isModerator(user(req))) return void res.status(403).json({ error: 'only the monitoring team (moderators) works with the inbox' });
    next();
  };
  const send = <T>(res: Response, out: ModerationResult<T>) => (out.ok ? res.json(out.value) : res.status(out.status).json({ error: out.error }));
  const uuidParam = (req: Request, res: Response): string | undefined => {
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) return void res.status(400).json({ error: 'id must be a UUID' });
    return id.data;
  };

  router.get('/api/v1/dashboard/inbox', deps.requireAuth, moderators, async (req, res) => {
    const q = inboxQuery.safeParse(req.query);
    if (!q.success) return void res.status(400).json({ error: describe(q.error) });
    const [list, mark] = await Promise.all([deps.moderation.listInbox(q.data), deps.moderation.inboxMark()]);
    res.json({ ...list, mark, now: now().toISOString() });
  });

  router.get('/api/v1/dashboard/inbox/facets', deps.requireAuth, moderators, async (_req, res) => {
    res.json(await deps.moderation.inboxFacets());
  });

  // Polled by the inbox every few seconds: one cheap row, so new posts show up without a reload.
  router.get('/api/v1/dashboard/inbox/mark', deps.requireAuth, moderators, async (_req, res) => {
    res.json({ mark: await deps.moderation.inboxMark() });
  });

  router.post('/api/v1/dashboard/cases/:id/correction', deps.requireAuth, moderators, json, async (req, res) => {
    const id = uuidParam(req, res);
    if (!id) return;
    const body = correctionBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: describe(body.error) });
    send(res, await deps.moderation.correctCase(user(req)!.id, id, body.data));
  });

  router.post('/api/v1/dashboard/incidents/merge', deps.requireAuth, moderators, json, async (req, res) => {
    const body = mergeBody.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: describe(body.error) });
    send(res, await deps.moderation.mergeIncident(user(req)!.id, body.data));
  });

  router.post('/api/v1/dashboard/cases/:id/split', deps.requireAuth, moderators, async (req, res) => {
    const id = uuidParam(req, res);
    if (!id) return;
    send(res, await deps.moderation.splitIncident(user(req)!.id, id));
  });

  router.get('/api/v1/dashboard/export/:panel.svg', deps.requireAuth, async (req, res) => {
    const panel = z.enum(PANELS).safeParse(req.params.panel);
    if (!panel.success) return void res.status(404).json({ error: `no such panel; known: ${PANELS.join(', ')}` });
    const f = dashboardFilters.safeParse(req.query);
    if (!f.success) return void res.status(400).json({ error: describe(f.error) });
    if (!deps.ch) return void res.status(503).json({ error: 'analytics are not available in this process' });
    const rows = await panelRows(deps.ch, panel.data, f.data, now());
    const svg = renderSvg({ ...panelOption(panel.data, rows, { orgNames: await organizationNames(deps.db), municipalities: deps.municipalities }),
      title: { text: PANEL_TITLES[panel.data], left: 'center', top: 0, textStyle: { fontSize: 14 } } }, { width: 900, height: 460 });
    res.setHeader('content-type', 'image/svg+xml; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${panel.data}.svg"`);
    res.send(svg);
  });

  return router;
}

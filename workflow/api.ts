import express, { type Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { SOURCES } from '../lib/queues.js';
import { login, requireAuth, type AuthUser } from './auth.js';

const loginSchema = z.object({ login: z.string().min(1).max(200), password: z.string().min(1).max(500) });

const listCasesSchema = z.object({
  source: z.enum(SOURCES).optional(),
  status: z.string().max(50).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const REGION_WIDE = new Set(['administrator', 'moderator']);

/** Region-wide roles see every case; everyone else sees the cases of their organizations. */
function visibility(user: AuthUser): { all: boolean; organizationIds: string[] } {
  const all = user.roles.some((r) => REGION_WIDE.has(r.role));
  const organizationIds = [...new Set(user.roles.map((r) => r.organizationId).filter((x): x is string => !!x))];
  return { all, organizationIds };
}

export function createWorkflowApi(deps: { db: pg.Pool; tokenTtlHours: number }): Router {
  const router = express.Router();
  const auth = requireAuth(deps.db);

  router.post('/api/v1/auth/login', express.json({ limit: '10kb' }), async (req, res) => {
    const body = loginSchema.safeParse(req.body);
    if (!body.success) return void res.status(400).json({ error: 'login and password are required' });
    const session = await login(deps.db, body.data.login, body.data.password, deps.tokenTtlHours);
    if (!session) return void res.status(401).json({ error: 'wrong login or password' });
    res.json({ token: session.token, expiresAt: session.expiresAt.toISOString() });
  });

  router.get('/api/v1/cases', auth, async (req, res) => {
    const q = listCasesSchema.safeParse(req.query);
    if (!q.success) return void res.status(400).json({ error: q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const { all, organizationIds } = visibility(req.user!);
    const r = await deps.db.query(
      `select c.id, c.registration_number as "registrationNumber", c.status, c.category, c.confidence, c.kind,
              c.fast_track as "fastTrack", c.deadline_days as "deadlineDays", c.deadline_rule as "deadlineRule",
              c.municipality, c.organization_id as "organizationId", c.model_version as "modelVersion",
              c.registered_at as "registeredAt", c.deadline_at as "deadlineAt", m.source, m.external_id as "externalId",
              m.text, m.link, m.received_at as "receivedAt"
         from cases c join messages m on m.id = c.message_id
        where ($1::text is null or m.source = $1) and ($2::text is null or c.status = $2)
          and ($3::boolean or c.organization_id = any($4::uuid[]))
        order by c.registered_at desc, c.id
        limit $5 offset $6`,
      [q.data.source ?? null, q.data.status ?? null, all, organizationIds, q.data.limit, q.data.offset],
    );
    const now = Date.now();
    res.json({
      items: r.rows.map((row) => ({ ...row, daysLeft: Math.ceil((new Date(row.deadlineAt).getTime() - now) / 86_400_000) })),
      limit: q.data.limit,
      offset: q.data.offset,
    });
  });

  return router;
}

import express, { type RequestHandler, type Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { SOURCES } from '../lib/queues.js';
import { pgIntParam } from '../lib/request-schemas.js';
import type { StatsStore } from './stats.js';

const listSchema = z.object({
  source: z.enum(SOURCES).optional(),
  limit: pgIntParam.min(1).max(500).default(50),
  offset: pgIntParam.min(0).default(0),
});

/**
 * Stored messages of every channel, and the channels' counters. Authentication is the caller's middleware
 * (the workflow's bearer tokens), passed in so ingest never imports the workflow.
 */
export function createMessagesApi(deps: { db: pg.Pool; stats: StatsStore; requireAuth: RequestHandler; channels: () => Record<string, string> }): Router {
  const router = express.Router();
  router.get('/api/v1/messages', deps.requireAuth, async (req, res) => {
    const q = listSchema.safeParse(req.query);
    if (!q.success) return void res.status(400).json({ error: q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const r = await deps.db.query(
      `select m.id as "messageId", m.source, m.external_id as "externalId", m.author_hash as "authorHash", m.text, m.link,
              m.attachments, m.place, m.provenance, m.received_at as "receivedAt", c.registration_number as "registrationNumber"
         from messages m left join cases c on c.message_id = m.id
        where ($1::text is null or m.source = $1)
        order by m.received_at desc, m.id
        limit $2 offset $3`,
      [q.data.source ?? null, q.data.limit, q.data.offset],
    );
    res.json({ items: r.rows, limit: q.data.limit, offset: q.data.offset });
  });
  router.get('/api/v1/ingest/stats', deps.requireAuth, async (_req, res) => {
    res.json({ channels: deps.channels(), counters: await deps.stats.read() });
  });
  return router;
}

import express, { type Router } from 'express';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { summary } from './queries.js';

const rangeSchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

/** Aggregates only (no texts, no authors), so the summary is readable without a login, like published statistics. */
export function createAnalyticsApi(deps: { ch: ClickHouseClient }): Router {
  const router = express.Router();
  router.get('/api/v1/analytics/summary', async (req, res) => {
    const range = rangeSchema.safeParse(req.query);
    if (!range.success) return void res.status(400).json({ error: 'from/to must be ISO 8601 date-times' });
    const toCh = (iso?: string) => (iso ? new Date(iso).toISOString().replace('T', ' ').replace('Z', '') : undefined);
    res.json(await summary(deps.ch, { from: toCh(range.data.from), to: toCh(range.data.to) }));
  });
  return router;
}

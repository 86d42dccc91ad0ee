/**
 * Stored messages of every channel, and the channels' counters, for staff. Authentication is the builder's
 * (the workflow's bearer tokens, handed in by main.ts), and the messages come from the stage that owns them.
 */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../lib/api-builder.js';
import { readsRegionFigures } from '../lib/read-scope.js';
import { SOURCES } from '../lib/queues.js';
import { pgIntParam } from '../lib/request-schemas.js';
import { storedMessageSchema, type CaseLookups } from './case-lookups.js';
import { CHANNELS, type StatsStore } from './stats.js';

const channelStats = z.object({
  received: z.number(),
  failed: z.number(),
  sent: z.number(),
  rateLimited: z.number().describe('Times a network answered 429 and the channel slowed down'),
  dropped: z.record(z.string(), z.number()).describe('Dropped messages by reason'),
});

const listSchema = z.object({
  source: z.enum(SOURCES).optional(),
  limit: pgIntParam.min(1).max(500).default(50),
  offset: pgIntParam.min(0).default(0),
});

export function registerMessagesRoutes(api: ApiBuilder,
  deps: { cases: Pick<CaseLookups, 'listMessages' | 'figuresScope'>; stats: StatsStore; channels: () => Record<string, string> }): void
{
  api.route({ method: 'get', path: '/api/v1/messages', tag: 'ingest', errors: [],
    roles:
      "region administrators and moderators: every message; coordinators, leaders, curators: those of their organizations' cases; executors: those of cases assigned to them. Contacts only to those who work on the case",
    summary: 'Stored messages of every channel the caller may read, newest first, with the number of the case each became.', query: listSchema,
    response: z.object({ items: z.array(storedMessageSchema), limit: z.number(), offset: z.number() }) },
    async ({ user, query }) => ({ body: { items: await deps.cases.listMessages(user, query), limit: query.limit, offset: query.offset } }));

  api.route({ method: 'get', path: '/api/v1/ingest/stats', tag: 'ingest', roles: 'officials of the region (region-wide figures)',
    errors: { 403: 'Channel counters are region-wide figures' },
    summary: "Each channel's mode and what it took in: received, dropped (by reason), failed, sent, rate-limited.",
    response: z.object({ channels: z.record(z.string(), z.string()), counters: z.record(z.enum(CHANNELS), channelStats) }), guard: async (req) => {
      if (!readsRegionFigures(await deps.cases.figuresScope(req.user!))) throw new HttpError(403, 'channel counters are for the officials of the region');
    } }, async () => ({ body: { channels: deps.channels(), counters: await deps.stats.read() } }));
}

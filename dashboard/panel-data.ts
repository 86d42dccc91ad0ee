/**
 * Server-side panel data for SVG export and the weekly report: the same analytics queries and filters the
 * analytics API answers with, so a file or a printed page shows exactly what the screen showed.
 */
import fs from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { pollTurnout } from '../analytics/poll-queries.js';
import * as q from '../analytics/queries.js';
import { signalReaction } from '../analytics/signal-queries.js';
import { SOURCES } from '../lib/queues.js';
import { parseIsoDay, zonedInstant } from '../lib/region-time.js';
import { isoDay } from '../lib/request-schemas.js';
import { accessOf, readsTable, scopedFilters } from '../analytics/access.js';
import type { FiguresScope } from '../lib/read-scope.js';
import { PANELS, PANEL_SOURCES, type Municipality, type PanelName, type Row } from './charts.js';

/** A GET form sends an empty field as an empty string: the filter is then not set. */
const unlessBlank = <T extends z.ZodType>(schema: T, expected: string) =>
  z.union([z.literal(''), schema], { error: `expected ${expected}, or nothing` }).optional()
    .transform((v) => (v === '' ? undefined : v) as z.output<T> | undefined);
const day = unlessBlank(isoDay, 'a date YYYY-MM-DD');
const dim = unlessBlank(z.string().trim().min(1).max(300), 'at most 300 characters');

/** The dashboard's shared filters, as they appear in its URLs. */
export const dashboardFilters = z.object({
  from: day,
  to: day,
  source: unlessBlank(z.enum(SOURCES), `one of ${SOURCES.join(', ')}`),
  category: dim,
  municipality: dim,
  organization: unlessBlank(z.uuid(), 'an organization id (UUID)'),
});
export type DashboardFilters = z.infer<typeof dashboardFilters>;

/** The filters' days are days of `timeZone` (the region's for the report): `from` from its midnight, `to` before its midnight. */
export function toQueryFilters(f: DashboardFilters, timeZone = 'UTC'): q.Filters {
  const midnight = (day: string) => q.toChTime(zonedInstant(parseIsoDay(day), timeZone));
  return {
    from: f.from ? midnight(f.from) : q.ALL_TIME.from,
    to: f.to ? midnight(f.to) : q.ALL_TIME.to,
    timeZone,
    source: f.source,
    category: f.category,
    municipality: f.municipality,
    organization: f.organization,
  };
}

/** The kind of a panel's table: region-wide, an organization's, or live poll counts (analytics/access.ts). */
export const panelAccess = (p: PanelName) => accessOf(PANEL_SOURCES[p].path);

/** The panels this reader sees and exports, in page order. */
export const panelsFor = (scope: FiguresScope): PanelName[] => PANELS.filter((p) => readsTable(scope, panelAccess(p)));

/**
 * The organizations a reader's panel is cut to (undefined: all of them); 403 when the panel is not for the reader
 * (analytics/access.ts decides, as for the analytics API).
 */
export const panelOrganizations = (scope: FiguresScope, panel: PanelName, f: DashboardFilters): string[] | undefined =>
  scopedFilters(scope, panelAccess(panel), toQueryFilters(f)).organizations;

/** A panel's rows under the page's filters, only these organizations' when they are given. */
export async function panelRows(ch: ClickHouseClient, panel: PanelName, f: DashboardFilters, now: Date, organizations?: string[],
  timeZone?: string): Promise<Row[]>
{
  const filters = { ...toQueryFilters(f, timeZone), organizations };
  const p = PANEL_SOURCES[panel].params;
  switch (PANEL_SOURCES[panel].path) {
    case 'volume':
      return q.volume(ch, filters, { by: p.by as (typeof q.VOLUME_DIMENSIONS)[number], interval: p.interval as (typeof q.VOLUME_INTERVALS)[number] });
    case 'top-problems':
      return q.topProblems(ch, filters, { limit: Number(p.limit) });
    case 'sla':
      return q.sla(ch, filters, { groupBy: 'organization', now });
    case 'ratings':
      return q.ratings(ch, filters, { groupBy: 'organization' });
    case 'rising-topics':
      return q.risingTopics(ch, filters, { weeks: 4, minCount: Number(p.minCount), limit: Number(p.limit), now });
    case 'polls':
      return pollTurnout(ch, filters, { limit: Number(p.limit) });
    case 'signal-reaction':
      return signalReaction(ch, filters, { groupBy: 'municipality', now });
    default:
      return [];
  }
}

/** The region's municipalities for the tile map and the filter; an unreadable gazetteer leaves both empty. */
export function loadMunicipalities(file: string | undefined): Municipality[] {
  if (!file) return [];
  try {
    const g = JSON.parse(fs.readFileSync(file, 'utf8')) as { municipalities?: Municipality[] };
    return (g.municipalities ?? []).map((m) => ({ id: String(m.id), name: String(m.name), kind: String(m.kind) }));
  } catch {
    return [];
  }
}

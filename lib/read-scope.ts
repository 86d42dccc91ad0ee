/**
 * What an official may read outside the case pages, as the workflow decides it (workflow/read-scopes.ts) and main.ts
 * hands it to ingest (the messages listing, channel counters), analytics and the dashboard. Like the queue contracts,
 * it lets those stages enforce the workflow's role matrix without importing the workflow: they ask, it answers.
 */
import type { AuthUser } from './auth-user.js';

/**
 * The figures an official may read (analytics tables, exports, pages and channel counters):
 * - `region`: every figure of the region (officials of the region); `pollCounts`: also live poll counts, which
 *   only those who manage polls see before the results are published;
 * - `organizations`: only figures that belong to these organizations (SLA and ratings of their cases);
 * - `none`: no figures at all.
 */
export type FiguresScope =
  | { kind: 'region'; pollCounts: boolean }
  | { kind: 'organizations'; organizationIds: string[] }
  | { kind: 'none' };

export type FiguresScopeOf = (user: AuthUser) => Promise<FiguresScope>;

/** Region-wide figures: the region's officials only. */
export const readsRegionFigures = (s: FiguresScope): s is Extract<FiguresScope, { kind: 'region' }> => s.kind === 'region';

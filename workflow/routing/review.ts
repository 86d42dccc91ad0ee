/**
 * What the routing page reviews: how automatic routing has done (redirects, the threshold's history) and how a draft
 * table would have routed past cases. Reads only; decisions are recorded by store.ts.
 */
import type { DryRunResult } from '../../lib/routing-answers.js';
import { type Sql } from '../store/sql.js';
import { decideRoute, type RoutingRule } from './decide.js';
import { type CaseRoutingRow, factsOf, loadOrganizations, loadSettings, windowSinceLastChange } from './store.js';

/** The routing page's figures: automatic routes, redirects since the threshold last changed, and its history. */
export async function routingStats(sql: Sql) {
  const [settings, totals, window, history, examples] = await Promise.all([
    loadSettings(sql),
    sql.query<{ autoRoutes: number; redirected: number; toCoordinator: number }>(
      `select count(*) filter (where routed_automatically)::int as "autoRoutes",
              count(auto_route_redirected_at)::int as redirected,
              count(*) filter (where not routed_automatically and routing_source in ('table', 'model', 'none'))::int as "toCoordinator"
         from cases`,
    ),
    windowSinceLastChange(sql),
    sql.query(
      `select at, threshold, previous, actor, reason, auto_routes as "autoRoutes", redirected from routing_threshold_history order by id desc limit 100`,
    ),
    sql.query<{ n: number }>('select count(*)::int as n from routing_examples'),
  ]);
  const counts = totals.rows[0]!;
  return {
    threshold: settings.threshold,
    targetRedirectRate: settings.targetRedirectRate,
    autoRoutes: counts.autoRoutes,
    redirected: counts.redirected,
    rate: counts.autoRoutes ? counts.redirected / counts.autoRoutes : 0,
    toCoordinator: counts.toCoordinator,
    sinceLastChange: { autoRoutes: window.autoRoutes, redirected: window.redirected, since: window.since,
      rate: window.autoRoutes ? window.redirected / window.autoRoutes : 0 },
    routingExamples: examples.rows[0]!.n,
    thresholdHistory: history.rows,
  };
}

/** How the cases registered in [from, to) would have been routed under `rules`, with today's policy and organizations. */
export async function dryRun(sql: Sql, rules: RoutingRule[], from: Date, to: Date): Promise<DryRunResult> {
  const [settings, orgs, rows] = await Promise.all([
    loadSettings(sql),
    loadOrganizations(sql),
    sql.query<CaseRoutingRow & { organization_id: string | null }>(
      `select c.category, c.municipality, m.provenance, c.routing_suggestions as suggestions, c.organization_id
         from cases c join messages m on m.id = c.message_id where c.registered_at >= $1 and c.registered_at < $2`,
      [from, to],
    ),
  ]);
  const byOrg = new Map<string, number>();
  const byReason: Record<string, number> = {};
  let automatic = 0, toCoordinator = 0, unrouted = 0, changed = 0;
  for (const row of rows.rows) {
    const decision = decideRoute(factsOf(row), rules, settings, orgs);
    byReason[decision.reason] = (byReason[decision.reason] ?? 0) + 1;
    if (decision.kind === 'none') {
      unrouted++;
      continue;
    }
    if (decision.kind === 'auto') automatic++;
    else toCoordinator++;
    byOrg.set(decision.organizationId, (byOrg.get(decision.organizationId) ?? 0) + 1);
    if (row.organization_id && row.organization_id !== decision.organizationId) changed++;
  }
  const names = new Map(orgs.map((o) => [o.id, o.name]));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    total: rows.rows.length,
    automatic,
    toCoordinator,
    unrouted,
    changed,
    byOrganization: [...byOrg].map(([organizationId, count]) => ({ organizationId, name: names.get(organizationId) ?? '', count }))
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
    byReason,
  };
}

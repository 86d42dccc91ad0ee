/**
 * Routing in PostgreSQL: the versioned routing table, the region's policy, the decision recorded on a case, redirects
 * kept as training examples, the self-adjusting threshold, statistics and the dry run. Functions take `Sql` (a pool
 * or a client inside the caller's transaction), so a route or a redirect commits together with its case transition.
 */
import fs from 'node:fs';
import type pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { withTransaction } from '../../lib/transaction.js';
import { STAFFING_COLUMNS } from '../store/organizations.js';
import { pgCode, type Sql } from '../store/sql.js';
import { recordAudit, type AuditEntry } from '../store/audit.js';
import { adjustThreshold, decideRoute, describeDecision, readiness, resolveOrganization, routingRulesSchema, type CaseFacts, type OrgInfo, type RouteDecision,
  type RoutingPolicy, type RoutingRule, type Suggestion } from './decide.js';

export interface RoutingSettings extends RoutingPolicy {
  targetRedirectRate: number;
  thresholdFloor: number;
  thresholdCeiling: number;
  adjustMinSample: number;
}

export interface TableVersion {
  version: number;
  rules: RoutingRule[];
  comment: string;
  createdBy: string;
  createdAt: Date;
}

export async function loadSettings(sql: Sql, forUpdate = false): Promise<RoutingSettings> {
  const r = await sql.query<RoutingSettings>(
    `select threshold, auto_routing as "autoRouting", coordinating_organization as "coordinatingOrganization",
            target_redirect_rate as "targetRedirectRate", threshold_floor as "thresholdFloor", threshold_ceiling as "thresholdCeiling",
            adjust_min_sample as "adjustMinSample"
       from routing_settings ${forUpdate ? 'for update' : ''}`,
  );
  return r.rows[0]!;
}

export async function loadOrganizations(sql: Sql): Promise<OrgInfo[]> {
  const r = await sql.query<OrgInfo>(
    `select o.id, o.name, o.code, o.training_confirmed as "trainingConfirmed", o.ready_confirmed as "readyConfirmed",
            ${STAFFING_COLUMNS}
       from organizations o`,
  );
  return r.rows;
}

export async function currentTable(sql: Sql): Promise<TableVersion | undefined> {
  const r = await sql.query<TableVersion>(
    `select version, rules, comment, created_by as "createdBy", created_at as "createdAt" from routing_table_versions order by version desc limit 1`,
  );
  return r.rows[0];
}

export async function listVersions(sql: Sql): Promise<Omit<TableVersion, 'rules'>[]> {
  const r = await sql.query(
    `select version, comment, created_by as "createdBy", created_at as "createdAt", jsonb_array_length(rules) as "ruleCount"
       from routing_table_versions order by version desc`,
  );
  return r.rows;
}

export async function tableVersion(sql: Sql, version: number): Promise<TableVersion | undefined> {
  const r = await sql.query<TableVersion>(
    `select version, rules, comment, created_by as "createdBy", created_at as "createdAt" from routing_table_versions where version = $1`,
    [version],
  );
  return r.rows[0];
}

/** Each edit is a new version; concurrent edits get distinct numbers (the table's primary key decides). */
export async function publishTable(db: pg.Pool, rules: RoutingRule[], comment: string, actor: string, now: Date): Promise<TableVersion> {
  for (let attempt = 0;; attempt++) {
    try {
      const r = await db.query<TableVersion>(
        `insert into routing_table_versions (version, rules, comment, created_by, created_at)
         select coalesce(max(version), 0) + 1, $1, $2, $3, $4 from routing_table_versions
         returning version, rules, comment, created_by as "createdBy", created_at as "createdAt"`,
        [JSON.stringify(rules), comment, actor, now],
      );
      return r.rows[0]!;
    } catch (err) {
      if ((err as { code?: string }).code !== '23505' || attempt >= 5) throw err;
    }
  }
}

/** Where a case's place and rubric come from: the classification's municipality, a channel's district / reason. */
export interface CaseRoutingRow {
  category: string;
  municipality: string | null;
  provenance: Record<string, string>;
  suggestions: Suggestion[];
}

export const factsOf = (r: CaseRoutingRow): CaseFacts => ({
  category: r.category,
  municipality: r.municipality,
  district: r.provenance?.district ?? null,
  reason: r.provenance?.reason ?? null,
  suggestions: r.suggestions ?? [],
});

export interface RoutedCase {
  decision: RouteDecision;
  version: number | null;
  threshold: number;
  comment: string;
}

/** The automatic route of one case under the current table, policy and organizations. */
export async function chooseRoute(sql: Sql, caseId: string): Promise<RoutedCase> {
  const r = await sql.query<CaseRoutingRow>(
    `select c.category, c.municipality, m.provenance, c.routing_suggestions as suggestions
       from cases c join messages m on m.id = c.message_id where c.id = $1`,
    [caseId],
  );
  // One after another: inside a transaction `sql` is a single client, which runs one query at a time.
  const settings = await loadSettings(sql);
  const table = await currentTable(sql);
  const orgs = await loadOrganizations(sql);
  const decision = decideRoute(factsOf(r.rows[0]!), table?.rules ?? [], settings, orgs);
  return { decision, version: table?.version ?? null, threshold: settings.threshold, comment: describeDecision(decision, settings.threshold, orgs) };
}

/** Stamps the case with how it was routed; an automatic route may then move the threshold (down, slowly). */
export async function recordRoute(sql: Sql, caseId: string, routed: RoutedCase, now: Date): Promise<void> {
  const d = routed.decision;
  await sql.query(
    `update cases set routing_version = $2, routing_source = $3, routing_reason = $4, routed_automatically = $5, routed_at = $6 where id = $1`,
    [caseId, routed.version, d.kind === 'none' ? 'none' : d.source, d.reason, d.kind === 'auto', now],
  );
  if (d.kind === 'auto') await maybeAdjustThreshold(sql, 'system', now);
}

export async function recordManualRoute(sql: Sql, caseId: string, now: Date): Promise<void> {
  const table = await currentTable(sql);
  await sql.query(
    `update cases set routing_version = $2, routing_source = 'manual', routing_reason = null, routed_automatically = false, routed_at = $3 where id = $1`,
    [caseId, table?.version ?? null, now],
  );
}

const labelOf = (o: { code: string | null; name: string }) => o.code || o.name;

/**
 * A redirect is a correction: the text and place went to `from`, a person decided `to`. It becomes a training example,
 * and when it corrects an automatic route, it counts against the threshold.
 */
export async function recordRedirect(sql: Sql,
  x: { caseId: string; fromOrganizationId: string | null; toOrganizationId: string; actor: string; now: Date }): Promise<void>
{
  const c = await sql.query<
    { text: string; category: string; municipality: string | null; provenance: Record<string, string>; routed_automatically: boolean;
      auto_route_redirected_at: Date | null }
  >(
    `select m.text, c.category, c.municipality, m.provenance, c.routed_automatically, c.auto_route_redirected_at
       from cases c join messages m on m.id = c.message_id where c.id = $1`,
    [x.caseId],
  );
  const row = c.rows[0]!;
  const orgs = await sql.query<{ id: string; code: string | null; name: string }>('select id, code, name from organizations where id = any($1::uuid[])', [
    [x.fromOrganizationId, x.toOrganizationId].filter(Boolean),
  ]);
  const from = orgs.rows.find((o) => o.id === x.fromOrganizationId);
  const to = orgs.rows.find((o) => o.id === x.toOrganizationId)!;
  const context: Record<string, string> = {};
  const district = row.provenance?.district ?? row.municipality;
  if (district) context.district = district;
  if (row.municipality) context.municipality = row.municipality;
  const correctsAutoRoute = row.routed_automatically && !row.auto_route_redirected_at;
  await sql.query(
    `insert into routing_examples (case_id, text, context, category, from_organization_id, from_label, to_organization_id, to_label, automatic_route, actor, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [x.caseId, row.text, JSON.stringify(context), row.category, from?.id ?? null, from ? labelOf(from) : null, to.id, labelOf(to), correctsAutoRoute, x.actor,
      x.now],
  );
  if (correctsAutoRoute) {
    await sql.query('update cases set auto_route_redirected_at = $2 where id = $1', [x.caseId, x.now]);
    await maybeAdjustThreshold(sql, 'system', x.now);
  }
}

interface WindowCounts {
  autoRoutes: number;
  redirected: number;
  since: Date | null;
}

export async function windowSinceLastChange(sql: Sql): Promise<WindowCounts> {
  const r = await sql.query<WindowCounts>(
    `with last as (select max(at) as since from routing_threshold_history)
     select count(*)::int as "autoRoutes", count(c.auto_route_redirected_at)::int as redirected, (select since from last) as since
       from cases c where c.routed_automatically and ((select since from last) is null or c.routed_at > (select since from last))`,
  );
  return r.rows[0]!;
}

/** Applies the rule of `adjustThreshold` to the automatic routes made since the last change; records any change. */
export async function maybeAdjustThreshold(sql: Sql, actor: string, now: Date): Promise<{ threshold: number; reason: string } | undefined> {
  const s = await loadSettings(sql, true);
  const w = await windowSinceLastChange(sql);
  const change = adjustThreshold({ threshold: s.threshold, targetRate: s.targetRedirectRate, floor: s.thresholdFloor, ceiling: s.thresholdCeiling,
    minSample: s.adjustMinSample }, w.autoRoutes, w.redirected);
  if (!change) return undefined;
  await setThreshold(sql, change.threshold, s.threshold, actor, change.reason, now, w);
  return change;
}

export async function setThreshold(sql: Sql, threshold: number, previous: number, actor: string, reason: string, now: Date,
  counts?: { autoRoutes: number; redirected: number }): Promise<void>
{
  await sql.query('update routing_settings set threshold = $1, updated_at = $2', [threshold, now]);
  await sql.query(
    `insert into routing_threshold_history (at, threshold, previous, actor, reason, auto_routes, redirected) values ($1, $2, $3, $4, $5, $6, $7)`,
    [now, threshold, previous, actor, reason, counts?.autoRoutes ?? null, counts?.redirected ?? null],
  );
}

export interface SettingsChange {
  threshold?: number;
  coordinatingOrganization?: string | null;
  autoRouting?: boolean;
  targetRedirectRate?: number;
  thresholdFloor?: number;
  thresholdCeiling?: number;
  adjustMinSample?: number;
}

/** Changes the settings given; a threshold change is also recorded in the threshold history. Returns the settings now. */
export async function updateSettings(db: pg.Pool, change: SettingsChange, by: { actor: string; reason: string; now: Date }): Promise<RoutingSettings> {
  return withTransaction(db, async (sql) => {
    const before = await loadSettings(sql, true);
    const cols: Record<string, unknown> = {
      coordinating_organization: change.coordinatingOrganization,
      auto_routing: change.autoRouting,
      target_redirect_rate: change.targetRedirectRate,
      threshold_floor: change.thresholdFloor,
      threshold_ceiling: change.thresholdCeiling,
      adjust_min_sample: change.adjustMinSample,
    };
    const set = Object.entries(cols).filter(([, v]) => v !== undefined);
    if (set.length) {
      await sql.query(`update routing_settings set ${set.map(([k], i) => `${k} = $${i + 2}`).join(', ')}, updated_at = $1`, [by.now, ...set.map(([, v]) => v)]);
    }
    if (change.threshold !== undefined && change.threshold !== before.threshold) {
      await setThreshold(sql, change.threshold, before.threshold, by.actor, by.reason, by.now);
    }
    return loadSettings(sql);
  });
}

/**
 * Sets (or clears) an organization's code with its audit entry in one transaction; `taken` when another organization
 * has it. A refusal writes neither.
 */
export async function setOrganizationCode(db: pg.Pool, id: string, code: string | null,
  audit?: AuditEntry): Promise<{ id: string; name: string; code: string | null } | 'not-found' | 'taken'>
{
  try {
    return await withTransaction(db, async (sql) => {
      const r = await sql.query<{ id: string; name: string; code: string | null }>('update organizations set code = $2 where id = $1 returning id, name, code',
        [id, code]);
      if (!r.rows[0]) return 'not-found';
      if (audit) await recordAudit(sql, audit);
      return r.rows[0];
    });
  } catch (err) {
    if (pgCode(err) === '23505') return 'taken';
    throw err;
  }
}

/** Suggestions as the coordinator sees them: the model's label, its confidence and the organization it names here. */
export async function describeSuggestions(sql: Sql, suggestions: Suggestion[]) {
  if (suggestions.length === 0) return [];
  const orgs = await loadOrganizations(sql);
  return suggestions.map((s) => {
    const o = resolveOrganization(orgs, s.organization);
    return { organization: s.organization, score: s.score, organizationId: o?.id ?? null, organizationName: o?.name ?? null, ready: o ? !readiness(o) : false };
  });
}

export const routingFileSchema = z.object({
  threshold: z.number().min(0).max(1).optional(),
  coordinatingOrganization: z.string().min(1).optional(),
  autoRouting: z.boolean().optional(),
  targetRedirectRate: z.number().min(0).max(1).optional(),
  thresholdFloor: z.number().min(0).max(1).optional(),
  thresholdCeiling: z.number().min(0).max(1).optional(),
  adjustMinSample: z.number().int().min(1).optional(),
  rules: routingRulesSchema.default([]),
}).strict();

/**
 * First start of a region: the routing table and policy come from config/routing.yaml. Later starts change nothing —
 * from then on the table is edited through the API, and every edit is a version.
 */
export async function seedRouting(db: pg.Pool, file: string, now: Date = new Date()): Promise<number | undefined> {
  if (!fs.existsSync(file)) return undefined;
  const parsed = routingFileSchema.safeParse(parseYaml(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const seed = parsed.data;
  return withTransaction(db, async (client) => {
    const ins = await client.query(
      `insert into routing_table_versions (version, rules, comment, created_by, created_at) values (1, $1, $2, 'system', $3) on conflict do nothing`,
      [JSON.stringify(seed.rules), `Первая версия из файла ${file.split('/').pop()}`, now],
    );
    if (ins.rowCount !== 1) return undefined;
    await client.query(
      `update routing_settings set threshold = coalesce($1, threshold), coordinating_organization = coalesce($2, coordinating_organization),
         auto_routing = coalesce($3, auto_routing), target_redirect_rate = coalesce($4, target_redirect_rate),
         threshold_floor = coalesce($5, threshold_floor), threshold_ceiling = coalesce($6, threshold_ceiling),
         adjust_min_sample = coalesce($7, adjust_min_sample), updated_at = $8`,
      [seed.threshold ?? null, seed.coordinatingOrganization ?? null, seed.autoRouting ?? null, seed.targetRedirectRate ?? null, seed.thresholdFloor ?? null,
        seed.thresholdCeiling ?? null, seed.adjustMinSample ?? null, now],
    );
    return 1;
  });
}

/** Redirect examples as flat JSON lines: `otklik train --data FILE --text text --label organization --context district`. */
export async function exportExamples(sql: Sql, write: (line: string) => void | Promise<void>): Promise<number> {
  const r = await sql.query<{ text: string; context: Record<string, string>; category: string; to_label: string; from_label: string | null; created_at: Date }>(
    'select text, context, category, to_label, from_label, created_at from routing_examples order by id',
  );
  for (const x of r.rows) {
    await write(
      `${
        JSON.stringify({ text: x.text, organization: x.to_label, district: x.context.district ?? '', municipality: x.context.municipality ?? '',
          category: x.category, from: x.from_label ?? '', at: x.created_at.toISOString() })
      }\n`,
    );
  }
  return r.rowCount ?? 0;
}

/** What the case detail shows about routing: the top organizations with confidence, and how the case was routed. */
export async function routingOfCase(sql: Sql, caseId: string) {
  const r = await sql.query<
    { suggestions: Suggestion[]; version: number | null; source: string | null; reason: string | null; automatic: boolean; redirectedAt: Date | null }
  >(
    `select routing_suggestions as suggestions, routing_version as version, routing_source as source, routing_reason as reason,
            routed_automatically as automatic, auto_route_redirected_at as "redirectedAt" from cases where id = $1`,
    [caseId],
  );
  const x = r.rows[0];
  if (!x) return { routingSuggestions: [], routing: null };
  return {
    routingSuggestions: await describeSuggestions(sql, x.suggestions ?? []),
    routing: x.source ? { tableVersion: x.version, source: x.source, reason: x.reason, automatic: x.automatic, autoRouteRedirectedAt: x.redirectedAt } : null,
  };
}

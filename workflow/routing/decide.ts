/**
 * Routing decisions as pure functions: which organization a case goes to, why, and whether that was automatic;
 * how the automatic-routing threshold follows the redirect rate. No database here: workflow/routing/store.ts loads
 * the inputs and records the outputs, and the dry run reuses the very same `decideRoute`.
 */
import { z } from 'zod';
import { ruPercent } from '../../lib/format.js';

/** (category | reason) × (municipality | district | '*') → organization (its code or name). */
export const routingRuleSchema = z.object({
  category: z.string().trim().min(1).max(300).optional(),
  reason: z.string().trim().min(1).max(300).optional(),
  municipality: z.string().trim().min(1).max(300).optional(),
  district: z.string().trim().min(1).max(300).optional(),
  organization: z.string().trim().min(1).max(500),
}).strict()
  .refine((r) => (r.category ? 1 : 0) + (r.reason ? 1 : 0) === 1, 'a rule names exactly one of category or reason')
  .refine((r) => !(r.municipality && r.district), 'a rule names a municipality or a district, not both (neither = any place)');
export type RoutingRule = z.infer<typeof routingRuleSchema>;
export const routingRulesSchema = z.array(routingRuleSchema).max(5000);

export interface Suggestion {
  organization: string;
  score: number;
}

export interface CaseFacts {
  category: string;
  reason?: string | null;
  municipality?: string | null;
  district?: string | null;
  suggestions: Suggestion[];
}

export interface OrgInfo {
  id: string;
  name: string;
  code: string | null;
  trainingConfirmed: boolean;
  readyConfirmed: boolean;
  /** At least one active, activated user holds the coordinator role in it. */
  hasCoordinator: boolean;
  /** At least one active, activated user holds the leader role in it. */
  hasLeader: boolean;
  /** The coordinator and the leader can be two different people (ПОС: at least two responsible people, a leader among them). */
  hasTwoPeople: boolean;
}

export interface RoutingPolicy {
  threshold: number;
  autoRouting: boolean;
  /** Code or name of the region's coordinating organization. */
  coordinatingOrganization: string | null;
}

export type RoutingReason = 'table-rule' | 'model-confident' | 'below-threshold' | 'not-ready' | 'no-coordinator' | 'no-leader' | 'one-person'
  | 'unknown-organization' | 'no-suggestions' | 'auto-routing-off';

export type RouteDecision =
  | { kind: 'auto'; organizationId: string; source: 'table' | 'model'; reason: RoutingReason; label: string; score: number; rule?: RoutingRule }
  /** No organization could be chosen automatically: the region's coordinator decides. */
  | { kind: 'coordinator'; organizationId: string; source: 'table' | 'model' | 'none'; reason: RoutingReason; label?: string; score?: number }
  /**
   * Not even a coordinating organization that can take the case (none configured, or it has no active coordinator
   * or leader: `coordinatorUnstaffed`): a person must name the organization.
   */
  | { kind: 'none'; reason: RoutingReason; label?: string; score?: number; coordinatorUnstaffed?: { name: string; reason: RoutingReason } };

const norm = (s: string | null | undefined) => (s ?? '').trim().toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ');

/** Model labels and rule targets name organizations by code or by name (case- and ё-insensitive). */
export function resolveOrganization(orgs: readonly OrgInfo[], label: string): OrgInfo | undefined {
  const key = norm(label);
  if (!key) return undefined;
  return orgs.find((o) => o.code && norm(o.code) === key) ?? orgs.find((o) => norm(o.name) === key);
}

/** The most specific rule wins: reason over category, district over municipality over any place; then list order. */
export function matchRule(rules: readonly RoutingRule[], c: Pick<CaseFacts, 'category' | 'reason' | 'municipality' | 'district'>): RoutingRule | undefined {
  let best: RoutingRule | undefined;
  let bestRank = -1;
  for (const r of rules) {
    if (r.category !== undefined && norm(r.category) !== norm(c.category)) continue;
    if (r.reason !== undefined && (!c.reason || norm(r.reason) !== norm(c.reason))) continue;
    if (r.municipality !== undefined && (!c.municipality || norm(r.municipality) !== norm(c.municipality))) continue;
    if (r.district !== undefined && (!c.district || norm(r.district) !== norm(c.district))) continue;
    const rank = (r.reason ? 4 : 0) + (r.district ? 2 : r.municipality ? 1 : 0);
    if (rank > bestRank) {
      best = r;
      bestRank = rank;
    }
  }
  return best;
}

/**
 * ПОС: an organization that can receive cases can answer them — it has at least two responsible people: an active
 * coordinator (who routes and assigns) and an active leader (who approves answers), not one person holding both.
 * Without them, no routing sends it a case, by hand or automatically.
 */
export function staffing(o: Pick<OrgInfo, 'hasCoordinator' | 'hasLeader' | 'hasTwoPeople'>): 'no-coordinator' | 'no-leader' | 'one-person' | undefined {
  if (!o.hasCoordinator) return 'no-coordinator';
  if (!o.hasLeader) return 'no-leader';
  if (!o.hasTwoPeople) return 'one-person';
  return undefined;
}

/** Why a person cannot route a case to this organization (UI text, Russian); undefined when they can. */
export function staffingRefusal(o: Pick<OrgInfo, 'name' | 'hasCoordinator' | 'hasLeader' | 'hasTwoPeople'>): string | undefined {
  const missing = [!o.hasCoordinator && 'активного координатора', !o.hasLeader && 'активного руководителя'].filter(Boolean);
  const why = missing.length ? `в ней нет ${missing.join(' и ')}` : !o.hasTwoPeople ? 'координатор и руководитель в ней — один и тот же человек' : undefined;
  if (!why) return undefined;
  return `Организация «${o.name}» не может получать обращения: ${why}. ПОС требует назначить ответственных `
    + '(минимум два человека, включая руководителя): назначьте роли в организации или выберите другую.';
}

/** ПОС: an organization that has not confirmed training and readiness, or cannot answer, gets nothing automatically. */
export function readiness(o: OrgInfo): RoutingReason | undefined {
  if (!o.trainingConfirmed || !o.readyConfirmed) return 'not-ready';
  return staffing(o);
}

export function decideRoute(c: CaseFacts, rules: readonly RoutingRule[], policy: RoutingPolicy, orgs: readonly OrgInfo[]): RouteDecision {
  const coordinating = policy.coordinatingOrganization ? resolveOrganization(orgs, policy.coordinatingOrganization) : undefined;
  // The region's coordinator gets what nobody else can take, as long as it can answer itself.
  const unstaffed = coordinating ? staffing(coordinating) : undefined;
  const fallback = (source: 'table' | 'model' | 'none', reason: RoutingReason, label?: string, score?: number): RouteDecision =>
    coordinating && !unstaffed
      ? { kind: 'coordinator', organizationId: coordinating.id, source, reason, ...(label ? { label } : {}), ...(score !== undefined ? { score } : {}) }
      : { kind: 'none', reason, ...(label ? { label } : {}), ...(score !== undefined ? { score } : {}),
        ...(coordinating && unstaffed ? { coordinatorUnstaffed: { name: coordinating.name, reason: unstaffed } } : {}) };

  if (!policy.autoRouting) return fallback('none', 'auto-routing-off');
  const rule = matchRule(rules, c);
  if (rule) {
    const org = resolveOrganization(orgs, rule.organization);
    if (!org) return fallback('table', 'unknown-organization', rule.organization, 1);
    const notReady = readiness(org);
    if (notReady) return fallback('table', notReady, rule.organization, 1);
    return { kind: 'auto', organizationId: org.id, source: 'table', reason: 'table-rule', label: rule.organization, score: 1, rule };
  }
  const top = c.suggestions[0];
  if (!top) return fallback('none', 'no-suggestions');
  if (top.score < policy.threshold) return fallback('model', 'below-threshold', top.organization, top.score);
  const org = resolveOrganization(orgs, top.organization);
  if (!org) return fallback('model', 'unknown-organization', top.organization, top.score);
  const notReady = readiness(org);
  if (notReady) return fallback('model', notReady, top.organization, top.score);
  return { kind: 'auto', organizationId: org.id, source: 'model', reason: 'model-confident', label: top.organization, score: top.score };
}

/** The case log's comment (UI text, Russian): organizations by name, never by their routing code. */
export function describeDecision(d: RouteDecision, threshold: number, orgs: readonly OrgInfo[] = []): string {
  const named = d.label ? resolveOrganization(orgs, d.label)?.name ?? d.label : undefined;
  const who = named ? `«${named}»` : 'организация';
  const pct = (x: number | undefined) => ruPercent(x ?? 0, 0);
  switch (d.reason) {
    case 'table-rule':
      return `Маршрутизировано автоматически по таблице маршрутизации: ${who}.`;
    case 'model-confident':
      return `Маршрутизировано автоматически моделью: ${who}, уверенность ${pct(d.score)} (порог ${pct(threshold)}).`;
    case 'below-threshold':
      return `Направлено координатору региона: уверенность модели ${pct(d.score)} ниже порога ${pct(threshold)} (предложение: ${who}).`;
    case 'not-ready':
      return `Направлено координатору региона: ${who} не подтвердила обучение и готовность к работе.`;
    case 'no-coordinator':
      return `Направлено координатору региона: в организации ${who} нет активного координатора.`;
    case 'no-leader':
      return `Направлено координатору региона: в организации ${who} нет активного руководителя.`;
    case 'one-person':
      return `Направлено координатору региона: в организации ${who} координатор и руководитель — один и тот же человек.`;
    case 'unknown-organization':
      return `Направлено координатору региона: организация ${who} не найдена в справочнике.`;
    case 'no-suggestions':
      return 'Направлено координатору региона: нет ни правила маршрутизации, ни подсказки модели.';
    case 'auto-routing-off':
      return 'Направлено координатору региона: автоматическая маршрутизация выключена.';
  }
}

export interface ThresholdPolicy {
  threshold: number;
  targetRate: number;
  floor: number;
  ceiling: number;
  /** Auto-routes needed since the last change before the rate is trusted. */
  minSample: number;
}

/** Raising is fast (a wrong route costs a citizen days); lowering is slow and only when the rate is well below target. */
export const THRESHOLD_STEP_UP = 0.05;
export const THRESHOLD_STEP_DOWN = 0.01;

/**
 * The self-adjusting threshold. `autoRoutes` and `redirected` count automatic routes made since the last threshold
 * change (so one batch of evidence moves it once). Above the target rate the threshold rises (fewer automatic
 * routes); below half the target it falls slowly toward the floor.
 */
export function adjustThreshold(p: ThresholdPolicy, autoRoutes: number, redirected: number): { threshold: number; reason: string } | undefined {
  if (autoRoutes < p.minSample || autoRoutes === 0) return undefined;
  const rate = redirected / autoRoutes;
  const pct = (x: number) => ruPercent(x, 1);
  if (rate > p.targetRate && p.threshold < p.ceiling) {
    const next = round3(Math.min(p.ceiling, p.threshold + THRESHOLD_STEP_UP));
    return { threshold: next, reason: `доля перенаправлений ${pct(rate)} (${redirected} из ${autoRoutes}) выше целевой ${pct(p.targetRate)}: порог повышен` };
  }
  if (rate < p.targetRate / 2 && p.threshold > p.floor) {
    const next = round3(Math.max(p.floor, p.threshold - THRESHOLD_STEP_DOWN));
    return { threshold: next,
      reason: `доля перенаправлений ${pct(rate)} (${redirected} из ${autoRoutes}) ниже половины целевой ${pct(p.targetRate)}: порог понижен` };
  }
  return undefined;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

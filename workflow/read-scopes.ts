/**
 * What an official reads beyond one case page, decided here for every stage that shows it: the cases and messages
 * of a listing (the case routes, ingest's messages listing) and the figures of analytics, exports and pages
 * (lib/read-scope.ts). The rules are rules.ts's; this module adds what they need from the organizations' hierarchy.
 */
import type { AuthUser } from '../lib/auth-user.js';
import type { FiguresScope } from '../lib/read-scope.js';
import { isRegionOfficial, managesPolls, orgsWithRole, ORG_CASE_READERS, ORG_FIGURES_READERS, REGION_FIGURES_ORG_ROLES, SUBTREE_READERS,
  type Actor } from './rules.js';
import { organizationsBelow, regionGovernmentIds } from './store/organizations.js';
import type { Sql } from './store/sql.js';

/** The actor with the sub-organizations below the ones they lead or curate (read access down the hierarchy). */
export async function withSubtree<U extends AuthUser>(db: Sql, user: U): Promise<U & Actor> {
  const roots = orgsWithRole(user, SUBTREE_READERS);
  if (roots.length === 0) return user;
  return { ...user, subtreeOrganizationIds: await organizationsBelow(db, roots) };
}

/** Whose cases a listing shows: every case, or those of these organizations and those assigned to the user. */
export interface CaseScope {
  readsAll: boolean;
  organizationIds: string[];
  userId: string;
}

export function caseScopeOf(actor: Actor): CaseScope {
  return {
    readsAll: isRegionOfficial(actor),
    userId: actor.id,
    organizationIds: [...new Set([...orgsWithRole(actor, ORG_CASE_READERS), ...(actor.subtreeOrganizationIds ?? [])])],
  };
}

/** The figures the user reads (see FiguresScope): the region's, their organizations' (with those below), or none. */
export async function figuresScope(db: Sql, user: AuthUser): Promise<FiguresScope> {
  if (isRegionOfficial(user)) return { kind: 'region', pollCounts: managesPolls(user) };
  const governing = orgsWithRole(user, REGION_FIGURES_ORG_ROLES);
  if (governing.length && (await regionGovernmentIds(db, governing)).length) return { kind: 'region', pollCounts: false };
  const own = orgsWithRole(user, ORG_FIGURES_READERS);
  if (own.length === 0) return { kind: 'none' };
  const below = governing.length ? await organizationsBelow(db, governing) : [];
  return { kind: 'organizations', organizationIds: [...new Set([...own, ...below])] };
}

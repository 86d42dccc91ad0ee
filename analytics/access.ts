/**
 * Which analytics tables an official reads, and under which filters. The workflow decides the official's figures
 * scope (lib/read-scope.ts); this module knows which tables are region-wide, which belong to organizations (their
 * rows carry one, so they can be cut to a reader's own) and which are live poll counts. The analytics API and the
 * dashboard's exports and pages ask it alike, so JSON, CSV, XLSX, SVG and the pages cannot disagree.
 */
import { HttpError } from '../lib/api-builder.js';
import type { FiguresScope } from '../lib/read-scope.js';
import { ORGANIZATION_TABLES, type Filters } from './queries.js';

export type TableAccess = 'region' | 'organization' | 'polls';

/** Who reads a table of each kind, in words, for the OpenAPI document. */
export const ACCESS_ROLES: Record<TableAccess, string> = {
  region: "officials of the region (region administrators and moderators, leaders and curators of the region's government)",
  organization: 'officials of the region: every organization; coordinators, leaders and curators: their organizations (leaders and curators also those below)',
  polls: 'those who manage polls (region administrators and moderators): the counts are live before the results are published',
};

/** The kind of an analytics table, by its path under /api/v1/analytics/. */
export const accessOf = (
  path: string,
): TableAccess => ((ORGANIZATION_TABLES as readonly string[]).includes(path) ? 'organization' : path.split('/')[0] === 'polls' ? 'polls' : 'region');

/** Whether the scope reads a table of this kind at all. */
export function readsTable(scope: FiguresScope, access: TableAccess): boolean {
  if (scope.kind === 'region') return access !== 'polls' || scope.pollCounts;
  return scope.kind === 'organizations' && access === 'organization';
}

/**
 * The filters this reader sees the table under; 403 when the table is not for them. A reader scoped to their
 * organizations gets only their rows, and may narrow to one of them (`organization`) but not to another.
 */
export function scopedFilters(scope: FiguresScope, access: TableAccess, f: Filters): Filters {
  if (scope.kind === 'none') throw new HttpError(403, 'your roles do not include analytics');
  if (!readsTable(scope, access)) {
    throw new HttpError(403, access === 'polls' ?
      'live poll counts are for those who manage polls'
      : "region-wide figures are for the officials of the region; your organizations' are in sla and ratings");
  }
  if (scope.kind === 'region') return f;
  if (f.organization && !scope.organizationIds.includes(f.organization)) throw new HttpError(403, 'you read the figures of your own organizations only');
  return { ...f, organizations: scope.organizationIds };
}

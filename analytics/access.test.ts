import { describe, expect, it } from 'vitest';
import type { FiguresScope } from '../lib/read-scope.js';
import { accessOf, readsTable, scopedFilters } from './access.js';
import { ALL_TIME } from './queries.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const region: FiguresScope = { kind: 'region', pollCounts: false };
const manager: FiguresScope = { kind: 'region', pollCounts: true };
const org: FiguresScope = { kind: 'organizations', organizationIds: [A] };
const none: FiguresScope = { kind: 'none' };
const status = (f: () => unknown) => {
  try {
    f();
    return 200;
  } catch (err) {
    return (err as { status: number }).status;
  }
};

describe('analytics access', () => {
  it("knows each table's kind by its path", () => {
    expect(['volume', 'incidents/:incident/mentions', 'rejections', 'sla', 'ratings', 'polls', 'polls/:poll'].map(accessOf))
      .toEqual(['region', 'region', 'region', 'organization', 'organization', 'polls', 'polls']);
  });
  it("lets the region read everything but live poll counts, which are the poll managers'", () => {
    expect([readsTable(region, 'region'), readsTable(region, 'organization'), readsTable(region, 'polls'), readsTable(manager, 'polls')])
      .toEqual([true, true, false, true]);
    expect(scopedFilters(region, 'organization', { ...ALL_TIME, organization: B })).toEqual({ ...ALL_TIME, organization: B });
  });
  it("cuts organization tables to the reader's organizations and refuses the rest", () => {
    expect(scopedFilters(org, 'organization', { ...ALL_TIME })).toEqual({ ...ALL_TIME, organizations: [A] });
    expect(scopedFilters(org, 'organization', { ...ALL_TIME, organization: A }).organizations).toEqual([A]);
    expect(status(() => scopedFilters(org, 'organization', { ...ALL_TIME, organization: B }))).toBe(403);
    expect(status(() => scopedFilters(org, 'region', { ...ALL_TIME }))).toBe(403);
    expect(status(() => scopedFilters(org, 'polls', { ...ALL_TIME }))).toBe(403);
    expect(['region', 'organization', 'polls'].map((a) => status(() => scopedFilters(none, a as 'region', { ...ALL_TIME })))).toEqual([403, 403, 403]);
  });
});

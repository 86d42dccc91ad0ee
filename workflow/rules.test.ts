import { describe, expect, it } from 'vitest';
import { availableActions, canReadCase, handlesCase, managesPolls, permission, type Actor, type CaseAccess } from './rules.js';

const ORG = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const actor = (id: string, roles: [string, string | null][]): Actor => ({ id, roles: roles.map(([role, organizationId]) => ({ role, organizationId })) });
const c = (o: Partial<CaseAccess>): CaseAccess => ({ status: 'routed', organizationId: ORG, executorId: null, rating: null, ...o });

const moderator = actor('m', [['moderator', null]]);
const coordinator = actor('c', [['coordinator', ORG]]);
const otherCoordinator = actor('oc', [['coordinator', OTHER]]);
const executor = actor('e', [['executor', ORG]]);
const leader = actor('l', [['leader', ORG]]);
const curator = actor('cu', [['curator', ORG]]);

describe('case visibility', () => {
  it('lets an executor read only what is assigned to them, and organizations only their own cases', () => {
    expect(canReadCase(executor, c({ executorId: 'e' }))).toBe(true);
    expect(canReadCase(executor, c({ executorId: 'someone' }))).toBe(false);
    expect(canReadCase(coordinator, c({}))).toBe(true);
    expect(canReadCase(otherCoordinator, c({}))).toBe(false);
    expect(canReadCase(curator, c({ status: 'closed' }))).toBe(true);
    expect(canReadCase(moderator, c({ organizationId: null, status: 'moderation' }))).toBe(true);
  });
  it('lets a curator of a parent organization read, not act on, the cases below it', () => {
    const parentCurator: Actor = { ...actor('pc', [['curator', OTHER]]), subtreeOrganizationIds: [ORG] };
    expect(canReadCase(parentCurator, c({}))).toBe(true);
    expect(availableActions(parentCurator, c({ status: 'repeat_review' }))).toEqual([]);
  });
});

describe('action permissions', () => {
  it('lets only a leader of the organization approve, and only from on_approval', () => {
    expect(permission(leader, 'approve', c({ status: 'on_approval' }))).toEqual({ allowed: true });
    expect(permission(leader, 'approve', c({ status: 'draft' }))).toMatchObject({ allowed: false, code: 409 });
    for (const a of [moderator, coordinator, executor, curator, otherCoordinator]) {
      expect(permission(a, 'approve', c({ status: 'on_approval', executorId: 'e' }))).toMatchObject({ allowed: false, code: 403 });
    }
  });
  it('keeps the curator out of answers but lets them stop a repeat review', () => {
    expect(permission(curator, 'save-draft', c({ status: 'in_progress' }))).toMatchObject({ allowed: false, code: 403 });
    expect(permission(curator, 'stop-repeat-review', c({ status: 'repeat_review' }))).toEqual({ allowed: true });
    expect(permission(coordinator, 'stop-repeat-review', c({ status: 'repeat_review' }))).toMatchObject({ code: 403 });
  });
  it('lists the actions available now', () => {
    expect(availableActions(coordinator, c({ status: 'routed' }))).toEqual(['reject', 'redirect', 'assign', 'take']);
    expect(availableActions(executor, c({ status: 'assigned', executorId: 'e' }))).toEqual(['start', 'pass', 'return-to-coordinator']);
    expect(availableActions(moderator, c({ status: 'moderation', organizationId: null }))).toEqual(['accept', 'reject']);
  });
});

describe('who handles a case (sees its contacts)', () => {
  const regionAdmin = actor('ra', [['administrator', null]]);
  it("is the monitoring team, the readers of the case's own organization and its holder", () => {
    const assigned = c({ executorId: 'e' });
    expect([moderator, coordinator, leader, curator, executor].map((a) => handlesCase(a, assigned))).toEqual([true, true, true, true, true]);
    expect(handlesCase(actor('e2', [['executor', ORG]]), assigned)).toBe(false);
    expect(handlesCase(otherCoordinator, assigned)).toBe(false);
  });
  it("is not every reader: a region administrator and a parent organization's curator read without contacts", () => {
    const parentCurator: Actor = { ...actor('pc', [['curator', OTHER]]), subtreeOrganizationIds: [ORG] };
    expect(canReadCase(regionAdmin, c({}))).toBe(true);
    expect(handlesCase(regionAdmin, c({}))).toBe(false);
    expect(canReadCase(parentCurator, c({}))).toBe(true);
    expect(handlesCase(parentCurator, c({}))).toBe(false);
    // A message without a case (still unrouted) is the monitoring team's alone.
    expect(handlesCase(moderator, { organizationId: null, executorId: null })).toBe(true);
    expect(handlesCase(coordinator, { organizationId: null, executorId: null })).toBe(false);
  });
  it('lets only region administrators and moderators manage polls', () => {
    expect([regionAdmin, moderator].map(managesPolls)).toEqual([true, true]);
    expect([actor('oa', [['administrator', ORG]]), coordinator, leader, curator, executor].map(managesPolls)).toEqual([false, false, false, false, false]);
  });
});

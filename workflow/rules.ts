/**
 * The role matrix of ПОС as data: who may see a case and who may take which action from which status. The engine
 * and the API both ask these functions, so the rules live in one place and are unit-tested without a database.
 */
import { CASE_STATUSES, type CaseStatus } from '../lib/queues.js';

export const USER_ROLES = ['administrator', 'moderator', 'coordinator', 'curator', 'leader', 'executor'] as const;
export type UserRole = (typeof USER_ROLES)[number];
/** Held region-wide (organizationId null): the region's administrators and the moderation/monitoring team. */
export const REGION_ROLES: readonly UserRole[] = ['administrator', 'moderator'];

export interface Actor {
  id: string;
  roles: { role: string; organizationId: string | null }[];
  /**
   * Sub-organizations below those the actor leads or curates (the hierarchy: region → ministries and
   * municipalities → schools, management companies…): they read those cases, they do not act on them.
   */
  subtreeOrganizationIds?: string[];
}

export interface CaseAccess {
  status: CaseStatus;
  organizationId: string | null;
  executorId: string | null;
  rating: number | null;
}

export const hasRegionRole = (a: Actor, role: UserRole) => a.roles.some((r) => r.role === role && r.organizationId === null);
export const hasOrgRole = (a: Actor, role: UserRole, organizationId: string | null) =>
  organizationId !== null && a.roles.some((r) => r.role === role && r.organizationId === organizationId);
export const orgsWithRole = (a: Actor,
  roles: readonly UserRole[]) => [...new Set(a.roles.filter((r) => r.organizationId && roles.includes(r.role as UserRole)).map((r) => r.organizationId!))];

/** Roles that see every case of their organization; an executor sees only what is assigned to them. */
export const SUBTREE_READERS: readonly UserRole[] = ['leader', 'curator'];
export const ORG_CASE_READERS: readonly UserRole[] = ['coordinator', 'leader', 'curator'];

/** The region's administrators and its monitoring team: they read every case and every figure, and manage polls. */
export const isRegionOfficial = (a: Actor) => hasRegionRole(a, 'administrator') || hasRegionRole(a, 'moderator');

/** Polls speak for the region: drafts, live counts and official replies in a discussion are its officials'. */
export const managesPolls = isRegionOfficial;

export function canReadCase(a: Actor, c: CaseAccess): boolean {
  if (isRegionOfficial(a)) return true;
  if (c.organizationId && ORG_CASE_READERS.some((r) => hasOrgRole(a, r, c.organizationId))) return true;
  if (c.organizationId && a.subtreeOrganizationIds?.includes(c.organizationId)) return true;
  return c.executorId === a.id;
}

/**
 * Contacts (name, phone, e-mail, the channel's ids of the person) are for those who work on the case: the monitoring
 * team, the readers of its own organization and its holder. Reading a case is not enough: a region administrator
 * and the curator of a parent organization read it without its contacts.
 */
export const handlesCase = (a: Actor, c: Pick<CaseAccess, 'organizationId' | 'executorId'>) =>
  hasRegionRole(a, 'moderator')
  || c.executorId === a.id || ORG_CASE_READERS.some((r) => hasOrgRole(a, r, c.organizationId));

/**
 * Leaders and curators of the region's own government (an organization of kind `region`) are officials of the
 * region: they read the region's figures as administrators and moderators do. Other organization roles that read
 * all of an organization's cases read that organization's figures; executors and organization administrators none.
 */
export const REGION_FIGURES_ORG_ROLES: readonly UserRole[] = SUBTREE_READERS;
export const ORG_FIGURES_READERS: readonly UserRole[] = ORG_CASE_READERS;

export const ACTIONS = [
  'accept',
  'reject',
  'redirect',
  'assign',
  'take',
  'start',
  'pass',
  'return-to-coordinator',
  'save-draft',
  'submit',
  'approve',
  'return',
  'close',
  'stop-repeat-review',
] as const;
export type ActionName = (typeof ACTIONS)[number];

type Who = (a: Actor, c: CaseAccess) => boolean;
const moderator: Who = (a) => hasRegionRole(a, 'moderator');
const coordinator: Who = (a, c) => hasOrgRole(a, 'coordinator', c.organizationId);
const leader: Who = (a, c) => hasOrgRole(a, 'leader', c.organizationId);
const curator: Who = (a, c) => hasOrgRole(a, 'curator', c.organizationId);
/** The person who holds the case: the assigned executor, or the coordinator who took it to answer themselves. */
const holder: Who = (a, c) => c.executorId === a.id;

export interface ActionRule {
  /** Each entry: statuses the action starts from and who may take it from there. */
  from: { statuses: CaseStatus[]; who: Who[] }[];
  to: CaseStatus;
  /** A one-line description for the OpenAPI document. */
  summary: string;
}

export const RULES: Record<ActionName, ActionRule> = {
  accept: { from: [{ statuses: ['moderation'], who: [moderator] }], to: 'routed',
    summary:
      'Moderator accepts the message and routes it to an organization (organizationId); without organizationId the routing table, the routing model and the readiness checks choose (workflow/routing/).' },
  reject: {
    from: [{ statuses: ['moderation'], who: [moderator] }, { statuses: ['routed'], who: [coordinator, moderator] }],
    to: 'rejected',
    summary: 'Reject with a reason the citizen is told (reason).',
  },
  redirect: {
    from: [{ statuses: ['routed', 'assigned'], who: [coordinator, moderator] }],
    to: 'routed',
    summary: 'Redirect to another organization (organizationId, reason); the registration date and deadline stay.',
  },
  assign: {
    from: [{ statuses: ['routed', 'assigned', 'in_progress', 'returned', 'repeat_review'], who: [coordinator] }],
    to: 'assigned',
    summary: 'Coordinator assigns an executor of the organization (executorId).',
  },
  take: { from: [{ statuses: ['routed', 'repeat_review'], who: [coordinator] }], to: 'in_progress',
    summary: 'Coordinator takes the case to answer it personally.' },
  start: { from: [{ statuses: ['assigned', 'returned', 'repeat_review'], who: [holder] }], to: 'in_progress', summary: 'The assigned executor starts work.' },
  pass: { from: [{ statuses: ['assigned', 'in_progress'], who: [holder] }], to: 'assigned',
    summary: 'Executor passes the case to another executor (executorId).' },
  'return-to-coordinator': {
    from: [{ statuses: ['assigned', 'in_progress', 'returned'], who: [holder] }],
    to: 'routed',
    summary: 'Executor gives the case back to the coordinator (comment).',
  },
  'save-draft': { from: [{ statuses: ['in_progress', 'draft', 'returned'], who: [holder] }], to: 'draft',
    summary: 'Save the answer draft (text, attachments); returns the quality warnings.' },
  submit: { from: [{ statuses: ['draft'], who: [holder] }], to: 'on_approval', summary: 'Send the draft to the leader for approval.' },
  approve: { from: [{ statuses: ['on_approval'], who: [leader] }], to: 'approved',
    summary: 'Leader approves (optionally with an edited text); the answer is sent on the original channel.' },
  return: { from: [{ statuses: ['on_approval'], who: [leader] }], to: 'returned', summary: 'Leader returns the draft for rework (comment).' },
  close: { from: [{ statuses: ['rated'], who: [coordinator, curator] }], to: 'closed', summary: 'Close a rated case.' },
  'stop-repeat-review': { from: [{ statuses: ['repeat_review'], who: [curator] }], to: 'closed', summary: 'Curator stops a repeat review (comment).' },
};

export type Permission = { allowed: true } | { allowed: false; code: 403 | 409; reason: string };

/**
 * 403 when the actor could not take this action from any status; 409 when they could, but not from the status the
 * case is in now (someone moved it, or it is too early).
 */
export function permission(a: Actor, action: ActionName, c: CaseAccess): Permission {
  const rule = RULES[action];
  const entitled = rule.from.filter((f) => f.who.some((w) => w(a, c)));
  if (entitled.length === 0) return { allowed: false, code: 403, reason: `your roles do not allow "${action}" on this case` };
  if (!entitled.some((f) => f.statuses.includes(c.status))) {
    return { allowed: false, code: 409, reason: `cannot "${action}" a case in status "${c.status}"` };
  }
  return { allowed: true };
}

export const availableActions = (a: Actor, c: CaseAccess) => ACTIONS.filter((x) => permission(a, x, c).allowed);

/** The answer sent (or a rejection) stops the clock: every other status of the lifecycle still owes one. */
const CLOCK_STOPPED: readonly CaseStatus[] = ['rejected', 'answered', 'rated', 'closed'];
/** Statuses where the deadline still runs, in the lifecycle's order. */
export const OPEN_STATUSES: readonly CaseStatus[] = CASE_STATUSES.filter((s) => !CLOCK_STOPPED.includes(s));

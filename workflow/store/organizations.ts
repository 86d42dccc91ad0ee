/** `organizations`: the region's hierarchy of bodies that answer cases, with their readiness confirmations. */
import type { Page, Sql } from './sql.js';

export const ORG_KINDS = ['region', 'roiv', 'omsu', 'school', 'management_company', 'institution', 'other'] as const;

export interface OrganizationInput {
  parentId?: string | null;
  name?: string;
  kind?: (typeof ORG_KINDS)[number];
  ogrn?: string;
  inn?: string;
  site?: string;
  trainingConfirmed?: boolean;
  readyConfirmed?: boolean;
}

const ORG_COLUMNS = `id, parent_id as "parentId", name, kind, ogrn, inn, site, code, training_confirmed as "trainingConfirmed",
  ready_confirmed as "readyConfirmed", created_at as "createdAt"`;

export async function listOrganizations(sql: Sql, opts: Page & { parentId?: string }) {
  const r = await sql.query(`select ${ORG_COLUMNS} from organizations where ($1::uuid is null or parent_id = $1) order by name, id limit $2 offset $3`, [
    opts.parentId ?? null,
    opts.limit,
    opts.offset,
  ]);
  return r.rows;
}

/** `lock`: inside a transaction, holds the row until it ends, so an edit's «before» is what it changed. */
export async function getOrganization(sql: Sql, id: string, opts: { lock?: boolean } = {}): Promise<Record<string, unknown> | undefined> {
  const r = await sql.query(`select ${ORG_COLUMNS} from organizations where id = $1${opts.lock ? ' for update' : ''}`, [id]);
  return r.rows[0];
}

export async function childrenOf(sql: Sql, id: string) {
  return (await sql.query(`select ${ORG_COLUMNS} from organizations where parent_id = $1 order by name`, [id])).rows;
}

export async function organizationExists(sql: Sql, id: string): Promise<boolean> {
  return ((await sql.query('select 1 from organizations where id = $1', [id])).rowCount ?? 0) > 0;
}

export async function organizationName(sql: Sql, id: string): Promise<string | null> {
  return (await sql.query<{ name: string }>('select name from organizations where id = $1', [id])).rows[0]?.name ?? null;
}

export async function createOrganization(sql: Sql, o: OrganizationInput & { name: string; kind: string }) {
  const r = await sql.query(
    `insert into organizations (parent_id, name, kind, ogrn, inn, site) values ($1, $2, $3, $4, $5, $6)
     returning ${ORG_COLUMNS}`,
    [o.parentId ?? null, o.name, o.kind, o.ogrn ?? null, o.inn ?? null, o.site ?? null],
  );
  return r.rows[0] as Record<string, unknown>;
}

/** Sets the fields given (undefined ones stay as they are). */
export async function updateOrganization(sql: Sql, id: string, o: OrganizationInput): Promise<void> {
  const cols: Record<string, unknown> = {
    parent_id: o.parentId,
    name: o.name,
    kind: o.kind,
    ogrn: o.ogrn,
    inn: o.inn,
    site: o.site,
    training_confirmed: o.trainingConfirmed,
    ready_confirmed: o.readyConfirmed,
  };
  const set = Object.entries(cols).filter(([, v]) => v !== undefined);
  if (set.length === 0) return;
  await sql.query(`update organizations set ${set.map(([k], i) => `${k} = $${i + 2}`).join(', ')} where id = $1`, [id, ...set.map(([, v]) => v)]);
}

/** Raises the readiness flags (a confirmation never lowers one). */
export async function confirmOrganization(sql: Sql, id: string, flags: { trainingConfirmed: boolean; readyConfirmed: boolean }): Promise<void> {
  await sql.query(
    'update organizations set training_confirmed = training_confirmed or $2, ready_confirmed = ready_confirmed or $3 where id = $1',
    [id, flags.trainingConfirmed, flags.readyConfirmed],
  );
}

/** Every organization below these ones in the hierarchy (not the roots themselves). */
export async function organizationsBelow(sql: Sql, roots: string[]): Promise<string[]> {
  const r = await sql.query<{ id: string }>(
    `with recursive sub(id) as (
       select o.id from organizations o where o.parent_id = any($1::uuid[])
       union select o.id from organizations o join sub on o.parent_id = sub.id)
     select id from sub`,
    [roots],
  );
  return r.rows.map((x) => x.id);
}

/** Which of these organizations are the region's own government (kind `region`). */
export async function regionGovernmentIds(sql: Sql, ids: string[]): Promise<string[]> {
  const r = await sql.query<{ id: string }>("select id from organizations where id = any($1::uuid[]) and kind = 'region'", [ids]);
  return r.rows.map((x) => x.id);
}

/** Every organization's name by id: chart labels and reports of the dashboard (through workflow/public-reads.ts). */
export async function organizationNames(sql: Sql): Promise<Record<string, string>> {
  const r = await sql.query<{ id: string; name: string }>('select id, name from organizations order by name limit 5000');
  return Object.fromEntries(r.rows.map((x) => [x.id, x.name]));
}

/** The organizations of a user with their readiness flags, by name. */
export async function organizationsWithReadiness(sql: Sql, ids: string[]) {
  const r = await sql.query<{ id: string; name: string; trainingConfirmed: boolean; readyConfirmed: boolean }>(
    `select id, name, training_confirmed as "trainingConfirmed", ready_confirmed as "readyConfirmed" from organizations where id = any($1::uuid[]) order by name`,
    [ids],
  );
  return r.rows;
}

/** A user who can answer for an organization: active, and has activated the account (an invited one has not set a password yet). */
const CAN_ANSWER = (u: string) => `${u}.active and ${u}.activated_at is not null`;
const holds = (role: string) =>
  `exists (select 1 from user_roles ur join users u on u.id = ur.user_id
                     where ur.organization_id = o.id and ur.role = '${role}' and ${CAN_ANSWER('u')})`;

/**
 * ПОС: at least two responsible people, a leader among them — a coordinator and a leader who are two different users
 * able to answer. Columns of a query over `organizations o` (routing reads the same rule).
 */
export const STAFFING_COLUMNS = `${holds('coordinator')} as "hasCoordinator", ${holds('leader')} as "hasLeader",
  exists (select 1 from user_roles c join users cu on cu.id = c.user_id
            join user_roles l on l.organization_id = c.organization_id and l.role = 'leader' and l.user_id <> c.user_id
            join users lu on lu.id = l.user_id
           where c.organization_id = o.id and c.role = 'coordinator' and ${CAN_ANSWER('cu')} and ${CAN_ANSWER('lu')}) as "hasTwoPeople"`;

export interface OrganizationStaffing {
  name: string;
  hasCoordinator: boolean;
  hasLeader: boolean;
  hasTwoPeople: boolean;
}

/** Whether the organization has its two responsible people (routing refuses it otherwise); undefined when there is none. */
export async function organizationStaffing(sql: Sql, id: string): Promise<OrganizationStaffing | undefined> {
  const r = await sql.query<OrganizationStaffing>(`select o.name, ${STAFFING_COLUMNS} from organizations o where o.id = $1`, [id]);
  return r.rows[0];
}

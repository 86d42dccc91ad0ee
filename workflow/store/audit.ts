/** `admin_audit`: what administrators changed — organizations, staff and roles, settings, polls. Append-only. */
import type { Page, Sql } from './sql.js';

export interface AuditEntry {
  actor: string;
  entity: 'organization' | 'user' | 'settings' | 'poll';
  entityId?: string | null;
  action: string;
  changes?: Record<string, unknown>;
}

/** The entry of a creation: the store that creates the entity fills in its id. */
export type NewEntityAudit = Omit<AuditEntry, 'entityId'>;

/** Written in the transaction of the change it describes (pass that transaction's client), so neither lands alone. */
export async function recordAudit(sql: Sql, e: AuditEntry, at = new Date()): Promise<void> {
  await sql.query('insert into admin_audit (at, actor, entity, entity_id, action, changes) values ($1, $2, $3, $4, $5, $6)', [at, e.actor, e.entity,
    e.entityId ?? null, e.action, JSON.stringify(e.changes ?? {})]);
}

/** Newest first, with the actor's name; optionally one entity (an organization, a user) or only these entities' ids. */
export async function listAudit(sql: Sql, f: Page & { entity?: string; entityId?: string; entityIds?: string[] }) {
  const r = await sql.query(
    `select a.id::text as id, a.at, a.actor, u.display_name as "actorName", a.entity, a.entity_id as "entityId", a.action, a.changes
       from admin_audit a left join users u on u.id::text = a.actor
      where ($1::text is null or a.entity = $1) and ($2::text is null or a.entity_id = $2) and ($3::text[] is null or a.entity_id = any($3))
      order by a.id desc limit $4 offset $5`,
    [f.entity ?? null, f.entityId ?? null, f.entityIds ?? null, f.limit, f.offset],
  );
  return r.rows as { id: string; at: Date; actor: string; actorName: string | null; entity: string; entityId: string | null; action: string;
    changes: Record<string, unknown> }[];
}

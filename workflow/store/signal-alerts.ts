/** `signal_alerts`: spikes of an incident or of a topic in a municipality, for the monitoring team. */
import type { SpikeAlert } from '../../lib/monitoring.js';
import type { Sql } from './sql.js';

/** An alert before it is recorded: no id or acknowledgement yet; its subject and time bucket keep it from repeating. */
export type NewAlert = Omit<SpikeAlert, 'id' | 'at' | 'acknowledgedAt'> & { subject: string; bucket: number; at: Date };

const ALERT_SELECT = `select id::text, kind, incident_id as "incidentId", category, municipality, count, baseline, window_hours as "windowHours",
  at, acknowledged_at as "acknowledgedAt" from signal_alerts`;

/** Records the alert unless its subject had one within the window (or in this bucket); returns it when recorded. */
export async function insertAlert(sql: Sql, a: NewAlert): Promise<SpikeAlert | undefined> {
  const r = await sql.query<SpikeAlert>(
    `with ins as (
       insert into signal_alerts (subject, bucket, kind, incident_id, category, municipality, count, baseline, window_hours, at)
       select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
        where not exists (select 1 from signal_alerts where subject = $1 and at > $10::timestamptz - make_interval(hours => $9))
       on conflict (subject, bucket) do nothing
       returning *)
     select id::text, kind, incident_id as "incidentId", category, municipality, count, baseline, window_hours as "windowHours", at,
            acknowledged_at as "acknowledgedAt" from ins`,
    [a.subject, a.bucket, a.kind, a.incidentId, a.category, a.municipality, a.count, a.baseline, a.windowHours, a.at],
  );
  return r.rows[0];
}

export async function listAlerts(sql: Sql, q: { limit: number; unacknowledgedOnly: boolean }): Promise<SpikeAlert[]> {
  return (await sql.query<SpikeAlert>(`${ALERT_SELECT} where (not $1::boolean or acknowledged_at is null) order by at desc, id desc limit $2`, [
    q.unacknowledgedOnly,
    q.limit,
  ])).rows;
}

export async function acknowledgeAlert(sql: Sql, id: string, userId: string, at: Date): Promise<boolean> {
  const r = await sql.query(
    'update signal_alerts set acknowledged_at = coalesce(acknowledged_at, $3), acknowledged_by = coalesce(acknowledged_by, $2) where id = $1',
    [id, userId, at],
  );
  return (r.rowCount ?? 0) > 0;
}

/** The commonest category and municipality of an incident's signals, to name it in an alert. */
export async function incidentTopic(sql: Sql, incidentId: string): Promise<{ category: string | null; municipality: string | null }> {
  const r = await sql.query<{ category: string | null; municipality: string | null }>(
    `select mode() within group (order by category) as category, mode() within group (order by municipality) as municipality
       from signals where incident_id = $1`,
    [incidentId],
  );
  return r.rows[0] ?? { category: null, municipality: null };
}

/**
 * Spike alerts: after signals arrive, each incident and each (category, municipality) topic they grew is compared
 * with its usual pace. A count in the last `windowHours` of at least `minCount` and more than `factor` times the
 * average per window over the `baselineDays` before raises one alert per subject and window: a row the inbox lists,
 * an in-app notification to every active moderator, and a call of `onSpike` — the hook staff alerts (e-mail,
 * Telegram) attach to.
 */
import type pg from 'pg';
import type { SpikeAlert } from '../../lib/monitoring.js';
import type { SignalTerms } from '../../lib/signal-terms.js';
import { withTransaction } from '../../lib/transaction.js';
import { insertNotifications } from '../store/notifications.js';
import { incidentTopic, insertAlert } from '../store/signal-alerts.js';
import { recentCounts } from '../store/signals.js';
import type { Sql } from '../store/sql.js';
import { activeModerators } from '../store/users.js';

export type SpikeListener = (alert: SpikeAlert) => void;

const HOUR = 3600_000;
const number = (x: number) => x.toLocaleString('ru-RU', { maximumFractionDigits: 1 });

function alertText(a: SpikeAlert): string {
  const where = a.municipality ? ` (${a.municipality})` : '';
  const what = a.kind === 'incident' ? `по инциденту «${a.category ?? 'без категории'}»${where}` : `по теме «${a.category}»${where}`;
  return `Всплеск ${what}: ${a.count} сообщ. за ${a.windowHours} ч, обычно ${number(a.baseline)}.`;
}

async function raise(sql: Sql, subject: string, count: number, baseline: number, spike: SignalTerms['spike'], now: Date): Promise<SpikeAlert | undefined> {
  const [kind, rest] = [subject.slice(0, subject.indexOf(':')) as 'incident' | 'topic', subject.slice(subject.indexOf(':') + 1)];
  const topic = kind === 'incident' ?
    await incidentTopic(sql, rest)
    : { category: rest.slice(0, rest.indexOf('|')), municipality: rest.slice(rest.indexOf('|') + 1) };
  const alert = await insertAlert(sql, { subject, bucket: Math.floor(now.getTime() / (spike.windowHours * HOUR)), kind,
    incidentId: kind === 'incident' ? rest : null, ...topic, count, baseline: Math.round(baseline * 100) / 100, windowHours: spike.windowHours, at: now });
  if (!alert) return undefined;
  await insertNotifications(sql, { userIds: await activeModerators(sql), caseId: null, kind: `spike-${alert.id}`, text: alertText(alert), at: now });
  return alert;
}

export async function detectSpikes(db: pg.Pool, touched: { incidentIds: string[]; topics: { category: string; municipality: string }[] },
  spike: SignalTerms['spike'], now: Date, onSpike?: SpikeListener): Promise<SpikeAlert[]>
{
  if (touched.incidentIds.length === 0 && touched.topics.length === 0) return [];
  const since = new Date(now.getTime() - spike.windowHours * HOUR);
  const baselineFrom = new Date(since.getTime() - spike.baselineDays * 24 * HOUR);
  const windows = (spike.baselineDays * 24) / spike.windowHours;
  const counts = await recentCounts(db, { ...touched, since, baselineFrom });
  const spiking = counts.map((c) => ({ ...c, baseline: c.before / windows }))
    .filter((c) => c.recent >= spike.minCount && c.recent > spike.factor * c.baseline);
  if (spiking.length === 0) return [];
  const raised = await withTransaction(db, async (sql) => {
    const out: SpikeAlert[] = [];
    for (const c of spiking) {
      const alert = await raise(sql, c.subject, c.recent, c.baseline, spike, now);
      if (alert) out.push(alert);
    }
    return out;
  });
  for (const a of raised) onSpike?.(a);
  return raised;
}

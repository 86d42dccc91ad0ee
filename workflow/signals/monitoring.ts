/**
 * The monitoring inbox's operations bound to the database (lib/monitoring.ts is the contract main.ts hands the
 * dashboard): the incident list with the routing model's suggestions named as organizations, an incident's signals,
 * threads, replies and log, the team's actions (incidents.ts, regroup.ts) and the spike alerts.
 */
import type { RegionRules } from '../../lib/region-config.js';
import type pg from 'pg';
import type { IncidentDetail, IncidentListItem, IncidentQuery, Monitoring } from '../../lib/monitoring.js';
import type { ModerationResult } from '../../lib/moderation.js';
import { DEFAULT_SIGNAL_TERMS, type SignalTerms } from '../../lib/signal-terms.js';
import type { OutboxRelay } from '../outbox.js';
import { incidentHistory, loadIncident, repliesOf } from '../store/incidents.js';
import { inboxFacets } from '../store/inbox.js';
import { listIncidents, monitoringMark, organizationsByLabel, routingOfIncidents } from '../store/monitoring-inbox.js';
import { acknowledgeAlert, listAlerts } from '../store/signal-alerts.js';
import { signalsOf } from '../store/signals.js';
import type { Sql } from '../store/sql.js';
import { acceptIncident, answerIncident, interimReply, rejectIncident, republishAnswer, routeIncident } from './incidents.js';
import { correctSignalLabel } from './corrections.js';
import { mergeIncidents, splitSignal } from './regroup.js';
import { incidentSuggestions, threadOf, threadsOf } from './threads.js';

/** The inbox rows with each incident's top-3 suggested organizations. */
async function withSuggestions(sql: Sql, items: IncidentListItem[]): Promise<IncidentListItem[]> {
  const routings = await routingOfIncidents(sql, items.map((i) => i.id));
  const top = new Map(items.map((i) => [i.id, incidentSuggestions(routings.filter((r) => r.incidentId === i.id).map((r) => r.routing))]));
  const orgs = await organizationsByLabel(sql, [...new Set([...top.values()].flat().map((s) => s.organization))]);
  return items.map((i) => ({
    ...i,
    suggestions: top.get(i.id)!.map((s) => {
      const org = orgs.get(s.organization.toLowerCase()) ?? orgs.get(s.organization);
      return { label: s.organization, score: s.score, organizationId: org?.id ?? null, organizationName: org?.name ?? null };
    }),
  }));
}

export async function incidentList(sql: Sql, q: IncidentQuery, now: Date) {
  const list = await listIncidents(sql, q, now);
  return { items: await withSuggestions(sql, list.items), total: list.total };
}

/** One incident for its page: the row as the inbox shows it, every signal, the threads with their replies, the log. */
export async function incidentDetail(sql: Sql, id: string, now: Date): Promise<IncidentDetail | undefined> {
  const incident = await loadIncident(sql, id);
  if (!incident) return undefined;
  const [row] = (await listIncidents(sql, { status: 'all', sort: 'newest', limit: 1, growthHours: 6, id }, now)).items;
  const signals = await signalsOf(sql, id);
  const replies = await repliesOf(sql, id);
  const threads = threadsOf(signals).map((t) => ({
    key: t.key,
    source: t.source,
    own: t.own,
    link: t.link,
    signals: t.signals.length,
    replies: replies.filter((r) => r.threadKey === t.key).map((r) => ({ outboundId: r.outboundId, kind: r.kind, text: r.text,
      createdAt: r.createdAt.toISOString() })
    ),
  }));
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    incident: { ...(row ?? emptyRow(incident.id)), answerText: incident.answerText } as IncidentDetail['incident'],
    signals: signals.map((s) => ({
      messageId: s.messageId,
      source: s.source,
      text: s.text,
      link: s.link,
      kind: s.kind,
      category: s.category,
      municipality: s.municipality,
      status: s.status,
      receivedAt: new Date(s.receivedAt).toISOString(),
      reactionDueAt: iso(s.reactionDueAt),
      firstReactionAt: iso(s.firstReactionAt),
      joinedAfterAnswer: s.joinedAfterAnswer,
      thread: threadOf(s)?.key ?? `message:${s.messageId}`,
    })),
    threads,
    history: (await incidentHistory(sql, id)).map((h) => ({ ...h, at: new Date(h.at as Date).toISOString() })) as IncidentDetail['history'],
  };
}

/** An incident whose signals were all merged away still answers with its log. */
const emptyRow = (id: string) => ({ id, status: 'new', size: 0, channels: [], municipalities: [] });

export function bindMonitoring(db: pg.Pool,
  opts: { relay?: Pick<OutboxRelay, 'nudge'>; terms?: SignalTerms; reminderDaysBefore?: number[]; now?: () => Date; region?: RegionRules } = {}): Monitoring
{
  const now = opts.now ?? (() => new Date());
  const deps = { db, terms: opts.terms ?? DEFAULT_SIGNAL_TERMS, reminderDaysBefore: opts.reminderDaysBefore, region: opts.region };
  const nudged = async <T>(result: Promise<ModerationResult<T>>) => {
    const out = await result;
    if (out.ok) opts.relay?.nudge();
    return out;
  };
  return {
    listIncidents: (q) => incidentList(db, q, now()),
    facets: () => inboxFacets(db, 'signals'),
    mark: () => monitoringMark(db),
    incident: (id) => incidentDetail(db, id, now()),
    accept: (actor, id, b) => nudged(acceptIncident(deps, actor, id, b.expectedVersion, b, now())),
    route: (actor, id, b) => nudged(routeIncident(deps, actor, id, b.expectedVersion, b, now())),
    reject: (actor, id, b) => nudged(rejectIncident(deps, actor, id, b.expectedVersion, b.reason, now())),
    interim: (actor, id, b) => nudged(interimReply(deps, actor, id, b.expectedVersion, b.text, now())),
    answer: (actor, id, b) => nudged(answerIncident(deps, actor, id, b.expectedVersion, b.text, now())),
    republish: (actor, id, b) => nudged(republishAnswer(deps, actor, id, b.expectedVersion, now())),
    merge: (actor, b) => nudged(mergeIncidents(db, actor, b, now())),
    split: (actor, messageId) => nudged(splitSignal(db, actor, messageId, now())),
    correct: (actor, messageId, b) => nudged(correctSignalLabel(deps, actor, messageId, b, now())),
    alerts: (q) => listAlerts(db, q),
    acknowledgeAlert: (actor, alertId) => acknowledgeAlert(db, alertId, actor, now()),
  };
}

/**
 * Registers classified signals: the message (and its contact, kept apart), the signal with its reaction deadline,
 * and its incident (created on first sight, joined afterwards), in one transaction with the analytics events in the
 * outbox. Nothing is sent to anyone: no case, no notice, no reply. A signal joins its incident's state: an accepted
 * incident's case, or — after the answer was published — the flag the team sees. Where the region enables it, a
 * complaint the detector is surer of than `autoAcceptAbove` makes its incident a case at once (`other` never does).
 * Redelivered messages are stored once (the messages table's unique key), so a retry adds nothing.
 */
import type { RegionRules } from '../../lib/region-config.js';
import { reminderDaysOf } from '../reminders.js';
import type pg from 'pg';
import type { ClassifiedMessage } from '../../lib/queues.js';
import { reactionDueAt, type SignalTerms } from '../../lib/signal-terms.js';
import { withTransaction } from '../../lib/transaction.js';
import { enqueue } from '../outbox.js';
import { uniqueMessages } from '../register-case.js';
import { loadCase } from '../store/cases.js';
import { addArrivals, ensureIncidents, insertIncidentEvent, type Arrivals, type IncidentRow } from '../store/incidents.js';
import { insertContacts, insertMessages } from '../store/messages.js';
import { insertSignals, type NewSignal, type SignalStatus } from '../store/signals.js';
import type { Sql } from '../store/sql.js';
import { createIncidentCase } from './accept.js';
import { eventsRow, signalArrivalEvents, type JoinedCase } from './events.js';
import { routeCase } from './incidents.js';

export interface SignalDeps {
  db: pg.Pool;
  terms: SignalTerms;
  reminderDaysBefore?: number[];
  /** The region's calendar: the dates in the staff notices of an auto-accepted case. */
  region?: RegionRules;
}

export interface SignalsRegistered {
  /** Messages stored now (the others were stored before). */
  created: number;
  duplicates: number;
  /** Incidents made cases without the team (autoAcceptAbove). */
  autoAccepted: string[];
  /** What the spike check looks at: the incidents and (category, municipality) topics that grew. */
  touched: { incidentIds: string[]; topics: { category: string; municipality: string }[] };
}

const incidentIdOf = (x: ClassifiedMessage) => x.classification.incidentId ?? x.message.messageId;

function joinState(incident: IncidentRow): { status: SignalStatus; joinedAfterAnswer: boolean } {
  if (incident.status === 'answered') return { status: 'new', joinedAfterAnswer: true };
  return { status: incident.status, joinedAfterAnswer: false };
}

function newSignal(x: ClassifiedMessage, incident: IncidentRow, terms: SignalTerms): NewSignal {
  const { message: m, classification: c } = x;
  return {
    messageId: m.messageId,
    incidentId: incident.id,
    ...joinState(incident),
    kind: c.kind,
    kindConfidence: c.kindConfidence ?? null,
    category: c.category,
    confidence: c.confidence,
    municipality: c.municipality ?? m.place.municipality ?? null,
    fastTrack: c.fastTrack,
    modelVersion: c.modelVersion,
    routing: c.routing?.length ? JSON.stringify(c.routing) : null,
    receivedAt: new Date(m.receivedAt),
    reactionDueAt: reactionDueAt(new Date(m.receivedAt), c, terms),
  };
}

const KIND_RANK: Record<string, number> = { complaint: 3, question: 2, other: 1 };

/** What the new signals add to each incident's aggregates. */
function arrivalsOf(rows: NewSignal[]): Arrivals[] {
  const by = new Map<string, Arrivals>();
  for (const r of rows) {
    const a = by.get(r.incidentId) ?? { incidentId: r.incidentId, count: 0, first: r.receivedAt, last: r.receivedAt, due: null, fastTrack: false, kindRank: 1 };
    const waits = r.reactionDueAt && r.status !== 'rejected';
    by.set(r.incidentId, {
      ...a,
      count: a.count + 1,
      first: r.receivedAt < a.first ? r.receivedAt : a.first,
      last: r.receivedAt > a.last ? r.receivedAt : a.last,
      due: waits && (!a.due || r.reactionDueAt! < a.due) ? r.reactionDueAt : a.due,
      fastTrack: a.fastTrack || r.fastTrack,
      kindRank: Math.max(a.kindRank, KIND_RANK[r.kind] ?? 1),
    });
  }
  return [...by.values()];
}

/** Complaints the detector is sure of make their (still new) incidents cases, routed by the routing rules if they can be. */
async function autoAccept(sql: Sql, news: ClassifiedMessage[], incidents: Map<string, IncidentRow>, deps: SignalDeps, now: Date): Promise<string[]> {
  const threshold = deps.terms.autoAcceptAbove;
  if (threshold === undefined) return [];
  const sure = news.filter((x) => x.classification.kind === 'complaint' && (x.classification.kindConfidence ?? 0) > threshold);
  const accepted: string[] = [];
  // By the incident each stands for now: two ids merged into one incident make one case.
  for (const incident of new Set(sure.map((x) => incidents.get(incidentIdOf(x))!))) {
    if (incident.status !== 'new') continue;
    const ctx = { sql, incident, actor: 'system', now };
    const made = await createIncidentCase(ctx, deps.terms, reminderDaysOf(deps.region, deps.reminderDaysBefore));
    await routeCase(sql, made.caseId, 'system', undefined, now, false, deps.region);
    accepted.push(incident.id);
  }
  return accepted;
}

/** The cases of accepted incidents new signals join (an answered incident's late signals wait for the team instead). */
async function joinedCases(sql: Sql, incidents: IncidentRow[]): Promise<Map<string, JoinedCase>> {
  const out = new Map<string, JoinedCase>();
  for (const i of incidents.filter((x) => x.status === 'accepted' && x.caseId)) {
    const c = await loadCase(sql, i.caseId!);
    if (c) out.set(i.id, { caseId: c.id, organizationId: c.organizationId, deadlineAt: c.deadlineAt });
  }
  return out;
}

async function registerNewSignals(sql: Sql, news: ClassifiedMessage[], deps: SignalDeps,
  now: Date): Promise<{ autoAccepted: string[]; incidentIds: string[] }>
{
  await insertContacts(sql, news.map((x) => x.message));
  const incidents = await ensureIncidents(sql, news.map(incidentIdOf), now);
  const rows = news.map((x) => newSignal(x, incidents.get(incidentIdOf(x))!, deps.terms));
  await insertSignals(sql, rows);
  await addArrivals(sql, arrivalsOf(rows), now);
  for (const r of rows.filter((s) => s.joinedAfterAnswer)) {
    await insertIncidentEvent(sql, { incidentId: r.incidentId, at: now, actor: 'system', type: 'joined_after_answer', data: { messageId: r.messageId } });
  }
  const joined = await joinedCases(sql, [...new Set(incidents.values())]);
  await enqueue(sql, eventsRow(news.flatMap((x, i) => signalArrivalEvents(x, rows[i]!.incidentId, rows[i]!.reactionDueAt, joined.get(rows[i]!.incidentId)))));
  return { autoAccepted: await autoAccept(sql, news, incidents, deps, now), incidentIds: [...new Set(rows.map((r) => r.incidentId))] };
}

export async function registerSignals(deps: SignalDeps, inputs: ClassifiedMessage[], now: Date): Promise<SignalsRegistered> {
  if (inputs.length === 0) return { created: 0, duplicates: 0, autoAccepted: [], touched: { incidentIds: [], topics: [] } };
  const batch = [...uniqueMessages(inputs).values()];
  const { news, autoAccepted, incidentIds } = await withTransaction(deps.db, async (sql) => {
    const fresh = await insertMessages(sql, batch.map((x) => x.message));
    const created = batch.filter((x) => fresh.has(x.message.messageId));
    return { news: created, ...(created.length ? await registerNewSignals(sql, created, deps, now) : { autoAccepted: [], incidentIds: [] }) };
  });
  const topics = new Map<string, { category: string; municipality: string }>();
  for (const x of news) {
    const municipality = x.classification.municipality ?? x.message.place.municipality;
    if (municipality) topics.set(`${x.classification.category}|${municipality}`, { category: x.classification.category, municipality });
  }
  return {
    created: news.length,
    duplicates: inputs.length - news.length,
    autoAccepted,
    touched: { incidentIds, topics: [...topics.values()] },
  };
}

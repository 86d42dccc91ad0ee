import { isNetworkSource, type Classification, type ClassifiedMessage, type IncomingMessage } from '../lib/queues.js';
import { decideDeadline } from './deadlines.js';
import type { IncidentIndex } from './incidents.js';
import type { MunicipalityDetector } from './municipality.js';
import type { RegionConfig } from './region-config.js';
import { suggestOrganizations } from './routing.js';
import type { TextModel } from './text-model.js';

export interface ClassifyDeps {
  categoryModel: TextModel;
  /** complaint / question / other, for social posts; direct appeals (122, widget) are appeals by definition. */
  complaintModel?: TextModel;
  municipalities?: MunicipalityDetector;
  /** Joins same-problem posts of one municipality within a time window into one incident. */
  incidents?: IncidentIndex;
  /** Predicts the responsible organization (labels are organization codes or names); see classify/routing.ts. */
  routingModel?: TextModel;
  region: RegionConfig;
  now?: () => Date;
  /** Told how long each classification took, in seconds (the classification latency metric). */
  observe?: (seconds: number) => void;
}

const KINDS = new Set(['complaint', 'question', 'other']);

/** Plain domain function: a message in, its classification out. No queue, no I/O. */
export function classifyMessage(message: IncomingMessage, deps: ClassifyDeps): ClassifiedMessage {
  const started = deps.observe ? performance.now() : 0;
  const municipality = message.place.municipality
    ?? deps.municipalities?.detect(message.text, message.place.address)?.municipality;
  const context: Record<string, string> = {};
  if (municipality) context.municipality = municipality;
  const prediction = deps.categoryModel.predict(message.text, context);
  // The channel's rubric (a 122 operator's reason, a portal's category), when it names one: the `reasons` fast-track.
  const deadline = decideDeadline(deps.region, { category: prediction.label, reason: message.provenance.reason, text: message.text });
  const kindPrediction = deps.complaintModel && isNetworkSource(message.source) ? deps.complaintModel.predict(message.text) : undefined;
  const kind = kindPrediction && KINDS.has(kindPrediction.label) ? (kindPrediction.label as Classification['kind']) : 'complaint';
  const incident = deps.incidents?.add({ id: message.messageId, text: message.text, municipality: municipality ?? '', at: message.receivedAt });
  const classification: Classification = {
    category: prediction.label,
    confidence: round(prediction.confidence),
    top: prediction.top.slice(0, 3).map((t) => ({ label: t.label, score: round(t.score) })),
    kind,
    ...(kindPrediction && KINDS.has(kindPrediction.label) ? { kindConfidence: round(kindPrediction.confidence) } : {}),
    fastTrack: deadline.fastTrack,
    deadlineDays: deadline.deadlineDays,
    federalService: deadline.federalService,
    deadlineRule: deadline.rule,
    municipality,
    incidentId: incident?.incidentId,
    ...(deps.routingModel ? { routing: suggestOrganizations(deps.routingModel, message, municipality) } : {}),
    modelVersion: kindPrediction && deps.complaintModel ? `${deps.categoryModel.version}+${deps.complaintModel.version}` : deps.categoryModel.version,
  };
  if (deps.observe) deps.observe((performance.now() - started) / 1000);
  return { message, classification, classifiedAt: (deps.now?.() ?? new Date()).toISOString() };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

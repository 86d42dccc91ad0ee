import type { Classification, ClassifiedMessage, IncomingMessage } from '../lib/queues.js';
import { decideDeadline } from './deadlines.js';
import type { RegionConfig } from './region-config.js';
import type { TextModelLike } from './text-model.js';

export interface ClassifyDeps {
  categoryModel: TextModelLike;
  region: RegionConfig;
  now?: () => Date;
}

/** Plain domain function: a message in, its classification out. No queue, no I/O. */
export function classifyMessage(message: IncomingMessage, deps: ClassifyDeps): ClassifiedMessage {
  const context: Record<string, string> = {};
  if (message.place.municipality) context.municipality = message.place.municipality;
  const prediction = deps.categoryModel.predict(message.text, context);
  const deadline = decideDeadline(deps.region, { category: prediction.label, text: message.text });
  const classification: Classification = {
    category: prediction.label,
    confidence: round(prediction.confidence),
    top: prediction.top.map((t) => ({ label: t.label, score: round(t.score) })),
    kind: 'complaint',
    fastTrack: deadline.fastTrack,
    deadlineDays: deadline.deadlineDays,
    federalService: deadline.federalService,
    deadlineRule: deadline.rule,
    municipality: message.place.municipality,
    modelVersion: deps.categoryModel.version,
  };
  return { message, classification, classifiedAt: (deps.now?.() ?? new Date()).toISOString() };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

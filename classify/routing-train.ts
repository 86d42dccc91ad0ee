import type { LinearTextModel } from './linear-text-model.js';
import { trainModel, type TrainOptions, type TrainProgress, type TrainRow } from './train-model.js';
import { countTopicTable, type TopicPriorFile } from './routing-prior.js';
import { organizationType } from './routing-data.js';

/** A routing training row: `topics` holds training-only columns (e.g. the portal's `reason`), never needed to predict. */
export interface RoutingTrainRow extends TrainRow {
  topics?: Record<string, string>;
}

/** Pseudo-topic: the organization's name with the place masked out ("ЖА {place} района"), derived from the label. */
export const ORGANIZATION_TYPE = '@organization-type';

export interface TopicPriorOptions {
  /** A key of `RoutingTrainRow.topics`, or ORGANIZATION_TYPE. */
  topic: string;
  /** Weight of log P(organization | place, topic) beside the direct model's calibrated log-probabilities. */
  weight: number;
  topN?: number;
  placeSmoothing?: number;
  topicSmoothing?: number;
  /** Also learn the place from the text (text → place model), used when the context names no place. */
  predictPlace?: boolean;
  /** Options of the topic model (text only); calibrated, since its probabilities weigh the topics. */
  train?: Pick<TrainOptions, 'C' | 'classWeight' | 'features'>;
}

export interface RoutingTrainOptions extends TrainOptions {
  /**
   * Key of the place in the priors' place × topic tables, read from the row's context, else from its training-only
   * topics (absent: topic tables only). Prediction takes the place from the context under the same key.
   */
  placeKey?: string;
  priors?: TopicPriorOptions[];
  onProgress?: (p: TrainProgress & { stage: string }) => void;
}

const PRIOR_DEFAULTS = { topN: 10, placeSmoothing: 1, topicSmoothing: 2 };

/**
 * The direct model (text + context → organization) with one topic prior per `priors` entry. Each prior's topic
 * model is trained on the rows that carry that topic; the count tables use the gold topics, and prediction sums them
 * over the topic model's distribution, so the tables never see a prediction made on their own training rows.
 */
export function trainRoutingModel(rows: readonly RoutingTrainRow[], options: RoutingTrainOptions = {}): LinearTextModel {
  const { priors = [], placeKey, onProgress, ...direct } = options;
  const stripped: TrainRow[] = rows.map(({ topics: _t, ...r }) => r);
  const model = trainModel(stripped, { ...direct, ...(onProgress ? { onProgress: (p) => onProgress({ ...p, stage: 'direct' }) } : {}) });
  if (priors.length === 0) return model;
  const labelIndex = new Map(model.labels.map((l, i) => [l, i] as const));
  const placeOf = (r: RoutingTrainRow): string => (placeKey ? (r.context?.[placeKey] || r.topics?.[placeKey]) ?? '' : '').trim();
  const places = [...new Set(rows.map(placeOf).filter((p) => p !== ''))];
  const built: Parameters<LinearTextModel['withTopicPriors']>[0] = [];
  let placeModel: LinearTextModel | undefined;
  const weightOf = (r: RoutingTrainRow) => (r.weight !== undefined ? { weight: r.weight } : {});
  const types = new Map<string, string>();
  const typeOf = (label: string): string => {
    let t = types.get(label);
    if (t === undefined) types.set(label, (t = organizationType(label, places)));
    return t;
  };
  for (const p of priors) {
    const topicOf = (r: RoutingTrainRow): string => (p.topic === ORGANIZATION_TYPE ? typeOf(r.label) : r.topics?.[p.topic] ?? '').trim();
    const withTopic = rows.filter((r) => topicOf(r) !== '');
    if (withTopic.length === 0) throw new Error(`no training row has the topic "${p.topic}"`);
    const topicModel = trainModel(withTopic.map((r) => ({ text: r.text, label: topicOf(r), ...weightOf(r) })), {
      ...p.train,
      calibrate: true,
      seed: direct.seed,
      quantize: direct.quantize,
      prune: direct.prune,
      meta: { topic: p.topic },
      ...(onProgress ? { onProgress: (q: TrainProgress) => onProgress({ ...q, stage: `topic ${p.topic}` }) } : {}),
    });
    const topicIndex = new Map(topicModel.labels.map((l, i) => [l, i] as const));
    const table = countTopicTable(
      withTopic.map((r) => ({ label: labelIndex.get(r.label)!, topic: topicIndex.get(topicOf(r))!, place: placeOf(r) })),
      topicModel.labels.length,
    );
    if (p.predictPlace && !placeModel) {
      if (!placeKey || places.length === 0) throw new Error('predictPlace needs placeKey and rows with a place');
      placeModel = trainModel(rows.filter((r) => placeOf(r) !== '').map((r) => ({ text: r.text, label: placeOf(r), ...weightOf(r) })), {
        calibrate: true,
        seed: direct.seed,
        quantize: direct.quantize,
      prune: direct.prune,
        meta: { place: placeKey },
        ...(onProgress ? { onProgress: (q: TrainProgress) => onProgress({ ...q, stage: `place ${placeKey}` }) } : {}),
      });
    }
    const spec: Omit<TopicPriorFile, 'topicModel' | 'placeModel'> = {
      weight: p.weight,
      topN: p.topN ?? PRIOR_DEFAULTS.topN,
      placeSmoothing: p.placeSmoothing ?? PRIOR_DEFAULTS.placeSmoothing,
      topicSmoothing: p.topicSmoothing ?? PRIOR_DEFAULTS.topicSmoothing,
      ...(placeKey ? { contextKey: placeKey } : {}),
      ...table,
    };
    built.push({ spec, topics: topicModel, ...(p.predictPlace && placeModel ? { places: placeModel } : {}) });
  }
  return model.withTopicPriors(built);
}

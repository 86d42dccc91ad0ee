import type { LinearTextModel, TopicPriorInput } from './linear-text-model.js';
import { trainModel, type TrainOptions, type TrainProgress, type TrainRow } from './train-model.js';
import { countTopicTable } from './routing-prior.js';
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

type StageProgress = RoutingTrainOptions['onProgress'];

/** The options that report progress under `stage`, when progress is asked for. */
function stageProgress(onProgress: StageProgress, stage: string): { onProgress?: (p: TrainProgress) => void } {
  return onProgress ? { onProgress: (p) => onProgress({ ...p, stage }) } : {};
}

/** What every prior's training shares: the rows, their places, the direct model's labels and options. */
interface PriorTraining {
  rows: readonly RoutingTrainRow[];
  placeKey: string | undefined;
  placeOf: (row: RoutingTrainRow) => string;
  /** Distinct places of the rows. */
  places: string[];
  labelIndex: Map<string, number>;
  /** The direct model's options that the priors' own models share. */
  inherited: Pick<TrainOptions, 'seed' | 'quantize' | 'prune'>;
  onProgress: StageProgress;
}

/**
 * The direct model (text + context → organization) with one topic prior per `priors` entry. Each prior's topic
 * model is trained on the rows that carry that topic; the count tables use the gold topics, and prediction sums them
 * over the topic model's distribution, so the tables never see a prediction made on their own training rows.
 */
export function trainRoutingModel(rows: readonly RoutingTrainRow[], options: RoutingTrainOptions = {}): LinearTextModel {
  const { priors = [], placeKey, onProgress, ...direct } = options;
  const stripped: TrainRow[] = rows.map(({ topics: _topics, ...row }) => row);
  const model = trainModel(stripped, { ...direct, ...stageProgress(onProgress, 'direct') });
  if (priors.length === 0) return model;
  const placeOf = (row: RoutingTrainRow): string => (placeKey ? (row.context?.[placeKey] || row.topics?.[placeKey]) ?? '' : '').trim();
  const training: PriorTraining = {
    rows,
    placeKey,
    placeOf,
    places: [...new Set(rows.map(placeOf).filter((place) => place !== ''))],
    labelIndex: new Map(model.labels.map((label, k) => [label, k] as const)),
    inherited: { seed: direct.seed, quantize: direct.quantize, prune: direct.prune },
    onProgress,
  };
  const typeOf = organizationTypes(training.places);
  const built: TopicPriorInput[] = [];
  let placeModel: LinearTextModel | undefined;
  for (const prior of priors) {
    const topicOf = (row: RoutingTrainRow): string => (prior.topic === ORGANIZATION_TYPE ? typeOf(row.label) : row.topics?.[prior.topic] ?? '').trim();
    const { topicModel, table } = trainTopic(training, prior, topicOf);
    if (prior.predictPlace && !placeModel) placeModel = trainPlaceModel(training);
    const spec: TopicPriorInput['spec'] = {
      weight: prior.weight,
      topN: prior.topN ?? PRIOR_DEFAULTS.topN,
      placeSmoothing: prior.placeSmoothing ?? PRIOR_DEFAULTS.placeSmoothing,
      topicSmoothing: prior.topicSmoothing ?? PRIOR_DEFAULTS.topicSmoothing,
      ...(placeKey ? { contextKey: placeKey } : {}),
      ...table,
    };
    built.push({ spec, topics: topicModel, ...(prior.predictPlace && placeModel ? { places: placeModel } : {}) });
  }
  return model.withTopicPriors(built);
}

/** organizationType of a label, computed once per label. */
function organizationTypes(places: readonly string[]): (label: string) => string {
  const types = new Map<string, string>();
  return (label) => {
    let type = types.get(label);
    if (type === undefined) types.set(label, type = organizationType(label, places));
    return type;
  };
}

function weightOf(row: RoutingTrainRow): { weight?: number } {
  return row.weight !== undefined ? { weight: row.weight } : {};
}

/** The prior's topic model (text → topic, calibrated) and its organization counts per topic and place × topic. */
function trainTopic(training: PriorTraining, prior: TopicPriorOptions, topicOf: (row: RoutingTrainRow) => string) {
  const withTopic = training.rows.filter((row) => topicOf(row) !== '');
  if (withTopic.length === 0) throw new Error(`no training row has the topic "${prior.topic}"`);
  const topicModel = trainModel(withTopic.map((row) => ({ text: row.text, label: topicOf(row), ...weightOf(row) })), {
    ...prior.train,
    calibrate: true,
    ...training.inherited,
    meta: { topic: prior.topic },
    ...stageProgress(training.onProgress, `topic ${prior.topic}`),
  });
  const topicIndex = new Map(topicModel.labels.map((label, t) => [label, t] as const));
  const table = countTopicTable(
    withTopic.map((row) => ({ label: training.labelIndex.get(row.label)!, topic: topicIndex.get(topicOf(row))!, place: training.placeOf(row) })),
    topicModel.labels.length,
  );
  return { topicModel, table };
}

/** The place model (text → place, calibrated), for predictions whose context names no place. */
function trainPlaceModel(training: PriorTraining): LinearTextModel {
  const { placeKey, placeOf } = training;
  if (!placeKey || training.places.length === 0) throw new Error('predictPlace needs placeKey and rows with a place');
  const rows = training.rows.filter((row) => placeOf(row) !== '').map((row) => ({ text: row.text, label: placeOf(row), ...weightOf(row) }));
  return trainModel(rows, {
    calibrate: true,
    ...training.inherited,
    meta: { place: placeKey },
    ...stageProgress(training.onProgress, `place ${placeKey}`),
  });
}

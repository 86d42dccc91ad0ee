import { cueDeriver, type CueDeriver } from './cue-sets.js';
import { MarginScorer } from './margin-scorer.js';
import { contentVersion, decodeModelFile, encodeModelFile, readModelJson, writeModelJson, type ModelFile, type ModelParts } from './model-file.js';
import { logSoftmax, toPrediction } from './probabilities.js';
import { TopicPrior, type TopicPriorFile } from './routing-prior.js';
import type { Prediction, TextModel } from './text-model.js';

/** A topic prior to add with `withTopicPriors`: its counts, and the models that fill its `topicModel` and `placeModel`. */
export interface TopicPriorInput {
  spec: Omit<TopicPriorFile, 'topicModel' | 'placeModel'>;
  topics: LinearTextModel;
  places?: LinearTextModel;
}

/** Linear model over hashed TF-IDF features; the object `trainModel` returns and `loadModel` reads back. */
export class LinearTextModel implements TextModel {
  readonly version: string;
  readonly labels: readonly string[];
  readonly temperature: number;
  readonly createdAt: string;
  private readonly parts: ModelParts;
  private readonly scorer: MarginScorer;
  private readonly withCues: CueDeriver | undefined;

  constructor(parts: ModelParts, version: string, createdAt: string) {
    this.parts = parts;
    this.version = version;
    this.createdAt = createdAt;
    this.labels = Object.freeze([...parts.labels]);
    this.temperature = parts.temperature;
    this.scorer = new MarginScorer(parts);
    this.withCues = cueDeriver(parts.features.cues);
  }

  /** A new model of `parts`, versioned by its content and the date. */
  static stamped(parts: ModelParts, now = new Date()): LinearTextModel {
    return new LinearTextModel(parts, contentVersion(parts, now), now.toISOString());
  }

  get vocabularySize(): number {
    return this.parts.vocabBuckets.length;
  }

  get hasTopicPriors(): boolean {
    return this.parts.topicPriors !== undefined;
  }

  get trainingInfo(): Readonly<Record<string, unknown>> {
    return this.parts.training;
  }

  /** Raw one-vs-rest margins, in `labels` order. The returned array is reused by the next call. */
  margins(text: string, context?: Record<string, string>): Float64Array {
    return this.scorer.margins(text, this.withCues ? this.withCues(text, context) : context);
  }

  predict(text: string, context?: Record<string, string>): Prediction {
    const margins = this.margins(text, context);
    const priors = this.parts.topicPriors;
    if (!priors) return toPrediction(margins, this.labels, this.temperature, this.parts.topK);
    // Product of experts: the calibrated direct log-probabilities plus each weighted prior, renormalised.
    const scores = logSoftmax(margins, this.temperature);
    for (const p of priors) p.prior.addTo(scores, text, context);
    return toPrediction(scores, this.labels, 1, this.parts.topK);
  }

  /**
   * The same model with topic priors added (replacing any it had). Each prior comes with its topic model (and
   * optional place model), which fill the spec's `topicModel` and `placeModel`; they must be plain (v1) models.
   */
  withTopicPriors(priors: TopicPriorInput[]): LinearTextModel {
    const built = priors.map(({ spec, topics, places }) => {
      assertPlain(topics, places);
      const full: TopicPriorFile = {
        ...spec,
        topicModel: topics.toJSON() as unknown as Record<string, unknown>,
        ...(places ? { placeModel: places.toJSON() as unknown as Record<string, unknown> } : {}),
      };
      return { spec: full, prior: new TopicPrior(full, topics, this.labels.length, places) };
    });
    return LinearTextModel.stamped({ ...this.parts, topicPriors: built });
  }

  toJSON(): ModelFile {
    return encodeModelFile(this.parts, this.version, this.createdAt);
  }

  /** Writes JSON, gzipped when the path ends in `.gz`. */
  async save(path: string): Promise<void> {
    await writeModelJson(path, this.toJSON());
  }
}

/** A prior's own models score topics and places from the text alone; they cannot carry priors themselves. */
function assertPlain(topics: LinearTextModel, places: LinearTextModel | undefined): void {
  if (topics.hasTopicPriors || places?.hasTopicPriors) throw new Error('a topic or place model cannot have topic priors itself');
}

export function modelFromJSON(value: unknown): LinearTextModel {
  const { parts, priorSpecs, version, createdAt } = decodeModelFile(value);
  const topicPriors = priorSpecs?.map((spec) => {
    const topics = modelFromJSON(spec.topicModel);
    const places = spec.placeModel ? modelFromJSON(spec.placeModel) : undefined;
    assertPlain(topics, places);
    return { spec, prior: new TopicPrior(spec, topics, parts.labels.length, places) };
  });
  return new LinearTextModel({ ...parts, ...(topicPriors ? { topicPriors } : {}) }, version, createdAt);
}

export async function loadModel(path: string): Promise<LinearTextModel> {
  return modelFromJSON(await readModelJson(path));
}

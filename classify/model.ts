import { createHash } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { decodeVarints, decodeWeights, encodeVarints, quantizeWeights, type EncodedWeights, type ScaledWeights, type WeightEncoding } from './codec.js';
import { BLOCKS, bigramPrefix, blockWeights, crossBigramHash, crossPrefix, crossStemHash, DEFAULT_FEATURES, FeatureExtractor, fnvUpdate, idfFromDf, mix32, weighBuckets, type FeatureConfig } from './features.js';
import { cleanText, isAllDigits, isPlaceholder, normalizeCase, PLACEHOLDER, stemWord, STOP_WORDS, tokenize } from './text.js';
import { mulberry32, trainOvr, type SparseRows } from './linear.js';
import { TopicPrior, topicPriorSchema, type TopicPriorFile } from './routing-prior.js';

export interface Prediction {
  label: string;
  confidence: number;
  top: { label: string; score: number }[];
}

export interface TextModel {
  readonly version: string;
  readonly labels: readonly string[];
  predict(text: string, context?: Record<string, string>): Prediction;
}

export interface TrainRow {
  text: string;
  label: string;
  context?: Record<string, string>;
  /** Multiplies C for this row; lets a small in-domain set weigh more than a large out-of-domain one. */
  weight?: number;
}

export interface TrainOptions {
  features?: Partial<FeatureConfig>;
  /** SVM inverse regularisation. */
  C?: number;
  /** `balanced` multiplies C of each class's positives by n/(K·n_k), `sqrt` by its square root. */
  classWeight?: 'none' | 'balanced' | 'sqrt';
  eps?: number;
  maxIter?: number;
  seed?: number;
  /** Fit the softmax temperature on a 10% hold-out (costs one more training run). */
  calibrate?: boolean;
  quantize?: WeightEncoding;
  /**
   * Zero the weights that quantize to at most this many levels (int8/int16; 0 = keep all). Nine in ten int8 weights
   * of a many-class model are within ±1 level of zero and change almost no prediction, while zeros compress well:
   * 1 makes the routing model's file a fifth smaller.
   */
  prune?: number;
  /** How many labels `predict` lists in `top`. */
  topK?: number;
  /** Free-form provenance written into the model file (data sources, mapping version…). */
  meta?: Record<string, unknown>;
}

export interface TrainProgress {
  /** 0 = extracting features (done/total = rows); 1… = SVM fits (done/total = classes); the last fit is the final one. */
  epoch: number;
  done: number;
  total: number;
}

export const MODEL_FORMAT = 'otklik.text-model';
/**
 * Newest format this code reads. Version 2 adds `topicPriors` (the routing model); a model without them is still
 * written as version 1, so category and complaint files stay readable by older builds.
 */
export const MODEL_FORMAT_VERSION = 2;

const DEFAULT_TRAIN = {
  C: 0.5,
  classWeight: 'sqrt' as const,
  eps: 0.1,
  maxIter: 60,
  seed: 1,
  quantize: 'int8' as WeightEncoding,
  topK: 3,
};

const featureConfigSchema = z.object({
  hashBits: z.number().int().min(8).max(26),
  wordNgrams: z.number().int().min(1).max(3),
  charMin: z.number().int().min(0).max(10),
  charMax: z.number().int().min(0).max(10),
  removeStopWords: z.boolean(),
  sublinearTf: z.boolean(),
  wordWeight: z.number(),
  charWeight: z.number(),
  contextWeight: z.number(),
  minDf: z.number().int().min(1),
  crossContext: z.number().int().min(0).max(2).optional(),
  crossWeight: z.number().optional(),
});

const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.union([z.literal(1), z.literal(2)]),
  version: z.string().min(1),
  createdAt: z.string(),
  labels: z.array(z.string()).min(1),
  features: featureConfigSchema,
  temperature: z.number().positive(),
  topK: z.number().int().min(1),
  training: z.record(z.string(), z.unknown()),
  vocab: z.object({ size: z.number().int().min(0), nDocs: z.number().int().min(1), buckets: z.string(), df: z.string() }),
  weights: z.object({ encoding: z.enum(['int8', 'int16', 'float32']), scales: z.array(z.number()).optional(), data: z.string() }),
  bias: z.array(z.number()),
  topicPriors: z.array(topicPriorSchema).optional(),
});

export type ModelFile = z.infer<typeof modelFileSchema>;

interface ModelParts {
  labels: string[];
  features: FeatureConfig;
  temperature: number;
  topK: number;
  training: Record<string, unknown>;
  nDocs: number;
  vocabBuckets: Int32Array;
  vocabDf: Int32Array;
  W: ScaledWeights;
  encodedWeights: EncodedWeights;
  bias: Float32Array;
  /** Routing: log P(label | place, predicted topic) terms added to the log-probabilities (see routing-prior.ts). */
  topicPriors?: { spec: TopicPriorFile; prior: TopicPrior }[];
}

/** Linear model over hashed TF-IDF features; the object `trainModel` returns and `loadModel` reads back. */
export class LinearTextModel implements TextModel {
  readonly version: string;
  readonly labels: readonly string[];
  readonly features: FeatureConfig;
  readonly temperature: number;
  readonly createdAt: string;
  private readonly parts: ModelParts;
  private readonly K: number;
  private readonly lookup: Int32Array;
  private readonly idf: Float32Array;
  private readonly W: ScaledWeights['values'];
  private readonly scales: Float64Array;
  private readonly acc: Float64Array;
  private readonly bias: Float32Array;
  private readonly ex: FeatureExtractor;
  private readonly mask: number;
  private readonly blockWeight: [number, number, number, number];
  private list = new Int32Array(1024);
  private listLen = 0;
  /** Per vocabulary column: [generation, count] of the block being filled. */
  private readonly seen: Int32Array;
  private generation = 0;
  private readonly words = new Map<string, WordEntry>();
  private colPool = new Int32Array(1 << 16);
  private colLen = 0;
  private partPool = new Float64Array(1 << 14);
  private partLen = 0;
  private entries: (WordEntry | undefined)[] = [];
  private readonly scores: Float64Array;

  constructor(parts: ModelParts, version: string, createdAt: string) {
    this.parts = parts;
    this.version = version;
    this.createdAt = createdAt;
    this.labels = Object.freeze([...parts.labels]);
    this.features = parts.features;
    this.temperature = parts.temperature;
    this.K = parts.labels.length;
    this.lookup = buildLookup(parts.features.hashBits, parts.vocabBuckets);
    this.idf = idfFromDf(parts.vocabDf, parts.nDocs);
    this.W = parts.W.values;
    this.scales = parts.W.scales;
    this.acc = new Float64Array(parts.labels.length);
    this.bias = parts.bias;
    this.ex = new FeatureExtractor(parts.features);
    this.scores = new Float64Array(this.K);
    this.mask = (1 << parts.features.hashBits) - 1;
    this.blockWeight = blockWeights(parts.features);
    this.seen = new Int32Array(parts.vocabBuckets.length * 2);
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

  /**
   * Raw one-vs-rest margins, in `labels` order. The returned array is reused by the next call.
   *
   * This is the classify hot path, so it works on vocabulary columns instead of hash buckets: each distinct word's
   * character n-grams are looked up once and cached as columns, and term counting uses stamp arrays the size of
   * the vocabulary (cache-friendly) instead of the whole hash space. It emits the same features in the same
   * order as FeatureExtractor + weighBuckets, which training uses, so the numbers are the same.
   */
  margins(text: string, context?: Record<string, string>): Float64Array {
    const cfg = this.features;
    const ex = this.ex;
    const lookup = this.lookup;
    const mask = this.mask;
    const tokens = tokenize(normalizeCase(cleanText(text)));
    // Cleared only between texts: entries of the text being scored point into the pools.
    if (this.words.size >= WORD_CACHE_LIMIT) this.clearWordCache();
    const K = this.K;
    const scores = this.scores;
    const weights = this.blockWeight;
    for (let k = 0; k < K; k++) scores[k] = 0;

    // Block 0: stem n-grams. Each word's stem, unigram column and the FNV state of the bigram prefix come from
    // the per-word cache, so a bigram costs one short FNV continuation and one lookup.
    this.startBlock();
    const order = cfg.wordNgrams;
    let prev1: WordEntry | undefined;
    let prev2: WordEntry | undefined;
    const entries = this.entries;
    let nWords = 0;
    for (let i = 0; i < tokens.length; i++) {
      const e = this.wordEntry(tokens[i]!);
      entries[nWords++] = e;
      if (e.stop) continue;
      this.addCol(e.stemCol);
      if (order >= 2 && prev1) this.addCol(lookup[mix32(fnvUpdate(prev1.bigramState, e.stem)) & mask]!);
      if (order >= 3 && prev2) this.addCol(lookup[ex.trigramBucket(prev2.stem, prev1!.stem, e.stem)]!);
      prev2 = prev1;
      prev1 = e;
    }
    this.scoreBlock(weights[0]);

    // Block 1: character n-grams of surface words. Each word carries its n-grams' summed IDF × weight vector and
    // squared IDF, so the block costs K additions per word; only n-grams that occur more than once in the text
    // (shared endings, repeated words) need the sublinear-TF correction, which is the exact difference.
    this.startBlock();
    if (nWords > 0) this.scoreCharBlock(entries, nWords, weights[1]);

    this.startBlock();
    if (context) {
      for (const key of Object.keys(context)) {
        const value = context[key];
        if (value === undefined || value.trim() === '') continue;
        this.addCol(lookup[ex.contextBucket(key, value)]!);
      }
    }
    this.scoreBlock(weights[2]);

    // Block 3: context × stem (× stem bigram) conjunctions, over the same stems (stop words skipped) as block 0.
    const cross = cfg.crossContext ?? 0;
    if (cross > 0 && context) {
      this.startBlock();
      for (const key of Object.keys(context)) {
        const value = context[key];
        if (value === undefined || value.trim() === '') continue;
        const prefix = crossPrefix(key, value);
        let prev: WordEntry | undefined;
        for (let i = 0; i < nWords; i++) {
          const e = entries[i]!;
          if (e.stop) continue;
          this.addCol(lookup[crossStemHash(prefix, e.stem) & mask]!);
          if (cross >= 2 && prev) this.addCol(lookup[crossBigramHash(prefix, prev.stem, e.stem) & mask]!);
          prev = e;
        }
      }
      this.scoreBlock(weights[3]);
    }
    for (let i = 0; i < nWords; i++) entries[i] = undefined;

    for (let k = 0; k < K; k++) scores[k] = this.bias[k]! + scores[k]! * this.scales[k]!;
    return scores;
  }

  private startBlock(): void {
    if (this.generation === 0x7fffffff) {
      this.seen.fill(0);
      this.generation = 0;
    }
    this.generation++;
    this.listLen = 0;
  }

  /** Counts a vocabulary column in the current block; `seen` interleaves (generation, count) so one access does both. */
  private addCol(col: number): void {
    if (col < 0) return;
    const at = col << 1;
    const seen = this.seen;
    if (seen[at] === this.generation) {
      seen[at + 1]!++;
      return;
    }
    seen[at] = this.generation;
    seen[at + 1] = 1;
    if (this.listLen === this.list.length) {
      const l = new Int32Array(this.list.length * 2);
      l.set(this.list);
      this.list = l;
    }
    this.list[this.listLen++] = col;
  }

  /**
   * Adds the block just filled to `scores`: sublinear TF × IDF, L2-normalised to the block weight (as weighBuckets
   * does for training). The norm is a scalar, so the dot product runs on unnormalised values and is scaled once.
   */
  private scoreBlock(weight: number): void {
    const n = this.listLen;
    if (n === 0) return;
    const sublinear = this.features.sublinearTf;
    const K = this.K;
    const acc = this.acc;
    const W = this.W;
    const seen = this.seen;
    const idf = this.idf;
    const list = this.list;
    for (let k = 0; k < K; k++) acc[k] = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const col = list[i]!;
      const tf = seen[(col << 1) + 1]!;
      const v = tf === 1 ? idf[col]! : (sublinear ? 1 + Math.log(tf) : tf) * idf[col]!;
      sq += v * v;
      const base = col * K;
      for (let k = 0; k < K; k++) acc[k] = acc[k]! + v * W[base + k]!;
    }
    const scale = weight / Math.sqrt(sq);
    const scores = this.scores;
    for (let k = 0; k < K; k++) scores[k] = scores[k]! + acc[k]! * scale;
  }

  private scoreCharBlock(entries: (WordEntry | undefined)[], nWords: number, weight: number): void {
    const K = this.K;
    const acc = this.acc;
    for (let k = 0; k < K; k++) acc[k] = 0;
    let sq = 0;
    const colPool = this.colPool;
    const partPool = this.partPool;
    for (let i = 0; i < nWords; i++) {
      const e = entries[i]!;
      if (e.colEnd === e.colStart) continue;
      const part = e.part;
      for (let k = 0; k < K; k++) acc[k] = acc[k]! + partPool[part + k]!;
      sq += e.charSq;
      for (let j = e.colStart; j < e.colEnd; j++) this.addCol(colPool[j]!);
    }
    if (sq === 0) return;
    const sublinear = this.features.sublinearTf;
    const W = this.W;
    const seen = this.seen;
    const idf = this.idf;
    const list = this.list;
    for (let i = 0; i < this.listLen; i++) {
      const col = list[i]!;
      const tf = seen[(col << 1) + 1]!;
      if (tf === 1) continue;
      const g = sublinear ? 1 + Math.log(tf) : tf;
      const w = idf[col]!;
      sq += (g * g - tf) * w * w;
      const d = (g - tf) * w;
      if (d === 0) continue;
      const base = col * K;
      for (let k = 0; k < K; k++) acc[k] = acc[k]! + d * W[base + k]!;
    }
    const scale = weight / Math.sqrt(sq);
    const scores = this.scores;
    for (let k = 0; k < K; k++) scores[k] = scores[k]! + acc[k]! * scale;
  }

  /** Everything about one surface word the hot path needs, computed once per distinct word. */
  private wordEntry(token: string): WordEntry {
    const cached = this.words.get(token);
    if (cached) return cached;
    const w = isAllDigits(token) ? PLACEHOLDER.number : token;
    const stop = this.features.removeStopWords && STOP_WORDS.has(w);
    const stem = stemWord(w);
    const ex = this.ex;
    const K = this.K;
    const colStart = this.colLen;
    let colEnd = colStart;
    let part = 0;
    let charSq = 0;
    if (this.features.charMax > 0 && !isPlaceholder(w)) {
      const bound = ex.charBucketBound(w);
      if (colStart + bound > this.colPool.length) this.colPool = grow(this.colPool, colStart + bound);
      const colPool = this.colPool;
      const n = ex.charBucketsInto(w, colPool, colStart);
      // Buckets become vocabulary columns in place; out-of-vocabulary n-grams are dropped.
      for (let j = colStart; j < colStart + n; j++) {
        const col = this.lookup[colPool[j]!]!;
        if (col >= 0) colPool[colEnd++] = col;
      }
      if (colEnd > colStart) {
        part = this.partLen;
        if (part + K > this.partPool.length) this.partPool = grow(this.partPool, part + K);
        const partPool = this.partPool;
        for (let k = 0; k < K; k++) partPool[part + k] = 0;
        for (let j = colStart; j < colEnd; j++) {
          const col = colPool[j]!;
          const v = this.idf[col]!;
          charSq += v * v;
          const base = col * K;
          for (let k = 0; k < K; k++) partPool[part + k] = partPool[part + k]! + v * this.W[base + k]!;
        }
        this.partLen = part + K;
      }
    }
    this.colLen = colEnd;
    const entry: WordEntry = { stem, stop, stemCol: this.lookup[ex.stemBucket(stem)]!, bigramState: bigramPrefix(stem), colStart, colEnd, part, charSq };
    this.words.set(token, entry);
    return entry;
  }

  private clearWordCache(): void {
    this.words.clear();
    this.colLen = 0;
    this.partLen = 0;
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
  withTopicPriors(priors: { spec: Omit<TopicPriorFile, 'topicModel' | 'placeModel'>; topics: LinearTextModel; places?: LinearTextModel }[]): LinearTextModel {
    const built = priors.map(({ spec, topics, places }) => {
      if (topics.hasTopicPriors || places?.hasTopicPriors) throw new Error('a topic or place model cannot have topic priors itself');
      const full: TopicPriorFile = {
        ...spec,
        topicModel: topics.toJSON() as unknown as Record<string, unknown>,
        ...(places ? { placeModel: places.toJSON() as unknown as Record<string, unknown> } : {}),
      };
      return { spec: full, prior: new TopicPrior(full, topics, this.K, places) };
    });
    const parts: ModelParts = {
      ...this.parts,
      topicPriors: built,
    };
    const now = new Date();
    const draft = new LinearTextModel(parts, 'draft', now.toISOString());
    const { version: _v, createdAt: _c, ...content } = draft.toJSON();
    return new LinearTextModel(parts, computeVersion(content, now), now.toISOString());
  }

  toJSON(): ModelFile {
    const p = this.parts;
    return {
      format: MODEL_FORMAT,
      formatVersion: p.topicPriors ? 2 : 1,
      version: this.version,
      createdAt: this.createdAt,
      labels: [...p.labels],
      features: p.features,
      temperature: p.temperature,
      topK: p.topK,
      training: p.training,
      vocab: {
        size: p.vocabBuckets.length,
        nDocs: p.nDocs,
        buckets: encodeVarints(p.vocabBuckets, true),
        df: encodeVarints(p.vocabDf, false),
      },
      weights: p.encodedWeights,
      bias: Array.from(p.bias),
      ...(p.topicPriors ? { topicPriors: p.topicPriors.map((t) => t.spec) } : {}),
    };
  }

  /** Writes JSON, gzipped when the path ends in `.gz`. */
  async save(path: string): Promise<void> {
    const json = JSON.stringify(this.toJSON());
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, path.endsWith('.gz') ? gzipSync(json, { level: 9 }) : json);
  }
}

/**
 * Everything the hot path needs about one distinct surface word. Its character n-gram columns live in the model's
 * `colPool` [colStart, colEnd) and their summed IDF × weight per label in `partPool` [part, part + K): two growing
 * arrays instead of two small typed arrays per word, whose headers would cost more than their data.
 */
interface WordEntry {
  stem: string;
  /** A stop word when the model drops them: it still contributes character n-grams. */
  stop: boolean;
  stemCol: number;
  bigramState: number;
  colStart: number;
  colEnd: number;
  /** Σ idf × weight over the word's columns, per label, in integer weight units (scaled at the end like the rest). */
  part: number;
  /** Σ idf² over the word's columns. */
  charSq: number;
}

/** Distinct surface words kept per model (≈ 35 MiB at the limit; the 22 k benchmark texts hold ~40 k). Restarts when full. */
const WORD_CACHE_LIMIT = 100_000;

function grow<T extends Int32Array | Float64Array>(a: T, need: number): T {
  let size = a.length * 2;
  while (size < need) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

function buildLookup(hashBits: number, buckets: Int32Array): Int32Array {
  const lookup = new Int32Array(1 << hashBits).fill(-1);
  for (let c = 0; c < buckets.length; c++) lookup[buckets[c]!] = c;
  return lookup;
}

function logSoftmax(margins: ArrayLike<number>, temperature: number): Float64Array {
  const out = new Float64Array(margins.length);
  let max = -Infinity;
  for (let k = 0; k < margins.length; k++) max = Math.max(max, margins[k]! * temperature);
  let sum = 0;
  for (let k = 0; k < margins.length; k++) sum += Math.exp(margins[k]! * temperature - max);
  const log = max + Math.log(sum);
  for (let k = 0; k < margins.length; k++) out[k] = margins[k]! * temperature - log;
  return out;
}

export function softmax(margins: ArrayLike<number>, temperature: number): Float64Array {
  const out = new Float64Array(margins.length);
  let max = -Infinity;
  for (let k = 0; k < margins.length; k++) max = Math.max(max, margins[k]! * temperature);
  let sum = 0;
  for (let k = 0; k < margins.length; k++) {
    out[k] = Math.exp(margins[k]! * temperature - max);
    sum += out[k]!;
  }
  for (let k = 0; k < margins.length; k++) out[k] = out[k]! / sum;
  return out;
}

function toPrediction(margins: Float64Array, labels: readonly string[], temperature: number, topK: number): Prediction {
  const probs = softmax(margins, temperature);
  // Partial selection: K is small and only topK labels are reported; ties keep label order.
  const n = Math.min(topK, labels.length);
  const chosen: number[] = [];
  for (let k = 0; k < probs.length; k++) {
    let at = chosen.length;
    while (at > 0 && probs[chosen[at - 1]!]! < probs[k]!) at--;
    if (at < n) {
      chosen.splice(at, 0, k);
      if (chosen.length > n) chosen.pop();
    }
  }
  const top = chosen.map((k) => ({ label: labels[k]!, score: round6(probs[k]!) }));
  return { label: top[0]!.label, confidence: top[0]!.score, top };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Content hash + date: two models with the same version string are the same model. */
function computeVersion(file: Omit<ModelFile, 'version' | 'createdAt'>, date: Date): string {
  const hash = createHash('sha256').update(JSON.stringify(file)).digest('hex').slice(0, 12);
  return `${date.toISOString().slice(0, 10)}-${hash}`;
}

export async function loadModel(path: string): Promise<LinearTextModel> {
  const raw = await readFile(path);
  const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return modelFromJSON(JSON.parse(text));
}

export function modelFromJSON(value: unknown): LinearTextModel {
  const parsed = modelFileSchema.safeParse(value);
  if (!parsed.success) throw new Error(`not an ${MODEL_FORMAT} v1–v${MODEL_FORMAT_VERSION} model: ${parsed.error.message}`);
  const f = parsed.data;
  if (f.formatVersion === 1 && f.topicPriors) throw new Error('topicPriors need formatVersion 2');
  const K = f.labels.length;
  if (f.bias.length !== K) throw new Error('bias length does not match labels');
  const vocabBuckets = decodeVarints(f.vocab.buckets, f.vocab.size, true);
  const vocabDf = decodeVarints(f.vocab.df, f.vocab.size, false);
  const maxBucket = 1 << f.features.hashBits;
  for (let i = 0; i < vocabBuckets.length; i++) if (vocabBuckets[i]! >= maxBucket) throw new Error('vocabulary bucket outside the hash space');
  const encodedWeights: EncodedWeights = { encoding: f.weights.encoding, data: f.weights.data, ...(f.weights.scales ? { scales: f.weights.scales } : {}) };
  const W = decodeWeights(encodedWeights, f.vocab.size * K, K);
  return new LinearTextModel(
    {
      labels: f.labels,
      features: f.features,
      temperature: f.temperature,
      topK: f.topK,
      training: f.training,
      nDocs: f.vocab.nDocs,
      vocabBuckets,
      vocabDf,
      W,
      encodedWeights,
      bias: Float32Array.from(f.bias),
      ...(f.topicPriors
        ? {
            topicPriors: f.topicPriors.map((spec) => {
              const topics = modelFromJSON(spec.topicModel);
              const places = spec.placeModel ? modelFromJSON(spec.placeModel) : undefined;
              if (topics.hasTopicPriors || places?.hasTopicPriors) throw new Error('a topic or place model cannot have topic priors itself');
              return { spec, prior: new TopicPrior(spec, topics, K, places) };
            }),
          }
        : {}),
    },
    f.version,
    f.createdAt,
  );
}

/** Per-row hashed buckets and counts, kept between the vocabulary pass and the weighting pass. */
interface Extracted {
  buckets: Int32Array;
  counts: Int32Array;
  rowStart: Int32Array;
  /** BLOCKS absolute ends per row. */
  blockEnds: Int32Array;
}

function extractAll(rows: readonly TrainRow[], cfg: FeatureConfig, onRow: (done: number) => void): Extracted {
  const ex = new FeatureExtractor(cfg);
  let buckets = new Int32Array(1 << 16);
  let counts = new Int32Array(1 << 16);
  const rowStart = new Int32Array(rows.length + 1);
  const blockEnds = new Int32Array(rows.length * BLOCKS);
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const total = ex.extract(row.text, row.context);
    if (at + total > buckets.length) {
      let size = buckets.length;
      while (size < at + total) size *= 2;
      const b = new Int32Array(size);
      b.set(buckets.subarray(0, at));
      const c = new Int32Array(size);
      c.set(counts.subarray(0, at));
      buckets = b;
      counts = c;
    }
    buckets.set(ex.buckets.subarray(0, total), at);
    counts.set(ex.counts.subarray(0, total), at);
    rowStart[i] = at;
    for (let b = 0; b < BLOCKS; b++) blockEnds[i * BLOCKS + b] = at + ex.blockEnd[b]!;
    at += total;
    if ((i + 1) % 2000 === 0 || i + 1 === rows.length) onRow(i + 1);
  }
  rowStart[rows.length] = at;
  return { buckets: buckets.subarray(0, at), counts: counts.subarray(0, at), rowStart, blockEnds };
}

/** Builds TF-IDF rows over the vocabulary of buckets seen in at least minDf rows. */
function vectorize(ext: Extracted, nRows: number, cfg: FeatureConfig): { rows: SparseRows; vocabBuckets: Int32Array; vocabDf: Int32Array } {
  const space = 1 << cfg.hashBits;
  const df = new Int32Array(space);
  const lastRow = new Int32Array(space).fill(-1);
  for (let i = 0; i < nRows; i++) {
    for (let p = ext.rowStart[i]!; p < ext.rowStart[i + 1]!; p++) {
      const bucket = ext.buckets[p]!;
      if (lastRow[bucket] !== i) {
        lastRow[bucket] = i;
        df[bucket]!++;
      }
    }
  }
  const lookup = new Int32Array(space).fill(-1);
  let V = 0;
  for (let h = 0; h < space; h++) if (df[h]! >= cfg.minDf) lookup[h] = V++;
  const vocabBuckets = new Int32Array(V);
  const vocabDf = new Int32Array(V);
  for (let h = 0; h < space; h++) {
    const c = lookup[h]!;
    if (c >= 0) {
      vocabBuckets[c] = h;
      vocabDf[c] = df[h]!;
    }
  }
  const idf = idfFromDf(vocabDf, nRows);
  const rowPtr = new Int32Array(nRows + 1);
  const cols = new Int32Array(ext.buckets.length);
  const vals = new Float32Array(ext.buckets.length);
  // A bucket hit by two blocks (a hash collision between a stem and a character n-gram) must become one entry
  // with the summed value, or the solver's squared row norms would be wrong; prediction sums them anyway.
  const slot = new Int32Array(V).fill(-1);
  const tmpCols = new Int32Array(4096);
  const tmpVals = new Float32Array(4096);
  let scratchCols = tmpCols;
  let scratchVals = tmpVals;
  let at = 0;
  for (let i = 0; i < nRows; i++) {
    const start = ext.rowStart[i]!;
    const len = ext.rowStart[i + 1]! - start;
    if (len > scratchCols.length) {
      scratchCols = new Int32Array(len);
      scratchVals = new Float32Array(len);
    }
    const n = weighBuckets(cfg, ext.buckets, ext.counts, start, ext.blockEnds.subarray(i * BLOCKS, i * BLOCKS + BLOCKS), lookup, idf, scratchCols, scratchVals);
    const rowBegin = at;
    for (let j = 0; j < n; j++) {
      const c = scratchCols[j]!;
      const s = slot[c]!;
      if (s >= rowBegin) {
        vals[s] = vals[s]! + scratchVals[j]!;
      } else {
        slot[c] = at;
        cols[at] = c;
        vals[at++] = scratchVals[j]!;
      }
    }
    rowPtr[i + 1] = at;
  }
  return { rows: { n: nRows, dim: V, rowPtr, cols: cols.subarray(0, at), vals: vals.subarray(0, at) }, vocabBuckets, vocabDf };
}

function subsetRows(rows: SparseRows, ids: Int32Array): SparseRows {
  let nnz = 0;
  for (const i of ids) nnz += rows.rowPtr[i + 1]! - rows.rowPtr[i]!;
  const rowPtr = new Int32Array(ids.length + 1);
  const cols = new Int32Array(nnz);
  const vals = new Float32Array(nnz);
  let at = 0;
  ids.forEach((i, r) => {
    const s = rows.rowPtr[i]!;
    const e = rows.rowPtr[i + 1]!;
    cols.set(rows.cols.subarray(s, e), at);
    vals.set(rows.vals.subarray(s, e), at);
    at += e - s;
    rowPtr[r + 1] = at;
  });
  return { n: ids.length, dim: rows.dim, rowPtr, cols, vals };
}

function marginsOf(rows: SparseRows, i: number, W: Float32Array, b: Float32Array, K: number, out: Float64Array): void {
  for (let k = 0; k < K; k++) out[k] = b[k]!;
  for (let p = rows.rowPtr[i]!; p < rows.rowPtr[i + 1]!; p++) {
    const base = rows.cols[p]! * K;
    const v = rows.vals[p]!;
    for (let k = 0; k < K; k++) out[k] = out[k]! + v * W[base + k]!;
  }
}

/** Temperature minimising the negative log-likelihood of held-out rows (golden-section search on log T). */
export function fitTemperature(margins: Float64Array[], gold: Int32Array): number {
  const nll = (logT: number): number => {
    const T = Math.exp(logT);
    let sum = 0;
    for (let i = 0; i < margins.length; i++) {
      const p = softmax(margins[i]!, T)[gold[i]!]!;
      sum -= Math.log(Math.max(p, 1e-12));
    }
    return sum;
  };
  let lo = Math.log(0.1);
  let hi = Math.log(100);
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = nll(x1);
  let f2 = nll(x2);
  for (let it = 0; it < 40; it++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = nll(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = nll(x2);
    }
  }
  return Math.exp((lo + hi) / 2);
}

export function trainModel(
  rows: readonly TrainRow[],
  options: TrainOptions & { onProgress?: (p: TrainProgress) => void } = {},
): LinearTextModel {
  if (rows.length === 0) throw new Error('cannot train on zero rows');
  const cfg: FeatureConfig = { ...DEFAULT_FEATURES, ...options.features };
  featureConfigSchema.parse(cfg);
  const opts = { ...DEFAULT_TRAIN, ...stripUndefined(options) };
  const labels = [...new Set(rows.map((r) => r.label))].sort((a, b) => a.localeCompare(b, 'ru'));
  const labelIndex = new Map(labels.map((l, i) => [l, i] as const));
  const K = labels.length;
  const y = Int32Array.from(rows, (r) => labelIndex.get(r.label)!);
  const progress = options.onProgress;

  const ext = extractAll(rows, cfg, (done) => progress?.({ epoch: 0, done, total: rows.length }));
  const { rows: data, vocabBuckets, vocabDf } = vectorize(ext, rows.length, cfg);

  const classCounts = new Int32Array(K);
  for (const k of y) classCounts[k]!++;
  const positiveWeight = Array.from(classCounts, (c) => {
    const balanced = rows.length / (K * Math.max(c, 1));
    return opts.classWeight === 'balanced' ? balanced : opts.classWeight === 'sqrt' ? Math.sqrt(balanced) : 1;
  });
  const rowWeight = rows.some((r) => r.weight !== undefined) ? Float32Array.from(rows, (r) => r.weight ?? 1) : undefined;
  const svm = (fitRows: SparseRows, fitY: Int32Array, fitWeights: Float32Array | undefined, epoch: number) =>
    trainOvr(fitRows, fitY, K, {
      C: opts.C,
      positiveWeight,
      ...(fitWeights ? { rowWeight: fitWeights } : {}),
      eps: opts.eps,
      maxIter: opts.maxIter,
      bias: 1,
      seed: opts.seed,
      onClassDone: (k) => progress?.({ epoch, done: k + 1, total: K }),
    });

  let temperature = 1;
  let epoch = 1;
  const calibrate = (options.calibrate ?? true) && K >= 2 && rows.length >= 100;
  if (calibrate) {
    // 10% seeded hold-out: margins on training rows are inflated, so the temperature must come from unseen rows.
    const rand = mulberry32(opts.seed ^ 0x9e3779b9);
    const fit: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < rows.length; i++) (rand() < 0.1 ? held : fit).push(i);
    if (held.length > 0 && fit.length > 0) {
      const fitIds = Int32Array.from(fit);
      const m = svm(subsetRows(data, fitIds), Int32Array.from(fit, (i) => y[i]!), rowWeight ? Float32Array.from(fit, (i) => rowWeight[i]!) : undefined, epoch++);
      const margins = held.map((i) => {
        const out = new Float64Array(K);
        marginsOf(data, i, m.W, m.b, K, out);
        return out;
      });
      temperature = fitTemperature(margins, Int32Array.from(held, (i) => y[i]!));
    }
  }
  const { W, b } = svm(data, y, rowWeight, epoch);
  if (options.prune && options.prune > 0 && opts.quantize !== 'float32') pruneWeights(W, K, options.prune, opts.quantize === 'int8' ? 127 : 32767);
  const { encoded, weights } = quantizeWeights(W, K, opts.quantize);
  const training: Record<string, unknown> = {
    rows: rows.length,
    classCounts: Object.fromEntries(labels.map((l, k) => [l, classCounts[k]!])),
    C: opts.C,
    classWeight: opts.classWeight,
    eps: opts.eps,
    maxIter: opts.maxIter,
    seed: opts.seed,
    calibrated: calibrate,
    ...(options.prune ? { prune: options.prune } : {}),
    ...(options.meta ? { meta: options.meta } : {}),
  };
  const parts: ModelParts = {
    labels,
    features: cfg,
    temperature: Math.fround(temperature),
    topK: opts.topK,
    training,
    nDocs: rows.length,
    vocabBuckets,
    vocabDf,
    W: weights,
    encodedWeights: encoded,
    bias: b,
  };
  const now = new Date();
  const draft = new LinearTextModel(parts, 'draft', now.toISOString());
  const { version: _v, createdAt: _c, ...content } = draft.toJSON();
  return new LinearTextModel(parts, computeVersion(content, now), now.toISOString());
}

/** Zeroes the weights that quantizeWeights (per-class scale = max |w| / levels) would round to ±prune or less. */
function pruneWeights(W: Float32Array, K: number, prune: number, levels: number): void {
  const maxAbs = new Float64Array(K);
  for (let i = 0; i < W.length; i++) maxAbs[i % K] = Math.max(maxAbs[i % K]!, Math.abs(W[i]!));
  const limit = Array.from(maxAbs, (m) => ((prune + 0.5) * m) / levels);
  for (let i = 0; i < W.length; i++) if (Math.abs(W[i]!) < limit[i % K]!) W[i] = 0;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

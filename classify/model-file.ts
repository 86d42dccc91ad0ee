import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { decodeVarints, decodeWeights, encodeVarints, type EncodedWeights, type ScaledWeights } from './codec.js';
import { cueDeriver } from './cue-sets.js';
import type { FeatureConfig } from './features.js';
import { topicPriorSchema, type TopicPrior, type TopicPriorFile } from './routing-prior.js';

/** The model file (README: "Model file"): its schema, and the model's content encoded into it and decoded back. */

export const MODEL_FORMAT = 'otklik.text-model';
/**
 * Newest format this code reads. Version 2 adds `topicPriors` (the routing model); version 3 adds `features.cues`
 * (cues derived from the text, e.g. the complaint detector's). A file is written with the lowest version that holds
 * its content, so a model without either stays version 1 and readable by older builds, and an older build refuses a
 * model it would score wrongly instead of silently dropping the cues.
 */
export const MODEL_FORMAT_VERSION = 3;

export const featureConfigSchema = z.object({
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
  cues: z.string().min(1).optional(),
});

const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.union([z.literal(1), z.literal(2), z.literal(3)]),
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

/** A model's content in memory: what its file holds, decoded (and, for topic priors, built). */
export interface ModelParts {
  labels: string[];
  features: FeatureConfig;
  temperature: number;
  topK: number;
  training: Record<string, unknown>;
  nDocs: number;
  /** Hash bucket of each vocabulary column, ascending. */
  vocabBuckets: Int32Array;
  /** Document frequency of each vocabulary column (IDF is recomputed from it). */
  vocabDf: Int32Array;
  weights: ScaledWeights;
  /** The same weights as the file stores them, kept so that saving does not quantize again. */
  encodedWeights: EncodedWeights;
  bias: Float32Array;
  /** Routing: log P(label | place, predicted topic) terms added to the log-probabilities (see routing-prior.ts). */
  topicPriors?: { spec: TopicPriorFile; prior: TopicPrior }[];
}

export function encodeModelFile(parts: ModelParts, version: string, createdAt: string): ModelFile {
  return {
    format: MODEL_FORMAT,
    formatVersion: parts.features.cues !== undefined ? 3 : parts.topicPriors ? 2 : 1,
    version,
    createdAt,
    labels: [...parts.labels],
    features: parts.features,
    temperature: parts.temperature,
    topK: parts.topK,
    training: parts.training,
    vocab: {
      size: parts.vocabBuckets.length,
      nDocs: parts.nDocs,
      buckets: encodeVarints(parts.vocabBuckets, true),
      df: encodeVarints(parts.vocabDf, false),
    },
    weights: parts.encodedWeights,
    bias: Array.from(parts.bias),
    ...(parts.topicPriors ? { topicPriors: parts.topicPriors.map((t) => t.spec) } : {}),
  };
}

export interface DecodedModelFile {
  version: string;
  createdAt: string;
  /** Everything but the topic priors, whose models the caller builds from `priorSpecs`. */
  parts: Omit<ModelParts, 'topicPriors'>;
  priorSpecs?: TopicPriorFile[];
}

/** Validates a parsed model file and decodes its arrays; throws on anything that is not a consistent model. */
export function decodeModelFile(value: unknown): DecodedModelFile {
  const parsed = modelFileSchema.safeParse(value);
  if (!parsed.success) throw new Error(`not an ${MODEL_FORMAT} v1–v${MODEL_FORMAT_VERSION} model: ${parsed.error.message}`);
  const file = parsed.data;
  if (file.formatVersion === 1 && file.topicPriors) throw new Error('topicPriors need formatVersion 2');
  if (file.formatVersion < 3 && file.features.cues !== undefined) throw new Error('features.cues need formatVersion 3');
  if (file.features.cues !== undefined) cueDeriver(file.features.cues);
  const nLabels = file.labels.length;
  if (file.bias.length !== nLabels) throw new Error('bias length does not match labels');
  const vocabBuckets = decodeVarints(file.vocab.buckets, file.vocab.size, true);
  const vocabDf = decodeVarints(file.vocab.df, file.vocab.size, false);
  const hashSpace = 1 << file.features.hashBits;
  for (let i = 0; i < vocabBuckets.length; i++) if (vocabBuckets[i]! >= hashSpace) throw new Error('vocabulary bucket outside the hash space');
  const encodedWeights: EncodedWeights = { encoding: file.weights.encoding, data: file.weights.data,
    ...(file.weights.scales ? { scales: file.weights.scales } : {}) };
  const weights = decodeWeights(encodedWeights, file.vocab.size * nLabels, nLabels);
  return {
    version: file.version,
    createdAt: file.createdAt,
    parts: {
      labels: file.labels,
      features: file.features,
      temperature: file.temperature,
      topK: file.topK,
      training: file.training,
      nDocs: file.vocab.nDocs,
      vocabBuckets,
      vocabDf,
      weights,
      encodedWeights,
      bias: Float32Array.from(file.bias),
    },
    ...(file.topicPriors ? { priorSpecs: file.topicPriors } : {}),
  };
}

/** `YYYY-MM-DD-<12 hex of the content hash>`: two models with the same version string are the same model. */
export function contentVersion(parts: ModelParts, date: Date): string {
  const { version: _version, createdAt: _createdAt, ...content } = encodeModelFile(parts, '', '');
  const hash = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12);
  return `${date.toISOString().slice(0, 10)}-${hash}`;
}

/** The parsed JSON of a model file, gzipped or not (told by its magic bytes, not its name). */
export async function readModelJson(path: string): Promise<unknown> {
  const raw = await readFile(path);
  const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return JSON.parse(text);
}

/** Writes JSON, gzipped when the path ends in `.gz`. */
export async function writeModelJson(path: string, file: ModelFile): Promise<void> {
  const json = JSON.stringify(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, path.endsWith('.gz') ? gzipSync(json, { level: 9 }) : json);
}

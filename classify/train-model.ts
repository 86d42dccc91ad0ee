import { quantizeWeights, type WeightEncoding } from './codec.js';
import { cueDeriver } from './cue-sets.js';
import { DEFAULT_FEATURES, type FeatureConfig } from './features.js';
import { mulberry32, rowMargins, subsetRows, trainOvr, type SparseRows } from './linear.js';
import { LinearTextModel } from './linear-text-model.js';
import { featureConfigSchema, type ModelParts } from './model-file.js';
import { softmax } from './probabilities.js';
import { buildTrainingMatrix } from './training-matrix.js';

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
  /**
   * Added to the fitted bias of each named label: a decision threshold moved after training (e.g. chosen by
   * cross-validation to favour complaint recall). Unnamed labels keep their bias; recorded in the model's training info.
   */
  marginOffsets?: Record<string, number>;
  /** Free-form provenance written into the model file (data sources, mapping version…). */
  meta?: Record<string, unknown>;
}

export interface TrainProgress {
  /** 0 = extracting features (done/total = rows); 1… = SVM fits (done/total = classes); the last fit is the final one. */
  epoch: number;
  done: number;
  total: number;
}

type ResolvedOptions = TrainOptions & Required<Pick<TrainOptions, 'C' | 'classWeight' | 'eps' | 'maxIter' | 'seed' | 'quantize' | 'topK'>>;

const DEFAULT_TRAIN = {
  C: 0.5,
  classWeight: 'sqrt',
  eps: 0.1,
  maxIter: 60,
  seed: 1,
  quantize: 'int8',
  topK: 3,
} satisfies ResolvedOptions;

/** The labelled rows as the SVM sees them. */
interface Problem {
  data: SparseRows;
  /** Label index of each row. */
  gold: Int32Array;
  nLabels: number;
  /** Per-row multiplier of C, when any row has a weight. */
  rowWeight: Float32Array | undefined;
  positiveWeight: number[];
}

export function trainModel(
  rows: readonly TrainRow[],
  options: TrainOptions & { onProgress?: (p: TrainProgress) => void } = {},
): LinearTextModel {
  if (rows.length === 0) throw new Error('cannot train on zero rows');
  const cfg: FeatureConfig = { ...DEFAULT_FEATURES, ...options.features };
  featureConfigSchema.parse(cfg);
  const opts: ResolvedOptions = { ...DEFAULT_TRAIN, ...stripUndefined(options) };
  const labels = [...new Set(rows.map((row) => row.label))].sort((left, right) => left.localeCompare(right, 'ru'));
  const labelIndex = new Map(labels.map((label, k) => [label, k] as const));
  const nLabels = labels.length;
  const gold = Int32Array.from(rows, (row) => labelIndex.get(row.label)!);
  const progress = options.onProgress;

  const withCues = cueDeriver(cfg.cues);
  const featureRows = withCues ? rows.map((row) => ({ text: row.text, context: withCues(row.text, row.context) })) : rows;
  const matrix = buildTrainingMatrix(featureRows, cfg, (done) => progress?.({ epoch: 0, done, total: rows.length }));
  const classCounts = new Int32Array(nLabels);
  for (const k of gold) classCounts[k]!++;
  const problem: Problem = {
    data: matrix.rows,
    gold,
    nLabels,
    rowWeight: rows.some((row) => row.weight !== undefined) ? Float32Array.from(rows, (row) => row.weight ?? 1) : undefined,
    positiveWeight: positiveWeights(classCounts, rows.length, opts.classWeight),
  };
  const fit = (fitProblem: Problem, epoch: number) => fitSvm(fitProblem, opts, (k) => progress?.({ epoch, done: k + 1, total: nLabels }));

  const calibrate = (options.calibrate ?? true) && nLabels >= 2 && rows.length >= 100;
  const temperature = calibrate ? holdOutTemperature(problem, opts.seed, (fitProblem) => fit(fitProblem, 1)) : undefined;
  const final = fit(problem, temperature === undefined ? 1 : 2);
  if (options.prune && options.prune > 0 && opts.quantize !== 'float32') pruneWeights(final.W, nLabels, options.prune, opts.quantize === 'int8' ? 127 : 32767);
  const { encoded, weights } = quantizeWeights(final.W, nLabels, opts.quantize);
  offsetBias(final.b, labels, options.marginOffsets);
  const parts: ModelParts = {
    labels,
    features: cfg,
    temperature: Math.fround(temperature ?? 1),
    topK: opts.topK,
    training: trainingInfo(rows.length, labels, classCounts, opts, calibrate),
    nDocs: rows.length,
    vocabBuckets: matrix.vocabBuckets,
    vocabDf: matrix.vocabDf,
    weights,
    encodedWeights: encoded,
    bias: final.b,
  };
  return LinearTextModel.stamped(parts);
}

/** Moves each named label's bias by its offset; a name that is not a label is an error, not a silent no-op. */
function offsetBias(bias: Float32Array, labels: readonly string[], offsets: Record<string, number> | undefined): void {
  for (const [label, offset] of Object.entries(offsets ?? {})) {
    const k = labels.indexOf(label);
    if (k < 0) throw new Error(`marginOffsets: no label ${JSON.stringify(label)} (labels: ${labels.join(', ')})`);
    bias[k] = bias[k]! + offset;
  }
}

/** Per class, the multiplier of C for its positives (classWeight). */
function positiveWeights(classCounts: Int32Array, nRows: number, classWeight: ResolvedOptions['classWeight']): number[] {
  return Array.from(classCounts, (count) => {
    const balanced = nRows / (classCounts.length * Math.max(count, 1));
    return classWeight === 'balanced' ? balanced : classWeight === 'sqrt' ? Math.sqrt(balanced) : 1;
  });
}

function fitSvm(problem: Problem, opts: ResolvedOptions, onClassDone: (k: number) => void): { W: Float32Array; b: Float32Array } {
  return trainOvr(problem.data, problem.gold, problem.nLabels, {
    C: opts.C,
    positiveWeight: problem.positiveWeight,
    ...(problem.rowWeight ? { rowWeight: problem.rowWeight } : {}),
    eps: opts.eps,
    maxIter: opts.maxIter,
    bias: 1,
    seed: opts.seed,
    onClassDone,
  });
}

/**
 * The softmax temperature fitted on a seeded 10% hold-out: margins on training rows are inflated, so it must come
 * from unseen rows. Undefined when the draw leaves either side empty (the final fit is then the first).
 */
function holdOutTemperature(
  problem: Problem,
  seed: number,
  fit: (fitProblem: Problem) => { W: Float32Array; b: Float32Array },
): number | undefined {
  const rand = mulberry32(seed ^ 0x9e3779b9);
  const fitIds: number[] = [];
  const heldIds: number[] = [];
  for (let i = 0; i < problem.data.n; i++) (rand() < 0.1 ? heldIds : fitIds).push(i);
  if (heldIds.length === 0 || fitIds.length === 0) return undefined;
  const { gold, rowWeight, nLabels } = problem;
  const model = fit({
    ...problem,
    data: subsetRows(problem.data, Int32Array.from(fitIds)),
    gold: Int32Array.from(fitIds, (i) => gold[i]!),
    rowWeight: rowWeight ? Float32Array.from(fitIds, (i) => rowWeight[i]!) : undefined,
  });
  const margins = heldIds.map((i) => {
    const out = new Float64Array(nLabels);
    rowMargins(problem.data, i, model.W, model.b, nLabels, out);
    return out;
  });
  return fitTemperature(margins, Int32Array.from(heldIds, (i) => gold[i]!));
}

/** Temperature minimising the negative log-likelihood of held-out rows (golden-section search on log T). */
export function fitTemperature(margins: Float64Array[], gold: Int32Array): number {
  const nll = (logT: number): number => {
    const temperature = Math.exp(logT);
    let sum = 0;
    for (let i = 0; i < margins.length; i++) {
      const prob = softmax(margins[i]!, temperature)[gold[i]!]!;
      sum -= Math.log(Math.max(prob, 1e-12));
    }
    return sum;
  };
  let lo = Math.log(0.1);
  let hi = Math.log(100);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - ratio * (hi - lo);
  let x2 = lo + ratio * (hi - lo);
  let f1 = nll(x1);
  let f2 = nll(x2);
  for (let it = 0; it < 40; it++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - ratio * (hi - lo);
      f1 = nll(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + ratio * (hi - lo);
      f2 = nll(x2);
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Zeroes the weights that quantizeWeights (per-class scale = max |w| / levels) would round to ±prune or less. */
function pruneWeights(W: Float32Array, nLabels: number, prune: number, levels: number): void {
  const maxAbs = new Float64Array(nLabels);
  for (let i = 0; i < W.length; i++) maxAbs[i % nLabels] = Math.max(maxAbs[i % nLabels]!, Math.abs(W[i]!));
  const limit = Array.from(maxAbs, (max) => ((prune + 0.5) * max) / levels);
  for (let i = 0; i < W.length; i++) if (Math.abs(W[i]!) < limit[i % nLabels]!) W[i] = 0;
}

/** The `training` record of the model file: what was trained on, and how. */
function trainingInfo(nRows: number, labels: string[], classCounts: Int32Array, opts: ResolvedOptions, calibrated: boolean): Record<string, unknown> {
  return {
    rows: nRows,
    classCounts: Object.fromEntries(labels.map((label, k) => [label, classCounts[k]!])),
    C: opts.C,
    classWeight: opts.classWeight,
    eps: opts.eps,
    maxIter: opts.maxIter,
    seed: opts.seed,
    calibrated,
    ...(opts.prune ? { prune: opts.prune } : {}),
    ...(opts.marginOffsets ? { marginOffsets: opts.marginOffsets } : {}),
    ...(opts.meta ? { meta: opts.meta } : {}),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

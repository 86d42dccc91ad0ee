import { COMPLAINT_CUE_SET } from './complaint-cues.js';
import { samplePortal, type ComplaintLabel } from './complaint-data.js';
import { groupFolds } from './datasets.js';
import { trainModel, type TrainOptions, type TrainRow } from './train-model.js';
import type { LinearTextModel } from './linear-text-model.js';

/**
 * The complaint detector's recipe (classify/COMPLAINT.md, "Detector v3"): hand-labelled VK comments (the gold set and
 * the extra set), a small seeded sample of portal appeals as extra complaint positives at a fifth of a comment's
 * weight, the complaint cue set, and decision offsets chosen by cross-validation on the gold train split
 * (scripts/complaint-cv.ts: the highest macro-F1 that keeps complaint recall ≥ 0.90, five points above the goal). The
 * weak-label rules enter only as cues: training on their labels lowered every figure of the cross-validation.
 */
export const COMPLAINT_RECIPE = {
  portalSample: 500,
  portalWeight: 0.2,
  portalSeed: 7,
  options: {
    C: 0.5,
    classWeight: 'sqrt',
    quantize: 'int8',
    seed: 1,
    features: { minDf: 2, charWeight: 0.5, cues: COMPLAINT_CUE_SET },
    marginOffsets: { complaint: 0.1, question: 0.2 },
  },
} as const satisfies { portalSample: number; portalWeight: number; portalSeed: number; options: TrainOptions };

export interface LabelledComment {
  text: string;
  label: ComplaintLabel;
}

/** Training rows of the recipe: every labelled comment (weight 1) and the portal sample (complaint, lighter). */
export function complaintTrainingRows(comments: readonly LabelledComment[], portalTexts: readonly string[], recipe = COMPLAINT_RECIPE): TrainRow[] {
  const rows: TrainRow[] = comments.map((c) => ({ text: c.text, label: c.label }));
  for (const text of samplePortal(portalTexts, recipe.portalSample, recipe.portalSeed)) rows.push({ text, label: 'complaint', weight: recipe.portalWeight });
  return rows;
}

/** Fits the recipe; `options` overrides its training options (e.g. no offsets, to search for them). */
export function trainComplaintModel(comments: readonly LabelledComment[], portalTexts: readonly string[], options: TrainOptions = {}): LinearTextModel {
  return trainModel(complaintTrainingRows(comments, portalTexts), { ...COMPLAINT_RECIPE.options, ...options });
}

/** A labelled comment with the group cross-validation keeps together (its VK thread). */
export interface GroupedComment extends LabelledComment {
  group: string;
}

export interface CrossValidation {
  k: number;
  seed: number;
  /** Training options over the recipe's (the offsets are left out: `decideComplaint` applies them to the margins). */
  options?: TrainOptions;
  /** Leave out the portal sample (the gold-only variant). */
  noPortal?: boolean;
  /** Extra training rows for a fold, given the groups it holds out (e.g. weak labels from other threads). */
  extraRows?: (heldOut: ReadonlySet<string>) => TrainRow[];
  onFold?: (fold: number, trainingRows: number) => void;
}

/** The detector's labels in model order (sorted), which `crossValidatedMargins` returns margins in. */
export const COMPLAINT_MODEL_LABELS = ['complaint', 'other', 'question'] as const;

/**
 * Out-of-fold margins of every comment: folds by group (groupFolds), each fold scored by the recipe fitted on the
 * others without decision offsets, in COMPLAINT_MODEL_LABELS order.
 */
export function crossValidatedMargins(comments: readonly GroupedComment[], portalTexts: readonly string[], cv: CrossValidation): Float64Array[] {
  const folds = groupFolds(comments, (c) => c.group, cv.k, cv.seed);
  const { marginOffsets: _offsets, ...recipeOptions } = COMPLAINT_RECIPE.options;
  const margins: Float64Array[] = new Array(comments.length);
  for (let f = 0; f < cv.k; f++) {
    const rows = complaintTrainingRows(comments.filter((_, i) => folds[i] !== f), cv.noPortal ? [] : portalTexts);
    if (cv.extraRows) rows.push(...cv.extraRows(new Set(comments.filter((_, i) => folds[i] === f).map((c) => c.group))));
    const model = trainModel(rows, { ...recipeOptions, ...cv.options, calibrate: false });
    if (model.labels.join() !== COMPLAINT_MODEL_LABELS.join()) {
      throw new Error(`fold ${f}: labels ${model.labels.join()}, not ${COMPLAINT_MODEL_LABELS.join()}`);
    }
    comments.forEach((c, i) => {
      if (folds[i] === f) margins[i] = Float64Array.from(model.margins(c.text));
    });
    cv.onFold?.(f, rows.length);
  }
  return margins;
}

/** The label each margin row decides for, with offsets added as a trained model adds them to its bias. */
export function decideComplaint(margins: readonly Float64Array[],
  offsets: Partial<Record<ComplaintLabel, number>> = COMPLAINT_RECIPE.options.marginOffsets): ComplaintLabel[]
{
  const add = COMPLAINT_MODEL_LABELS.map((l) => offsets[l] ?? 0);
  return margins.map((m) => {
    let best = 0;
    for (let k = 1; k < add.length; k++) if (m[k]! + add[k]! > m[best]! + add[best]!) best = k;
    return COMPLAINT_MODEL_LABELS[best]!;
  });
}

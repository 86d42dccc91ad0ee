import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../lib/config.js';
import { mulberry32 } from './linear.js';
import { readAllRecords, type SourceRecord } from './records.js';

/**
 * The public datasets live beside the repository (../shared/datasets) and are never copied into it: their
 * licences do not allow redistribution. OTKLIK_DATASETS overrides the location.
 */
export function datasetsDir(): string {
  const configured = loadConfig().datasetsDir;
  if (configured) return configured;
  const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
  return resolve(repoRoot, '..', 'shared', 'datasets');
}

export const DATASET_FILES = {
  spb: 'spb_nash_peterburg/spb_appeals.csv',
  kursk: 'kursk_cp2022_appeals/train_dataset_train.csv',
  vk: 'vk_municipal_pages/vk_municipal_pages.csv',
} as const;

export function datasetPath(name: keyof typeof DATASET_FILES): string {
  const p = resolve(datasetsDir(), DATASET_FILES[name]);
  if (!existsSync(p)) throw new Error(`dataset not found: ${p} (set OTKLIK_DATASETS to the folder holding the shared datasets)`);
  return p;
}

export async function loadDataset(name: keyof typeof DATASET_FILES): Promise<Record<string, string>[]> {
  const bad: string[] = [];
  const recs: SourceRecord[] = await readAllRecords(datasetPath(name), { onBadRow: (b) => bad.push(`line ${b.line}: ${b.message}`) });
  if (bad.length > 0) process.stderr.write(`${name}: skipped ${bad.length} bad rows (first: ${bad[0]})\n`);
  return recs.map((r) => r.fields);
}

/**
 * Seeded stratified split: each label gives round(fraction × n) rows to the test side, but a label with a single
 * row stays in training (it could not be learned otherwise, and scikit-learn's splitter refuses such labels).
 */
export function stratifiedSplit<T>(rows: readonly T[], labelOf: (r: T) => string, fraction: number, seed: number): { train: T[]; test: T[] } {
  const testIds = new Set<number>();
  for (const ids of shuffledByLabel(rows, labelOf, seed)) {
    const nTest = ids.length < 2 ? 0 : Math.min(ids.length - 1, Math.round(ids.length * fraction));
    for (let i = 0; i < nTest; i++) testIds.add(ids[i]!);
  }
  const train: T[] = [];
  const test: T[] = [];
  rows.forEach((r, i) => (testIds.has(i) ? test : train).push(r));
  return { train, test };
}

/**
 * Stratified k-fold assignment: each label's rows are shuffled (seeded) and dealt round-robin, continuing where the
 * previous label stopped, so every fold gets its share of every label and the rare labels spread over the folds.
 * Returns the fold (0..k-1) of each row; fold f's test rows are those assigned f.
 */
export function stratifiedFolds<T>(rows: readonly T[], labelOf: (r: T) => string, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new Error(`k must be an integer of at least 2, got ${k}`);
  const fold = new Int32Array(rows.length);
  let dealt = 0;
  for (const ids of shuffledByLabel(rows, labelOf, seed)) for (const id of ids) fold[id] = dealt++ % k;
  return fold;
}

/**
 * Cross-validation folds by group (e.g. a VK thread): groups in a seeded random order are dealt, largest first, to the
 * fold with the fewest rows so far, so a group never straddles folds and the folds are of about equal size. Returns
 * the fold (0..k-1) of each row.
 */
export function groupFolds<T>(rows: readonly T[], groupOf: (r: T) => string, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new Error(`k must be an integer of at least 2, got ${k}`);
  const size = new Map<string, number>();
  for (const r of rows) size.set(groupOf(r), (size.get(groupOf(r)) ?? 0) + 1);
  const order = [...size.keys()].sort();
  const rand = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  // A stable sort keeps the seeded order among groups of equal size.
  order.sort((a, b) => size.get(b)! - size.get(a)!);
  const load = new Array<number>(k).fill(0);
  const foldOf = new Map<string, number>();
  for (const group of order) {
    const fold = load.indexOf(Math.min(...load));
    foldOf.set(group, fold);
    load[fold]! += size.get(group)!;
  }
  return Int32Array.from(rows, (r) => foldOf.get(groupOf(r))!);
}

/** Row indices grouped by label, labels in sorted order, each group shuffled by one seeded generator in that order. */
function shuffledByLabel<T>(rows: readonly T[], labelOf: (r: T) => string, seed: number): number[][] {
  const byLabel = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const l = labelOf(r);
    const list = byLabel.get(l);
    if (list) list.push(i);
    else byLabel.set(l, [i]);
  });
  const rand = mulberry32(seed);
  return [...byLabel.keys()].sort().map((label) => {
    const ids = byLabel.get(label)!;
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    return ids;
  });
}

/** Case- and space-insensitive key used to drop duplicate texts before splitting or training. */
export function textKey(text: string): string {
  return text.toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();
}

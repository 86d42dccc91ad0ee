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
  const byLabel = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const l = labelOf(r);
    const list = byLabel.get(l);
    if (list) list.push(i);
    else byLabel.set(l, [i]);
  });
  const rand = mulberry32(seed);
  const testIds = new Set<number>();
  for (const label of [...byLabel.keys()].sort()) {
    const ids = byLabel.get(label)!;
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    const nTest = ids.length < 2 ? 0 : Math.min(ids.length - 1, Math.round(ids.length * fraction));
    for (let i = 0; i < nTest; i++) testIds.add(ids[i]!);
  }
  const train: T[] = [];
  const test: T[] = [];
  rows.forEach((r, i) => (testIds.has(i) ? test : train).push(r));
  return { train, test };
}

/** Case- and space-insensitive key used to drop duplicate texts before splitting or training. */
export function textKey(text: string): string {
  return text.toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();
}

/**
 * What the evaluation scripts (eval-anchors.ts, eval-routing.ts) share: the published figure a row is compared
 * with, the scratch folder the splits are written to, and the rounding of the printed table. Not a script itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';

/** A published baseline: the figures of a TF-IDF + linear SVM anchor on one task and split. */
export interface Anchor {
  id: string;
  description: string;
  accuracy: number;
  macroF1: number;
}

export interface Split<T = Record<string, string>> {
  train: T[];
  test: T[];
}

export interface Scores {
  accuracy: number;
  macroF1: number;
}

/** 'yes' when both figures reach the anchor's. */
export function beats(scores: Scores, anchor: Anchor): 'yes' | 'NO' {
  return scores.accuracy >= anchor.accuracy && scores.macroF1 >= anchor.macroF1 ? 'yes' : 'NO';
}

/** "<description>: accuracy 0.5593 (anchor 0.55), macro-F1 0.3089 (anchor 0.24)" */
export function scoreLine(anchor: Anchor, scores: Scores): string {
  return `${anchor.description}: accuracy ${scores.accuracy.toFixed(4)} (anchor ${anchor.accuracy}), macro-F1 ${
    scores.macroF1.toFixed(4)
  } (anchor ${anchor.macroF1})`;
}

export function round(x: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(x * factor) / factor;
}

/**
 * Runs `work` with a fresh temporary folder for the split files (never the repository: the datasets' licences do
 * not allow copies in it), removed afterwards unless `keep`, in which case its path is printed.
 */
export async function withScratchDir<T>(prefix: string, keep: boolean, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await work(dir);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`splits kept in ${dir}\n`);
  }
}

/** Writes rows as CSV with a header of `columns` (other fields are left out). */
export async function writeCsv(path: string, rows: Record<string, string>[], columns: string[]): Promise<void> {
  await writeFile(path, stringify(rows, { header: true, columns }));
}

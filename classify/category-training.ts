import { readFileSync } from 'node:fs';
import { mapKursk, mapSpb } from './category-map.js';
import { loadDataset, stratifiedSplit, textKey } from './datasets.js';
import type { TrainOptions, TrainRow } from './train-model.js';

/**
 * The category model's recipe (scripts/train-default.ts, classify/COMPLAINT.md "Categories of social complaints"): SPb
 * and Kursk portal appeals mapped to the 15 ПОС categories (category-map.ts, LABELS.md), the hand-written seeds for
 * categories the data lack, and hand-categorised complaints from municipal VK pages, which teach the model how
 * residents write about street trade and bars, the ticket programme and snow in yards (portal rubrics file these
 * otherwise or not at all).
 */
export interface SourcedRow extends TrainRow {
  source: 'spb' | 'kursk' | 'seed' | 'social';
  created?: string;
}

/** Kursk texts are long and topically closer to a regional ПОС stream than SPb's one-liners; they count double. */
export const KURSK_WEIGHT = 2;
export const SEED_WEIGHT = 2;
/** A hand-categorised social complaint: a few hundred of them against ~60,000 portal appeals. */
export const SOCIAL_WEIGHT = 3;
export const CATEGORY_OPTIONS: TrainOptions = { C: 0.5, classWeight: 'sqrt', quantize: 'int8', features: { minDf: 2 } };

/** SPb, Kursk and seed rows; rows whose rubric maps to no ПОС category are counted in `dropped`. */
export async function portalCategoryRows(seedPath: string): Promise<{ rows: SourcedRow[]; dropped: number }> {
  const rows: SourcedRow[] = [];
  let dropped = 0;
  for (const r of await loadDataset('spb')) {
    const label = mapSpb(r.category ?? '', r.reason ?? '');
    if (!label || !r.text?.trim()) {
      dropped++;
      continue;
    }
    rows.push({ text: r.text, label, source: 'spb', created: r.created ?? '' });
  }
  for (const r of await loadDataset('kursk')) {
    const text = r['Текст Сообщения'] ?? '';
    const label = mapKursk(r['Тематика'] ?? '', r['Категория'] ?? '');
    if (!label || !text.trim()) {
      dropped++;
      continue;
    }
    rows.push({ text, label, source: 'kursk', weight: KURSK_WEIGHT });
  }
  for (const line of readFileSync(seedPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { text, label } = JSON.parse(line) as { text: string; label: string };
    rows.push({ text, label, source: 'seed', weight: SEED_WEIGHT });
  }
  return { rows, dropped };
}

/** Hand-categorised social complaints as training rows. */
export function socialCategoryRows(complaints: readonly { text: string; category: string }[], weight = SOCIAL_WEIGHT): SourcedRow[] {
  return complaints.map((c) => ({ text: c.text, label: c.category, source: 'social', weight }));
}

/** Drops repeated (text, label) pairs, keeping the first. */
export function dedupRows<T extends TrainRow>(rows: readonly T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${textKey(r.text)}\u0000${r.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The hold-out of the portal figures: train on SPb before March 2021, 80 % of Kursk (stratified, seed 42), the seeds
 * and the given social rows; test on SPb March 2021 and the other 20 % of Kursk.
 */
export function portalHoldOut(all: readonly SourcedRow[],
  social: readonly SourcedRow[]): { train: SourcedRow[]; spbTest: SourcedRow[]; kurskTest: SourcedRow[] }
{
  const spb = all.filter((r) => r.source === 'spb');
  const kSplit = stratifiedSplit(all.filter((r) => r.source === 'kursk'), (r) => r.label, 0.2, 42);
  const train = dedupRows([...spb.filter((r) => (r.created ?? '') < '2021-03'), ...kSplit.train, ...all.filter((r) => r.source === 'seed'), ...social]);
  return { train, spbTest: spb.filter((r) => (r.created ?? '').startsWith('2021-03')), kurskTest: kSplit.test };
}

import { textKey } from './datasets.js';
import type { TrainRow } from './train-model.js';
import { readRecords, type BadRow } from './records.js';

/**
 * A correction by the monitoring team. The corrections file is JSON Lines, one object per line:
 *   {"text": "Третий день нет горячей воды", "label": "ЖКХ", "by": "operator-17", "at": "2024-05-02T10:00:00Z"}
 * `text` and `label` are required; `at` (ISO time) orders corrections of the same text (the latest wins, file
 * order breaks ties); `context` (object of strings) is used when the corrected text is not in the training data;
 * any other field is ignored.
 */
export interface Correction {
  text: string;
  label: string;
  at?: string;
  by?: string;
  context?: Record<string, string>;
}

export async function readCorrections(path: string, onBadRow?: (bad: BadRow) => void): Promise<Correction[]> {
  const out: Correction[] = [];
  for await (const rec of readRecords(path, { format: 'jsonl', ...(onBadRow ? { onBadRow } : {}) })) {
    const { text, label, at, by, context } = rec.fields;
    if (!text || !text.trim() || !label || !label.trim()) {
      onBadRow?.({ line: rec.line, message: 'a correction needs non-empty "text" and "label"' });
      continue;
    }
    let ctx: Record<string, string> | undefined;
    if (context) {
      try {
        const parsed: unknown = JSON.parse(context);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
          ctx = Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
        }
      } catch {
        onBadRow?.({ line: rec.line, message: '"context" must be an object' });
        continue;
      }
    }
    out.push({ text, label: label.trim(), ...(at ? { at } : {}), ...(by ? { by } : {}), ...(ctx ? { context: ctx } : {}) });
  }
  return out;
}

export interface MergeResult<R extends TrainRow> {
  rows: (R | TrainRow)[];
  /** Training rows whose label was replaced. */
  overridden: number;
  /** Corrections for texts absent from the training data, appended as new rows. */
  added: number;
}

/**
 * Applies corrections to training rows: every row with the same text (compared case- and space-insensitively)
 * takes the corrected label, and corrected texts not in the data become new rows. Pure: the input is not changed.
 */
export function mergeCorrections<R extends TrainRow>(rows: readonly R[], corrections: readonly Correction[]): MergeResult<R> {
  const time = (c: Correction) => {
    const t = c.at ? Date.parse(c.at) : Number.NaN;
    return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
  };
  const ordered = corrections
    .map((c, i) => ({ c, i, t: time(c) }))
    .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.i - b.i));
  const latest = new Map<string, Correction>();
  for (const { c } of ordered) latest.set(textKey(c.text), c);

  let overridden = 0;
  const used = new Set<string>();
  const merged: (R | TrainRow)[] = rows.map((r) => {
    const key = textKey(r.text);
    const c = latest.get(key);
    if (!c) return r;
    used.add(key);
    if (c.label === r.label) return r;
    overridden++;
    return { ...r, label: c.label };
  });
  let added = 0;
  for (const [key, c] of latest) {
    if (used.has(key)) continue;
    merged.push({ text: c.text, label: c.label, ...(c.context ? { context: c.context } : {}) });
    added++;
  }
  return { rows: merged, overridden, added };
}

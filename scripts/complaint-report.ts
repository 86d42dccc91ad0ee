/**
 * Figures of the complaint detector as the gold-set scripts print them (scripts/eval-complaint-gold.ts,
 * scripts/complaint-cv.ts): accuracy, macro-F1, per-class precision/recall/F1 and the confusion table, as a record for
 * --json and as Markdown. Also the page mix of the whole VK dataset, to re-weigh a gold sample to the traffic an
 * independent random sample of citizens' comments would have. Not a script itself.
 */
import { evaluate, type EvalReport } from '../classify/metrics.js';
import type { VkRow } from './gold-set.js';

export interface Scored {
  name: string;
  n: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion: Record<string, Record<string, number>>;
}

export const r4 = (x: number): number => Math.round(x * 10000) / 10000;

export function score(name: string, gold: readonly string[], pred: readonly string[], labels: readonly string[]): Scored {
  const rep: EvalReport = evaluate(gold, pred, 20);
  const confusion: Record<string, Record<string, number>> = {};
  const cols = [...new Set([...labels, ...pred])];
  for (const g of labels) confusion[g] = Object.fromEntries(cols.map((p) => [p, 0]));
  gold.forEach((g, i) => {
    const row = confusion[g];
    if (row) row[pred[i]!] = (row[pred[i]!] ?? 0) + 1;
  });
  return {
    name,
    n: rep.n,
    accuracy: r4(rep.accuracy),
    macroF1: r4(rep.macroF1),
    perClass: Object.fromEntries(rep.perClass.map((c) => [c.label, { precision: r4(c.precision), recall: r4(c.recall), f1: r4(c.f1), support: c.support }])),
    confusion,
  };
}

export function formatScored(s: Scored, labels: readonly string[]): string {
  const lines = [`### ${s.name} (${s.n} rows): accuracy ${s.accuracy.toFixed(3)}, macro-F1 ${s.macroF1.toFixed(3)}`, ''];
  lines.push('| class | precision | recall | F1 | support |', '|---|---|---|---|---|');
  for (const l of labels) {
    const c = s.perClass[l];
    if (c) lines.push(`| ${l} | ${c.precision.toFixed(3)} | ${c.recall.toFixed(3)} | ${c.f1.toFixed(3)} | ${c.support} |`);
  }
  const cols = Object.keys(Object.values(s.confusion)[0] ?? {});
  lines.push('', `| gold \\ predicted | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---').join('|')}|`);
  for (const g of labels) if (s.confusion[g]) lines.push(`| ${g} (${s.perClass[g]?.support ?? 0}) | ${cols.map((c) => s.confusion[g]![c]).join(' | ')} |`);
  return lines.join('\n');
}

/** Citizens' comments per source file in the whole dataset (no posts, no rows known to come from a community). */
export function pageMix(vk: readonly VkRow[]): Map<string, number> {
  const mix = new Map<string, number>();
  for (const r of vk) if (r.type !== 'post' && r.author_kind !== 'page') mix.set(r.source_file ?? '', (mix.get(r.source_file ?? '') ?? 0) + 1);
  return mix;
}

/**
 * Accuracy, macro-F1 and complaint recall with each row weighted so that the pages count as in `mix` rather than as in
 * the sample: what a random sample of the dataset's citizens' comments would show, if labels within a page behave
 * like the sample's.
 */
export function pageWeighted(pages: readonly string[], gold: readonly string[], pred: readonly string[], mix: Map<string, number>,
  labels: readonly string[]): { accuracy: number; macroF1: number; complaintRecall: number }
{
  const inSample = new Map<string, number>();
  for (const p of pages) inSample.set(p, (inSample.get(p) ?? 0) + 1);
  const total = [...inSample.keys()].reduce((sum, p) => sum + (mix.get(p) ?? 0), 0);
  const tp = new Map<string, number>();
  const goldMass = new Map<string, number>();
  const predMass = new Map<string, number>();
  let correct = 0;
  let mass = 0;
  pages.forEach((page, i) => {
    const w = (mix.get(page) ?? 0) / total / (inSample.get(page)! / pages.length);
    mass += w;
    goldMass.set(gold[i]!, (goldMass.get(gold[i]!) ?? 0) + w);
    predMass.set(pred[i]!, (predMass.get(pred[i]!) ?? 0) + w);
    if (gold[i] === pred[i]) {
      correct += w;
      tp.set(gold[i]!, (tp.get(gold[i]!) ?? 0) + w);
    }
  });
  const f1 = (l: string) => {
    const p = (tp.get(l) ?? 0) / (predMass.get(l) || Infinity);
    const r = (tp.get(l) ?? 0) / (goldMass.get(l) || Infinity);
    return p + r > 0 ? (2 * p * r) / (p + r) : 0;
  };
  return {
    accuracy: r4(correct / mass),
    macroF1: r4(labels.reduce((sum, l) => sum + f1(l), 0) / labels.length),
    complaintRecall: r4((tp.get('complaint') ?? 0) / (goldMass.get('complaint') || Infinity)),
  };
}

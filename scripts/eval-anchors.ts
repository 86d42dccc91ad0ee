/**
 * Reproduces the hold-out figures we compare against the classical TF-IDF + linear SVM anchors:
 *   SPb «Наш Санкт-Петербург»: train Oct 2020 – Feb 2021, test March 2021 (`category` 15 classes, `reason` 125);
 *   Kursk «Цифровой прорыв»: seeded stratified 20 % hold-out of the 2,000 training rows (`Тематика`).
 * The splits are written as CSV to a temporary folder (never the repository), read back with the same streaming
 * reader the CLI uses, and trained with the same `trainModel`.
 *
 *   npx tsx scripts/eval-anchors.ts [--only spb-category,spb-reason,kursk-topic] [--C 0.5] [--class-weight sqrt]
 *        [--features '{"charMax":5}'] [--keep-splits] [--dedup] [--kursk-seeds 42,1,2,3,4]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset, stratifiedSplit, textKey } from '../classify/datasets.js';
import { evaluate } from '../classify/metrics.js';
import { progressLine, throttledProgress } from '../classify/progress.js';
import { readAllRecords, type SourceRecord } from '../classify/records.js';
import { trainModel, type TrainOptions, type TrainRow } from '../classify/train-model.js';
import { beats, round, scoreLine, withScratchDir, writeCsv, type Anchor, type Split } from './eval-support.js';

interface TextAnchor extends Anchor {
  split: () => Promise<Split>;
  text: string;
  label: string;
}

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    C: { type: 'string' },
    'class-weight': { type: 'string' },
    features: { type: 'string' },
    'keep-splits': { type: 'boolean', default: false },
    quantize: { type: 'string' },
    dedup: { type: 'boolean', default: false },
    'kursk-seeds': { type: 'string', default: '42' },
  },
});

let spbCache: Record<string, string>[] | undefined;
async function spbSplit(): Promise<Split> {
  spbCache ??= await loadDataset('spb');
  const test = spbCache.filter((r) => (r.created ?? '').startsWith('2021-03'));
  const train = spbCache.filter((r) => (r.created ?? '') < '2021-03');
  return { train, test };
}

const anchors: TextAnchor[] = [
  { id: 'spb-category', description: 'SPb category (15), test = March 2021', accuracy: 0.928, macroF1: 0.79, split: spbSplit, text: 'text', label: 'category' },
  { id: 'spb-reason', description: 'SPb reason (125), test = March 2021', accuracy: 0.72, macroF1: 0.55, split: spbSplit, text: 'text', label: 'reason' },
  // 388 test rows make one seed's figure move by ±2 points; --kursk-seeds 42,1,2,3,4 adds more splits and a mean.
  ...args['kursk-seeds']!.split(',').map((seedText, i): TextAnchor => {
    const seed = Number(seedText);
    return {
      id: i === 0 ? 'kursk-topic' : `kursk-topic@${seed}`,
      description: `Kursk Тематика (161), stratified 20% hold-out, seed ${seed}`,
      accuracy: 0.55,
      macroF1: 0.24,
      split: async () => stratifiedSplit(await loadDataset('kursk'), (r) => r['Тематика'] ?? '', 0.2, seed),
      text: 'Текст Сообщения',
      label: 'Тематика',
    };
  }),
];

const trainOptions: TrainOptions = {
  ...(args.C ? { C: Number(args.C) } : {}),
  ...(args['class-weight'] ? { classWeight: args['class-weight'] as TrainOptions['classWeight'] } : {}),
  ...(args.features ? { features: JSON.parse(args.features) } : {}),
  ...(args.quantize ? { quantize: args.quantize as TrainOptions['quantize'] } : {}),
  calibrate: false,
};

const selected = args.only ? anchors.filter((a) => args.only!.split(',').some((id) => a.id === id || a.id.startsWith(`${id}@`))) : anchors;
const results = await withScratchDir('otklik-anchors-', args['keep-splits']!, async (dir) => {
  const rows: Record<string, string | number>[] = [];
  for (const anchor of selected) rows.push(await evaluateAnchor(anchor, dir));
  return rows;
});
console.table(results);
const kursk = results.filter((r) => String(r.anchor).startsWith('kursk-topic'));
if (kursk.length > 1) {
  const mean = (key: string) => round(kursk.reduce((sum, r) => sum + Number(r[key]), 0) / kursk.length);
  console.log(`Kursk mean over ${kursk.length} seeds: accuracy ${mean('accuracy')} (anchor 0.55), macro-F1 ${mean('macro_f1')} (anchor 0.24)`);
}

/** Writes the anchor's split, reads it back as the CLI would, trains, scores; returns the table row. */
async function evaluateAnchor(anchor: TextAnchor, dir: string): Promise<Record<string, string | number>> {
  const { train, test } = await anchor.split();
  const trainPath = join(dir, `${anchor.id}-train.csv`);
  const testPath = join(dir, `${anchor.id}-test.csv`);
  await writeCsv(trainPath, train, [anchor.text, anchor.label]);
  await writeCsv(testPath, test, [anchor.text, anchor.label]);
  const rows = trainingRows(anchor, await readAllRecords(trainPath));
  const t0 = performance.now();
  const onProgress = throttledProgress(5000, (p) => process.stderr.write(`  [${anchor.id}] ${progressLine(p)}\n`));
  const model = trainModel(rows, { ...trainOptions, onProgress });
  const trainSeconds = (performance.now() - t0) / 1000;
  const trainKeys = new Set(rows.map((row) => textKey(row.text)));
  const all = { gold: [] as string[], pred: [] as string[] };
  const unseen = { gold: [] as string[], pred: [] as string[] };
  const t1 = performance.now();
  for (const record of await readAllRecords(testPath)) {
    const text = record.fields[anchor.text] ?? '';
    const gold = record.fields[anchor.label] ?? '';
    const predicted = model.predict(text).label;
    for (const side of trainKeys.has(textKey(text)) ? [all] : [all, unseen]) {
      side.gold.push(gold);
      side.pred.push(predicted);
    }
  }
  const predictSeconds = (performance.now() - t1) / 1000;
  const report = evaluate(all.gold, all.pred);
  const reportUnseen = evaluate(unseen.gold, unseen.pred);
  process.stderr.write(`${scoreLine(anchor, report)}\n`);
  return {
    anchor: anchor.id,
    train_rows: rows.length,
    test_rows: all.gold.length,
    accuracy: round(report.accuracy),
    anchor_accuracy: anchor.accuracy,
    macro_f1: round(report.macroF1),
    anchor_macro_f1: anchor.macroF1,
    beats: beats(report, anchor),
    unseen_rows: unseen.gold.length,
    unseen_accuracy: round(reportUnseen.accuracy),
    unseen_macro_f1: round(reportUnseen.macroF1),
    vocab: model.vocabularySize,
    train_s: round(trainSeconds, 1),
    predict_per_s: Math.round(all.gold.length / predictSeconds),
  };
}

/**
 * Repeated texts are kept by default: "снег на дороге" recurs every month and its label frequencies are real
 * signal. --dedup drops exact (text, label) repeats; the unseen_* columns score only test texts absent from training.
 */
function trainingRows(anchor: TextAnchor, records: SourceRecord[]): TrainRow[] {
  const seen = new Set<string>();
  const rows: TrainRow[] = [];
  for (const record of records) {
    const text = record.fields[anchor.text] ?? '';
    const label = record.fields[anchor.label] ?? '';
    const key = `${textKey(text)}\u0000${label}`;
    if (label === '' || (args.dedup && seen.has(key))) continue;
    seen.add(key);
    rows.push({ text, label });
  }
  return rows;
}

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
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { loadDataset, stratifiedSplit, textKey } from '../classify/datasets.js';
import { evaluate } from '../classify/metrics.js';
import { trainModel, type TrainOptions } from '../classify/train-model.js';
import { readAllRecords } from '../classify/records.js';

interface Anchor {
  id: string;
  description: string;
  accuracy: number;
  macroF1: number;
  split: () => Promise<{ train: Record<string, string>[]; test: Record<string, string>[] }>;
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
async function spbSplit(): Promise<{ train: Record<string, string>[]; test: Record<string, string>[] }> {
  spbCache ??= await loadDataset('spb');
  const test = spbCache.filter((r) => (r.created ?? '').startsWith('2021-03'));
  const train = spbCache.filter((r) => (r.created ?? '') < '2021-03');
  return { train, test };
}

const anchors: Anchor[] = [
  { id: 'spb-category', description: 'SPb category (15), test = March 2021', accuracy: 0.928, macroF1: 0.79, split: spbSplit, text: 'text', label: 'category' },
  { id: 'spb-reason', description: 'SPb reason (125), test = March 2021', accuracy: 0.72, macroF1: 0.55, split: spbSplit, text: 'text', label: 'reason' },
  // 388 test rows make one seed's figure move by ±2 points; --kursk-seeds 42,1,2,3,4 adds more splits and a mean.
  ...args['kursk-seeds']!.split(',').map((seedText, i): Anchor => {
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
const dir = mkdtempSync(join(tmpdir(), 'otklik-anchors-'));
const results: Record<string, string | number>[] = [];
try {
  for (const a of selected) {
    const { train, test } = await a.split();
    const trainPath = join(dir, `${a.id}-train.csv`);
    const testPath = join(dir, `${a.id}-test.csv`);
    await writeFile(trainPath, stringify(train, { header: true, columns: [a.text, a.label] }));
    await writeFile(testPath, stringify(test, { header: true, columns: [a.text, a.label] }));

    const trainRecs = await readAllRecords(trainPath);
    const testRecs = await readAllRecords(testPath);
    // Repeated texts are kept by default: "снег на дороге" recurs every month and its label frequencies are real
    // signal. --dedup drops exact (text, label) repeats; the unseen_* columns score only test texts absent from training.
    const seen = new Set<string>();
    const rows = [];
    for (const r of trainRecs) {
      const text = r.fields[a.text] ?? '';
      const label = r.fields[a.label] ?? '';
      const key = `${textKey(text)}\u0000${label}`;
      if (label === '' || (args.dedup && seen.has(key))) continue;
      seen.add(key);
      rows.push({ text, label });
    }
    const t0 = performance.now();
    let lastLog = 0;
    const model = trainModel(rows, {
      ...trainOptions,
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastLog > 5000 || p.done === p.total) {
          lastLog = now;
          process.stderr.write(`  [${a.id}] epoch ${p.epoch}: ${p.done}/${p.total}\n`);
        }
      },
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    const trainKeys = new Set(rows.map((r) => textKey(r.text)));
    const gold: string[] = [];
    const pred: string[] = [];
    const goldUnseen: string[] = [];
    const predUnseen: string[] = [];
    const t1 = performance.now();
    for (const r of testRecs) {
      const g = r.fields[a.label] ?? '';
      const p = model.predict(r.fields[a.text] ?? '').label;
      gold.push(g);
      pred.push(p);
      if (!trainKeys.has(textKey(r.fields[a.text] ?? ''))) {
        goldUnseen.push(g);
        predUnseen.push(p);
      }
    }
    const predictSeconds = (performance.now() - t1) / 1000;
    const rep = evaluate(gold, pred);
    const repUnseen = evaluate(goldUnseen, predUnseen);
    results.push({
      anchor: a.id,
      train_rows: rows.length,
      test_rows: gold.length,
      accuracy: round(rep.accuracy),
      anchor_accuracy: a.accuracy,
      macro_f1: round(rep.macroF1),
      anchor_macro_f1: a.macroF1,
      beats: rep.accuracy >= a.accuracy && rep.macroF1 >= a.macroF1 ? 'yes' : 'NO',
      unseen_rows: goldUnseen.length,
      unseen_accuracy: round(repUnseen.accuracy),
      unseen_macro_f1: round(repUnseen.macroF1),
      vocab: model.vocabularySize,
      train_s: round(trainSeconds, 1),
      predict_per_s: Math.round(gold.length / predictSeconds),
    });
    process.stderr.write(`${a.description}: accuracy ${rep.accuracy.toFixed(4)} (anchor ${a.accuracy}), macro-F1 ${rep.macroF1.toFixed(4)} (anchor ${a.macroF1})\n`);
  }
} finally {
  if (!args['keep-splits']) rmSync(dir, { recursive: true, force: true });
  else process.stderr.write(`splits kept in ${dir}\n`);
}
console.table(results);
const kursk = results.filter((r) => String(r.anchor).startsWith('kursk-topic'));
if (kursk.length > 1) {
  const mean = (key: string) => round(kursk.reduce((sum, r) => sum + Number(r[key]), 0) / kursk.length);
  console.log(`Kursk mean over ${kursk.length} seeds: accuracy ${mean('accuracy')} (anchor 0.55), macro-F1 ${mean('macro_f1')} (anchor 0.24)`);
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

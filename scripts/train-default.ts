/**
 * Trains the default models shipped in models/ from the shared public datasets (read in place, never copied):
 *   models/category.json.gz   — the 15 ПОС categories (SPb + Kursk mapped by classify/category-map.ts, plus the
 *                               hand-written seeds in models/seeds/category-seeds.jsonl for categories the data lacks);
 *   models/complaint.json.gz  — complaint / question / other for social-media posts, from the hand-labelled gold set
 *                               (classify/complaint-training.ts; see classify/COMPLAINT.md).
 * Before the final fit on everything, each model is scored (category: later month / stratified part; complaint:
 * cross-validation by thread on the gold train split) and the figures are written into training.meta and printed.
 * Deterministic: every sample, split and fit is seeded, so the same data give the same model version.
 *
 *   npx tsx scripts/train-default.ts [--only category|complaint] [--skip-eval] [--out-dir models]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mapKursk, mapSpb } from '../classify/category-map.js';
import { COMPLAINT_RECIPE, crossValidatedMargins, decideComplaint, trainComplaintModel } from '../classify/complaint-training.js';
import { loadDataset, stratifiedSplit, textKey } from '../classify/datasets.js';
import { evaluate, formatReport } from '../classify/metrics.js';
import { progressLine, throttledProgress } from '../classify/progress.js';
import { trainModel, type TrainOptions, type TrainProgress, type TrainRow } from '../classify/train-model.js';
import { round } from './eval-support.js';
import { COMPLAINT_LABELS, joinTexts, readJsonl, validateGold, type GoldRow } from './gold-set.js';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    'skip-eval': { type: 'boolean', default: false },
    'out-dir': { type: 'string', default: 'models' },
  },
});
const outDir = resolve(args['out-dir']!);
const repoRoot = resolve(new URL('..', import.meta.url).pathname);

function progress(name: string): { onProgress: (p: TrainProgress) => void } {
  return { onProgress: throttledProgress(3000, (p) => process.stderr.write(`  [${name}] ${progressLine(p)}\n`)) };
}

function dedup<T extends TrainRow>(rows: T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${textKey(r.text)}\u0000${r.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function score(model: Model, rows: TrainRow[]): { accuracy: number; macroF1: number; n: number; report: string } {
  const report = evaluate(rows.map((r) => r.label), rows.map((r) => model.predict(r.text).label));
  return { accuracy: round(report.accuracy), macroF1: round(report.macroF1), n: report.n, report: formatReport(report) };
}

type Model = { predict(text: string): { label: string } };

// Category model ---------------------------------------------------------------------------------------------

interface SourcedRow extends TrainRow {
  source: 'spb' | 'kursk' | 'seed';
  created?: string;
}

/** Kursk texts are long and topically closer to a regional ПОС stream than SPb's one-liners; they count double. */
const KURSK_WEIGHT = 2;
const SEED_WEIGHT = 2;
const CATEGORY_OPTIONS: TrainOptions = { C: 0.5, classWeight: 'sqrt', quantize: 'int8', features: { minDf: 2 } };

async function categoryRows(): Promise<SourcedRow[]> {
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
  const seedPath = resolve(repoRoot, 'models/seeds/category-seeds.jsonl');
  for (const line of readFileSync(seedPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { text, label } = JSON.parse(line) as { text: string; label: string };
    rows.push({ text, label, source: 'seed', weight: SEED_WEIGHT });
  }
  process.stderr.write(`category rows: ${rows.length} (dropped ${dropped} without a ПОС category)\n`);
  return rows;
}

async function trainCategory(): Promise<void> {
  const all = await categoryRows();
  const meta: Record<string, unknown> = {
    sources: ['spb_nash_peterburg (Oct 2020 – Mar 2021)', 'kursk_cp2022_appeals train', 'models/seeds/category-seeds.jsonl'],
    mapping: 'classify/category-map.ts, classify/LABELS.md',
    weights: { kursk: KURSK_WEIGHT, seed: SEED_WEIGHT },
  };
  if (!args['skip-eval']) {
    const spb = all.filter((r) => r.source === 'spb');
    const kursk = all.filter((r) => r.source === 'kursk');
    const seeds = all.filter((r) => r.source === 'seed');
    const kSplit = stratifiedSplit(kursk, (r) => r.label, 0.2, 42);
    const spbTest = spb.filter((r) => (r.created ?? '').startsWith('2021-03'));
    const train = dedup([...spb.filter((r) => (r.created ?? '') < '2021-03'), ...kSplit.train, ...seeds]);
    const model = trainModel(train, { ...CATEGORY_OPTIONS, calibrate: false, ...progress('category hold-out') });
    const spbScore = score(model, spbTest);
    const kurskScore = score(model, kSplit.test);
    process.stderr.write(`\nПОС category, SPb March 2021 (${spbScore.n} rows):\n${spbScore.report}\n`);
    process.stderr.write(`\nПОС category, Kursk 20% stratified hold-out (${kurskScore.n} rows):\n${kurskScore.report}\n`);
    meta.holdout = {
      spbMarch2021: { n: spbScore.n, accuracy: spbScore.accuracy, macroF1: spbScore.macroF1 },
      kurskStratified20: { n: kurskScore.n, accuracy: kurskScore.accuracy, macroF1: kurskScore.macroF1 },
    };
  }
  const model = trainModel(dedup(all), { ...CATEGORY_OPTIONS, meta, ...progress('category') });
  const path = resolve(outDir, 'category.json.gz');
  await model.save(path);
  process.stderr.write(`wrote ${path} (version ${model.version}, ${model.vocabularySize} features, T=${model.temperature.toFixed(3)})\n`);
  console.log(JSON.stringify({ model: 'category', version: model.version, ...(meta.holdout ? { holdout: meta.holdout } : {}) }));
}

// Complaint model --------------------------------------------------------------------------------------------

/**
 * Detector v3 (classify/complaint-training.ts, classify/COMPLAINT.md): the recipe fitted on the whole hand-labelled
 * gold set (train and test splits) and the extra set; the test figures in COMPLAINT.md come from the same recipe fitted
 * without the test split (scripts/eval-complaint-gold.ts). The evaluation here never reads the gold test split: it is a 5-fold
 * cross-validation by thread on the gold train split (seed 11), stored in the model file.
 */
const GOLD_FILE = 'models/eval/complaint-gold.jsonl';
/** More hand-labelled comments for training only, outside the gold test threads (scripts/gold-sample.ts --set extra). */
const EXTRA_FILE = 'models/eval/complaint-extra.jsonl';
const CV_SEED = 11;

async function trainComplaint(): Promise<void> {
  const vk = await loadDataset('vk');
  const gold = readJsonl<GoldRow>(resolve(repoRoot, GOLD_FILE));
  const problems = validateGold(gold);
  if (problems.length > 0) throw new Error(`${GOLD_FILE} is invalid:\n${problems.join('\n')}`);
  const comments = joinTexts(gold, vk, GOLD_FILE).map((g) => ({ text: g.text, label: g.label, group: g.thread, split: g.split }));
  const extra = joinTexts(readJsonl<GoldRow>(resolve(repoRoot, EXTRA_FILE)), vk, EXTRA_FILE).map((g) => ({ text: g.text, label: g.label, group: g.thread }));
  const portal = [...(await loadDataset('spb')).map((r) => r.text ?? ''), ...(await loadDataset('kursk')).map((r) => r['Текст Сообщения'] ?? '')];
  const counts = (split: string) => Object.fromEntries(COMPLAINT_LABELS.map((l) => [l, comments.filter((c) => c.split === split && c.label === l).length]));
  const meta: Record<string, unknown> = {
    sources: [`${GOLD_FILE} (hand labels, train + test splits)`, `${EXTRA_FILE} (${extra.length} more hand labels)`, `spb + kursk appeals: ${COMPLAINT_RECIPE.portalSample} sampled (seed ${COMPLAINT_RECIPE.portalSeed}) as complaints, weight ${COMPLAINT_RECIPE.portalWeight}`],
    gold: { train: counts('train'), test: counts('test') },
    build: 'classify/complaint-training.ts, classify/complaint-cues.ts, classify/COMPLAINT.md',
  };
  if (!args['skip-eval']) {
    const train = comments.filter((c) => c.split === 'train');
    const margins = crossValidatedMargins(train, portal, {
      k: 5,
      seed: CV_SEED,
      extraRows: (held) => extra.filter((e) => !held.has(e.group)),
      onFold: (f) => process.stderr.write(`  [complaint cv] fold ${f + 1}/5\n`),
    });
    const report = evaluate(train.map((c) => c.label), decideComplaint(margins));
    process.stderr.write(`\ncomplaint detector, 5-fold cross-validation by thread on gold train (${report.n} comments):\n${formatReport(report)}\n`);
    meta.cvGoldTrain = {
      folds: 5, seed: CV_SEED, n: report.n, accuracy: round(report.accuracy), macroF1: round(report.macroF1),
      perClass: Object.fromEntries(report.perClass.map((c) => [c.label, { precision: round(c.precision), recall: round(c.recall), f1: round(c.f1) }])),
    };
  }
  const model = trainComplaintModel([...comments, ...extra], portal, { meta, ...progress('complaint') });
  const path = resolve(outDir, 'complaint.json.gz');
  await model.save(path);
  process.stderr.write(`wrote ${path} (version ${model.version}, ${model.vocabularySize} features)\n`);
  console.log(JSON.stringify({ model: 'complaint', version: model.version, ...(meta.cvGoldTrain ? { cvGoldTrain: meta.cvGoldTrain } : {}) }));
}

const only = args.only;
if (!only || only === 'category') await trainCategory();
if (!only || only === 'complaint') await trainComplaint();


/**
 * Trains the default models shipped in models/ from the shared public datasets (read in place, never copied):
 *   models/category.json.gz   — the 15 ПОС categories (SPb + Kursk mapped by classify/category-map.ts, plus the
 *                               hand-written seeds in models/seeds/category-seeds.jsonl for categories the data lacks);
 *   models/complaint.json.gz  — complaint / question / other for social-media posts (see classify/COMPLAINT.md).
 * Before the final fit on everything, each model is scored on a hold-out (later month / stratified part) and the
 * figures are written into the model file's training.meta and printed.
 *
 *   npx tsx scripts/train-default.ts [--only category|complaint] [--skip-eval] [--out-dir models]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mapKursk, mapSpb } from '../classify/category-map.js';
import { buildComplaintData, heuristicLabel } from '../classify/complaint-data.js';
import { loadDataset, stratifiedSplit, textKey } from '../classify/datasets.js';
import { evaluate, formatReport, type EvalReport } from '../classify/metrics.js';
import { progressLine, throttledProgress } from '../classify/progress.js';
import { trainModel, type TrainOptions, type TrainProgress, type TrainRow } from '../classify/train-model.js';
import { round } from './eval-support.js';

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

const COMPLAINT_OPTIONS: TrainOptions = { C: 0.5, classWeight: 'sqrt', quantize: 'int8', features: { minDf: 2 } };

/** Hand-labelled VK comments (ids + labels only; texts stay in the shared dataset). See classify/COMPLAINT.md. */
const HAND_SETS = {
  // 300 comments from held-out threads, labelled before the current rules were written; never used for training.
  test: 'models/eval/complaint-test.jsonl',
  // The first 100 (earlier labeller, somewhat different judgement calls); used to look at errors while writing rules.
  dev: 'models/eval/complaint-handcheck.jsonl',
} as const;

async function trainComplaint(): Promise<void> {
  const vkAll = await loadDataset('vk');
  const spb = await loadDataset('spb');
  const kursk = await loadDataset('kursk');
  const hand = Object.fromEntries(Object.entries(HAND_SETS).map(([name, path]) => [name, handLabelledRows(vkAll, path)])) as Record<keyof typeof HAND_SETS, TrainRow[]>;
  // Hand-labelled comments never enter training, not even the final model's (their threads are held out anyway).
  const handKeys = new Set(Object.values(hand).flatMap((rows) => rows.map((r) => textKey(r.text))));
  const vk = vkAll.filter((r) => !handKeys.has(textKey(r.text ?? '')));
  const data = buildComplaintData(vk, [...spb.map((r) => r.text ?? ''), ...kursk.map((r) => r['Текст Сообщения'] ?? '')]);
  process.stderr.write(`complaint rows: ${JSON.stringify(data.stats)}\n`);
  const meta: Record<string, unknown> = { sources: ['vk_municipal_pages (heuristic labels)', 'spb + kursk appeals (complaint positives)'], stats: data.stats, build: 'classify/complaint-data.ts, classify/COMPLAINT.md' };
  if (!args['skip-eval']) {
    // Hold out whole VK threads/pages (split key = page + post) so replies of one thread never straddle the split.
    const test = data.rows.filter((r) => r.group === 'test');
    const train = data.rows.filter((r) => r.group !== 'test');
    const model = trainModel(train, { ...COMPLAINT_OPTIONS, calibrate: false, ...progress('complaint hold-out') });
    const heldOut = score(model, test);
    process.stderr.write(`\ncomplaint detector, held-out VK threads vs heuristic labels (${heldOut.n} rows):\n${heldOut.report}\n`);
    meta.holdoutHeuristic = { n: heldOut.n, accuracy: heldOut.accuracy, macroF1: heldOut.macroF1 };
    // The hand-labelled sets are the only figures here that do not grade the model against its own heuristics.
    meta.handLabelled = Object.fromEntries(Object.entries(hand).map(([name, rows]) => [name, scoreHandLabelled(model, name, rows)]));
  }
  const model = trainModel(data.rows, { ...COMPLAINT_OPTIONS, meta, ...progress('complaint') });
  const path = resolve(outDir, 'complaint.json.gz');
  await model.save(path);
  process.stderr.write(`wrote ${path} (version ${model.version}, ${model.vocabularySize} features)\n`);
  console.log(JSON.stringify({ model: 'complaint', version: model.version, ...(meta.holdoutHeuristic ? { holdout: meta.holdoutHeuristic, handLabelled: meta.handLabelled } : {}) }));
}

/** The hold-out model and the heuristic rules against one hand-labelled set: logged, and the figures for the file. */
function scoreHandLabelled(model: Model, name: string, rows: TrainRow[]): Record<string, unknown> {
  const gold = rows.map((r) => r.label);
  const pred = rows.map((r) => model.predict(r.text).label);
  const report = evaluate(gold, pred);
  const rules = evaluate(gold, rows.map((r) => heuristicLabel(r.text) ?? 'unlabelled'));
  const table = confusionTable(gold, pred, ['complaint', 'question', 'other']);
  const unlabelled = rows.filter((r) => heuristicLabel(r.text) === null).length;
  process.stderr.write(`\ncomplaint detector vs hand labels, ${name} set (${report.n} rows):\n${formatReport(report)}\n${table.text}\n`);
  process.stderr.write(`heuristic rules alone vs the same labels: accuracy ${rules.accuracy.toFixed(4)}, macro-F1 over the 3 labels ${rulesMacroF1(rules).toFixed(4)} (rules leave ${unlabelled} unlabelled)\n`);
  return {
    n: report.n,
    accuracy: round(report.accuracy),
    macroF1: round(report.macroF1),
    perClassF1: Object.fromEntries(report.perClass.map((c) => [c.label, round(c.f1)])),
    confusion: table.matrix,
    rulesAccuracy: round(rules.accuracy),
  };
}

/** Macro-F1 over the three real labels only: rows the rules leave unlabelled count as misses, not as a fourth class. */
function rulesMacroF1(report: EvalReport): number {
  const real = report.perClass.filter((c) => c.label !== 'unlabelled');
  return real.reduce((sum, c) => sum + c.f1, 0) / Math.max(real.length, 1);
}

/** Gold × predicted counts (rows = gold), as a matrix for the model file and as text for the log. */
function confusionTable(gold: string[], pred: string[], labels: string[]): { matrix: Record<string, Record<string, number>>; text: string } {
  const matrix: Record<string, Record<string, number>> = {};
  for (const goldLabel of labels) matrix[goldLabel] = Object.fromEntries(labels.map((predicted) => [predicted, 0]));
  gold.forEach((goldLabel, i) => {
    const row = matrix[goldLabel];
    if (row && pred[i]! in row) row[pred[i]!]!++;
  });
  const width = 11;
  const lines = [`${'gold \\ predicted'.padEnd(18)}${labels.map((label) => label.padStart(width)).join('')}`];
  for (const goldLabel of labels) lines.push(`${goldLabel.padEnd(18)}${labels.map((predicted) => String(matrix[goldLabel]![predicted]).padStart(width)).join('')}`);
  return { matrix, text: lines.join('\n') };
}

function handLabelledRows(vk: Record<string, string>[], file: string): TrainRow[] {
  const byId = new Map(vk.map((r) => [`${r.source_file}|${r.item_id}`, r.text ?? '']));
  const rows: TrainRow[] = [];
  for (const line of readFileSync(resolve(repoRoot, file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { source_file, item_id, label } = JSON.parse(line) as { source_file: string; item_id: string; label: string };
    const text = byId.get(`${source_file}|${item_id}`);
    if (text === undefined) throw new Error(`hand-labelled item ${source_file} ${item_id} (${file}) not found in the VK dataset`);
    rows.push({ text, label });
  }
  return rows;
}

const only = args.only;
if (!only || only === 'category') await trainCategory();
if (!only || only === 'complaint') await trainComplaint();


/**
 * Trains the default models shipped in models/ from the shared public datasets (read in place, never copied):
 *   models/category.json.gz   — the 15 ПОС categories (SPb + Kursk mapped by classify/category-map.ts, the
 *                               hand-written seeds in models/seeds/category-seeds.jsonl for categories the data lacks,
 *                               and hand-categorised complaints from municipal VK pages; classify/category-training.ts);
 *   models/complaint.json.gz  — complaint / question / other for social-media posts, from the hand-labelled gold set
 *                               (classify/complaint-training.ts; see classify/COMPLAINT.md).
 * Before the final fit on everything, each model is scored (category: later month / stratified part / the social
 * complaints of the gold test threads; complaint: cross-validation by thread on the gold train split) and the figures are written into training.meta and printed.
 * Deterministic: every sample, split and fit is seeded, so the same data give the same model version.
 *
 *   npx tsx scripts/train-default.ts [--only category|complaint] [--skip-eval] [--out-dir models]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CATEGORY_OPTIONS, KURSK_WEIGHT, SEED_WEIGHT, SOCIAL_WEIGHT, dedupRows, portalCategoryRows, portalHoldOut,
  socialCategoryRows } from '../classify/category-training.js';
import { COMPLAINT_RECIPE, crossValidatedMargins, decideComplaint, trainComplaintModel } from '../classify/complaint-training.js';
import { loadDataset } from '../classify/datasets.js';
import { evaluate, formatReport } from '../classify/metrics.js';
import { progressLine, throttledProgress } from '../classify/progress.js';
import { trainModel, type TrainProgress } from '../classify/train-model.js';
import { round } from './eval-support.js';
import { COMPLAINT_LABELS, itemKey, joinTexts, readJsonl, validateGold, type GoldRow } from './gold-set.js';

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

function score(model: Model, rows: readonly { text: string; label: string }[]): { accuracy: number; macroF1: number; n: number; report: string } {
  const report = evaluate(rows.map((r) => r.label), rows.map((r) => model.predict(r.text).label));
  return { accuracy: round(report.accuracy), macroF1: round(report.macroF1), n: report.n, report: formatReport(report) };
}

type Model = { predict(text: string): { label: string } };

// Category model ---------------------------------------------------------------------------------------------

const CATEGORY_SOCIAL_FILES = ['models/eval/category-social-gold.jsonl', 'models/eval/category-social-extra.jsonl'];

/**
 * Hand-categorised social complaints, each with the split of its thread: the gold set's test threads are held out by
 * the evaluation; the final model learns them all.
 */
async function socialComplaints(vk: Record<string, string>[]): Promise<{ text: string; category: string; heldOut: boolean }[]> {
  const split = new Map(readJsonl<GoldRow>(resolve(repoRoot, GOLD_FILE)).map((g) => [itemKey(g), g.split]));
  return CATEGORY_SOCIAL_FILES.flatMap((f) => joinTexts(readJsonl<{ source_file: string; item_id: string; category: string }>(resolve(repoRoot, f)), vk, f))
    .map((c) => ({ text: c.text, category: c.category, heldOut: split.get(itemKey(c)) === 'test' }));
}

async function trainCategory(): Promise<void> {
  const { rows: portal, dropped } = await portalCategoryRows(resolve(repoRoot, 'models/seeds/category-seeds.jsonl'));
  const social = await socialComplaints(await loadDataset('vk'));
  process.stderr.write(
    `category rows: ${portal.length} portal and seed rows (dropped ${dropped} without a ПОС category), ${social.length} social complaints\n`,
  );
  const meta: Record<string, unknown> = {
    sources: ['spb_nash_peterburg (Oct 2020 – Mar 2021)', 'kursk_cp2022_appeals train', 'models/seeds/category-seeds.jsonl', ...CATEGORY_SOCIAL_FILES],
    mapping: 'classify/category-map.ts, classify/LABELS.md',
    weights: { kursk: KURSK_WEIGHT, seed: SEED_WEIGHT, social: SOCIAL_WEIGHT },
  };
  if (!args['skip-eval']) {
    const { train, spbTest, kurskTest } = portalHoldOut(portal, socialCategoryRows(social.filter((c) => !c.heldOut)));
    const model = trainModel(train, { ...CATEGORY_OPTIONS, calibrate: false, ...progress('category hold-out') });
    const spbScore = score(model, spbTest);
    const kurskScore = score(model, kurskTest);
    const socialScore = score(model, social.filter((c) => c.heldOut).map((c) => ({ text: c.text, label: c.category })));
    process.stderr.write(`\nПОС category, SPb March 2021 (${spbScore.n} rows):\n${spbScore.report}\n`);
    process.stderr.write(`\nПОС category, Kursk 20% stratified hold-out (${kurskScore.n} rows):\n${kurskScore.report}\n`);
    process.stderr.write(`\nПОС category, social complaints of the gold test threads (${socialScore.n} rows):\n${socialScore.report}\n`);
    meta.holdout = {
      spbMarch2021: { n: spbScore.n, accuracy: spbScore.accuracy, macroF1: spbScore.macroF1 },
      kurskStratified20: { n: kurskScore.n, accuracy: kurskScore.accuracy, macroF1: kurskScore.macroF1 },
      socialGoldTest: { n: socialScore.n, accuracy: socialScore.accuracy, macroF1: socialScore.macroF1 },
    };
  }
  const model = trainModel(dedupRows([...portal, ...socialCategoryRows(social)]), { ...CATEGORY_OPTIONS, meta, ...progress('category') });
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
    sources: [`${GOLD_FILE} (hand labels, train + test splits)`, `${EXTRA_FILE} (${extra.length} more hand labels)`,
      `spb + kursk appeals: ${COMPLAINT_RECIPE.portalSample} sampled (seed ${COMPLAINT_RECIPE.portalSeed}) as complaints, weight ${COMPLAINT_RECIPE.portalWeight}`],
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
      folds: 5,
      seed: CV_SEED,
      n: report.n,
      accuracy: round(report.accuracy),
      macroF1: round(report.macroF1),
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

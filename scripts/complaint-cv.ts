/**
 * Cross-validation of the complaint detector's recipe (classify/complaint-training.ts) on the GOLD TRAIN split only:
 * the gold test split is never read, not even its texts (its threads are kept out of any weak data too). Folds are
 * whole threads (classify/datasets.ts groupFolds), repeated over several seeds and pooled. Every change to the
 * detector is judged here; classify/COMPLAINT.md records the figures and each look at the test split.
 *
 *   npx tsx scripts/complaint-cv.ts [--variant recipe|no-extra|gold-only|no-cues|weak] [--folds 5] [--seeds 11,12,13]
 *                                   [--options '{"C":1}'] [--min-recall 0.9] [--json] [--errors /tmp/errors.txt]
 *
 * Variants: recipe = gold train + the extra set + the portal sample, with cues; no-extra = without the extra set;
 * gold-only = gold train alone (no extra, no portal); no-cues = the recipe without the cue set; weak = the recipe plus
 * the weak-label rules' labels of VK comments outside the gold test split and the held-out fold.
 *
 * Prints the pooled out-of-fold figures with the recipe's decision offsets and with none, per page, re-weighted to the
 * dataset's page mix, and the offsets that a grid search over the pooled margins would choose: the highest macro-F1
 * with complaint recall ≥ --min-recall (default 0.9, five points above the goal as a margin for an independent test).
 * --errors writes the misclassified comments of the first seed with their texts to a file, which must stay outside
 * the repository (the dataset's texts may not be republished).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildComplaintData } from '../classify/complaint-data.js';
import { COMPLAINT_RECIPE, crossValidatedMargins, decideComplaint } from '../classify/complaint-training.js';
import { loadDataset, textKey } from '../classify/datasets.js';
import type { TrainOptions, TrainRow } from '../classify/train-model.js';
import { formatScored, pageMix, pageWeighted, score } from './complaint-report.js';
import { COMPLAINT_LABELS, joinTexts, readJsonl, threadKey, validateGold, type GoldRow, type VkRow } from './gold-set.js';

const { values: args } = parseArgs({
  options: {
    variant: { type: 'string', default: 'recipe' },
    folds: { type: 'string', default: '5' },
    seeds: { type: 'string', default: '11,12,13' },
    json: { type: 'boolean', default: false },
    errors: { type: 'string' },
    'min-recall': { type: 'string', default: '0.9' },
    options: { type: 'string' },
  },
});
const repoRoot = resolve(new URL('..', import.meta.url).pathname);
const file = (p: string) => resolve(repoRoot, p);

const VARIANTS = ['recipe', 'no-extra', 'gold-only', 'no-cues', 'weak'] as const;
type Variant = (typeof VARIANTS)[number];
/** Weight of a weak-labelled comment in the `weak` variant (the best of 0.1–1 tried before the cues existed). */
const WEAK_WEIGHT = 0.3;
/** The offset search keeps complaint recall at least this high (--min-recall). */
const MIN_COMPLAINT_RECALL = Number(args['min-recall']);

interface Corpus {
  vk: VkRow[];
  train: (GoldRow & { text: string; row: VkRow })[];
  /** The extra training set (models/eval/complaint-extra.jsonl): in every fold's training, except its held-out threads. */
  extra: (GoldRow & { text: string; row: VkRow })[];
  /** Threads and texts no training row may come from: the gold test split and every hand-labelled text. */
  testThreads: Set<string>;
  handTexts: Set<string>;
  portal: string[];
}

async function corpus(): Promise<Corpus> {
  const vk = await loadDataset('vk');
  const gold = readJsonl<GoldRow>(file('models/eval/complaint-gold.jsonl'));
  const problems = validateGold(gold);
  if (problems.length > 0) throw new Error(`complaint-gold.jsonl is invalid:\n${problems.join('\n')}`);
  const train = joinTexts(gold.filter((g) => g.split === 'train'), vk, 'complaint-gold.jsonl');
  const extra = joinTexts(readJsonl<GoldRow>(file('models/eval/complaint-extra.jsonl')), vk, 'complaint-extra.jsonl');
  const byId = new Map(vk.map((r) => [`${r.source_file}|${r.item_id}`, r.text ?? '']));
  const earlier = ['models/eval/complaint-test.jsonl', 'models/eval/complaint-handcheck.jsonl']
    .flatMap((p) => readJsonl<{ source_file: string; item_id: string }>(file(p)));
  const handTexts = new Set([...gold, ...earlier, ...extra].map((g) => textKey(byId.get(`${g.source_file}|${g.item_id}`) ?? '')));
  const spb = await loadDataset('spb');
  const kursk = await loadDataset('kursk');
  const portal = [...spb.map((r) => r.text ?? ''), ...kursk.map((r) => r['Текст Сообщения'] ?? '')];
  return { vk, train, extra, testThreads: new Set(gold.filter((g) => g.split === 'test').map((g) => g.thread)), handTexts, portal };
}

/** The variant's training options, then --options (JSON, e.g. '{"C":1}'; `features` merge into the recipe's). */
function variantOptions(variant: Variant): TrainOptions {
  const { cues: _cues, ...plain } = COMPLAINT_RECIPE.options.features;
  const base: TrainOptions = variant === 'no-cues' ? { features: plain } : {};
  const extra = args.options ? (JSON.parse(args.options) as TrainOptions) : {};
  const features = { ...(variant === 'no-cues' ? plain : COMPLAINT_RECIPE.options.features), ...extra.features };
  return { ...base, ...extra, features };
}

/** Weak-labelled citizens' comments of threads outside the gold test split and the held-out fold. */
function weakRows(c: Corpus, heldThreads: ReadonlySet<string>): TrainRow[] {
  const pool = c.vk.filter((r) => !c.testThreads.has(threadKey(r)) && !heldThreads.has(threadKey(r)) && !c.handTexts.has(textKey(r.text ?? '')));
  return buildComplaintData(pool, [], { portalSample: 0 }).rows
    .filter((r) => r.origin === 'vk-comment')
    .map((r) => ({ text: r.text, label: r.label, weight: WEAK_WEIGHT }));
}

/** Out-of-fold margins of every gold train row for one seed's folds. */
function outOfFold(c: Corpus, variant: Variant, k: number, seed: number): Float64Array[] {
  const comments = c.train.map((g) => ({ text: g.text, label: g.label, group: g.thread }));
  return crossValidatedMargins(comments, c.portal, {
    k,
    seed,
    options: variantOptions(variant),
    noPortal: variant === 'gold-only',
    extraRows: (held: ReadonlySet<string>) => [
      ...(variant === 'no-extra' || variant === 'gold-only' ? [] : c.extra.filter((e) => !held.has(e.thread)).map((e) => ({ text: e.text, label: e.label }))),
      ...(variant === 'weak' ? weakRows(c, held) : []),
    ],
    onFold: (f, n) => process.stderr.write(`  seed ${seed} fold ${f + 1}/${k}: ${n} training rows\n`),
  });
}

const decide = (margins: readonly Float64Array[], offsets: { complaint: number; question: number }) => decideComplaint(margins, offsets);

/** Offsets (steps of 0.05 in [-0.5, 1]) with the highest pooled macro-F1 among those keeping complaint recall ≥ --min-recall. */
function searchOffsets(margins: readonly Float64Array[], gold: readonly string[]): { complaint: number; question: number; macroF1: number } | undefined {
  let best: { complaint: number; question: number; macroF1: number } | undefined;
  for (let ci = -10; ci <= 20; ci++) {
    for (let qi = -10; qi <= 20; qi++) {
      const offsets = { complaint: ci / 20, question: qi / 20 };
      const s = score('', gold, decide(margins, offsets), COMPLAINT_LABELS);
      if ((s.perClass.complaint?.recall ?? 0) < MIN_COMPLAINT_RECALL) continue;
      if (!best || s.macroF1 > best.macroF1) best = { ...offsets, macroF1: s.macroF1 };
    }
  }
  return best;
}

function perPage(c: Corpus, seeds: number, pred: readonly string[]): string {
  const lines = ['| page | rows | accuracy | macro-F1 | complaint recall |', '|---|---|---|---|---|'];
  const pages = [...new Set(c.train.map((g) => g.row.source_file ?? ''))].sort();
  for (const page of pages) {
    const idx = pred.map((_, i) => i).filter((i) => c.train[i % c.train.length]!.row.source_file === page);
    const s = score(page, idx.map((i) => c.train[i % c.train.length]!.label), idx.map((i) => pred[i]!), COMPLAINT_LABELS);
    lines.push(
      `| ${page.split('/').pop()} | ${s.n / seeds} | ${s.accuracy.toFixed(3)} | ${s.macroF1.toFixed(3)} | ${(s.perClass.complaint?.recall ?? 0).toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

function writeErrors(path: string, c: Corpus, pred: readonly string[]): void {
  const lines = c.train
    .map((g, i) => (pred[i] === g.label
      ? ''
      : `${g.label}→${pred[i]} [${g.row.source_file?.split('/').pop()} ${g.row.type}${g.hard ? ' hard' : ''}${g.note ? ` ${g.note}` : ''}] ${
        g.text.replace(/\s+/g, ' ')
      }`)
    )
    .filter(Boolean)
    .sort();
  writeFileSync(path, `${lines.join('\n')}\n`);
  process.stderr.write(`${lines.length} errors written to ${path}\n`);
}

async function main(): Promise<void> {
  const variant = args.variant as Variant;
  if (!VARIANTS.includes(variant)) throw new Error(`--variant must be one of ${VARIANTS.join(', ')}`);
  const k = Number(args.folds);
  const seeds = args.seeds!.split(',').map(Number);
  const c = await corpus();
  const margins = seeds.flatMap((seed) => outOfFold(c, variant, k, seed));
  const gold = seeds.flatMap(() => c.train.map((g) => g.label));
  const pages = seeds.flatMap(() => c.train.map((g) => g.row.source_file ?? ''));
  const mix = pageMix(c.vk);
  const withOffsets = decide(margins, COMPLAINT_RECIPE.options.marginOffsets);
  const argmax = decide(margins, { complaint: 0, question: 0 });
  const title = `${variant}, ${k}-fold by thread × seeds ${seeds.join(',')} on gold train (${c.train.length} comments; rows pooled over seeds)`;
  const out = {
    variant,
    withOffsets: score(`${title}, recipe offsets`, gold, withOffsets, COMPLAINT_LABELS),
    argmax: score(`${title}, no offsets`, gold, argmax, COMPLAINT_LABELS),
    pageWeighted: { withOffsets: pageWeighted(pages, gold, withOffsets, mix, COMPLAINT_LABELS),
      argmax: pageWeighted(pages, gold, argmax, mix, COMPLAINT_LABELS) },
    searchedOffsets: searchOffsets(margins, gold),
  };
  if (args.errors) writeErrors(args.errors, c, withOffsets);
  if (args.json) {
    console.log(JSON.stringify(out, null, 1));
    return;
  }
  console.log([
    formatScored(out.withOffsets, COMPLAINT_LABELS),
    formatScored(out.argmax, COMPLAINT_LABELS),
    `### Per page (recipe offsets)\n\n${perPage(c, seeds.length, withOffsets)}`,
    `Re-weighted to the dataset's page mix: recipe offsets ${JSON.stringify(out.pageWeighted.withOffsets)}; no offsets ${
      JSON.stringify(out.pageWeighted.argmax)
    }`,
    `Offsets a search on these margins would choose (complaint recall ≥ ${MIN_COMPLAINT_RECALL}): ${JSON.stringify(out.searchedOffsets)}; the recipe uses ${
      JSON.stringify(COMPLAINT_RECIPE.options.marginOffsets)
    }`,
  ].join('\n\n'));
}

await main();

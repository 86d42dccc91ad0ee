/**
 * The category model on hand-categorised complaints from municipal VK pages (models/eval/category-social-gold.jsonl,
 * classify/COMPLAINT-GUIDE.md "Category labels"). The held-out part is the complaints of the gold test split's threads;
 * the train part (the gold train split's complaints and models/eval/category-social-extra.jsonl) is what the category
 * recipe (classify/category-training.ts) learns social wording from.
 *
 *   npx tsx scripts/eval-category-social.ts [--models models]           the shipped model on the held-out and train parts
 *   npx tsx scripts/eval-category-social.ts --fit [--social-weight 3]   fits the recipe's portal hold-out with the train
 *                                                                         part (0 = without it) and scores the held-out
 *                                                                         part, SPb March 2021 and the Kursk 20 % part
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CATEGORY_OPTIONS, SOCIAL_WEIGHT, portalCategoryRows, portalHoldOut, socialCategoryRows } from '../classify/category-training.js';
import { loadDataset } from '../classify/datasets.js';
import { evaluate, type EvalReport } from '../classify/metrics.js';
import { loadModel } from '../classify/linear-text-model.js';
import { trainModel } from '../classify/train-model.js';
import { r4 } from './complaint-report.js';
import { itemKey, joinTexts, readJsonl, type GoldRow } from './gold-set.js';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'models' },
    fit: { type: 'boolean', default: false },
    'social-weight': { type: 'string', default: String(SOCIAL_WEIGHT) },
    // Experiments: keep only the social rows of these categories (comma-separated).
    'social-categories': { type: 'string' },
  },
});
const repoRoot = resolve(new URL('..', import.meta.url).pathname);
const file = (p: string) => resolve(repoRoot, p);

type Categorised = { text: string; category: string };
type Predictor = { predict(text: string): { label: string } };

async function socialParts(): Promise<{ heldOut: Categorised[]; train: Categorised[] }> {
  const vk = await loadDataset('vk');
  const split = new Map(readJsonl<GoldRow>(file('models/eval/complaint-gold.jsonl')).map((g) => [itemKey(g), g.split]));
  const gold = joinTexts(readJsonl<{ source_file: string; item_id: string; category: string }>(file('models/eval/category-social-gold.jsonl')), vk,
    'category-social-gold.jsonl');
  const extra = joinTexts(readJsonl<{ source_file: string; item_id: string; category: string }>(file('models/eval/category-social-extra.jsonl')), vk,
    'category-social-extra.jsonl');
  return {
    heldOut: gold.filter((c) => split.get(itemKey(c)) === 'test'),
    train: [...gold.filter((c) => split.get(itemKey(c)) === 'train'), ...extra],
  };
}

function table(name: string, rows: readonly { text: string; label?: string; category?: string }[], model: Predictor): { text: string; report: EvalReport } {
  const gold = rows.map((r) => r.category ?? r.label ?? '');
  const report = evaluate(gold, rows.map((r) => model.predict(r.text).label), 12);
  const lines = [
    `### ${name} (${report.n} rows): accuracy ${report.accuracy.toFixed(3)}, macro-F1 ${report.macroF1.toFixed(3)}`,
    '',
    '| category | precision | recall | F1 | support |',
    '|---|---|---|---|---|',
    // Categories only predicted (support 0) stay in the table: each one is a zero in the macro-F1.
    ...[...report.perClass].sort((a, b) => b.support - a.support)
      .map((c) => `| ${c.label} | ${c.precision.toFixed(3)} | ${c.recall.toFixed(3)} | ${c.f1.toFixed(3)} | ${c.support} |`),
    '',
    `Top confusions (gold → predicted: count): ${report.confusions.map((c) => `${c.gold} → ${c.predicted}: ${c.count}`).join('; ')}`,
  ];
  return { text: lines.join('\n'), report };
}

async function main(): Promise<void> {
  const parts = await socialParts();
  const sections: string[] = [];
  if (!args.fit) {
    const model = await loadModel(resolve(args.models!, 'category.json.gz'));
    sections.push(`Shipped category model ${model.version}`);
    sections.push(table('Social complaints, held-out part (gold test threads)', parts.heldOut, model).text);
    sections.push(table('Social complaints, train part (gold train split + extra set; the shipped model may have learnt them)', parts.train, model).text);
  } else {
    const weight = Number(args['social-weight']);
    const { rows } = await portalCategoryRows(file('models/seeds/category-seeds.jsonl'));
    const only = args['social-categories'] ? new Set(args['social-categories'].split(',')) : undefined;
    const social = parts.train.filter((c) => !only || only.has(c.category));
    const { train, spbTest, kurskTest } = portalHoldOut(rows, weight > 0 ? socialCategoryRows(social, weight) : []);
    process.stderr.write(`fitting the portal hold-out with ${weight > 0 ? social.length : 0} social rows (weight ${weight}) on ${train.length} rows\n`);
    const model = trainModel(train, { ...CATEGORY_OPTIONS, calibrate: false });
    const held = table(`Hold-out fit, social weight ${weight}: social complaints, held-out part`, parts.heldOut, model);
    const spb = table(`Hold-out fit, social weight ${weight}: SPb March 2021`, spbTest, model);
    const kursk = table(`Hold-out fit, social weight ${weight}: Kursk 20 % stratified`, kurskTest, model);
    sections.push(held.text, spb.text, kursk.text);
    const brief = (r: EvalReport) => ({ n: r.n, accuracy: r4(r.accuracy), macroF1: r4(r.macroF1) });
    sections.push(
      JSON.stringify({ socialWeight: weight, socialHeldOut: brief(held.report), spbMarch2021: brief(spb.report), kurskStratified20: brief(kursk.report) }),
    );
  }
  console.log(sections.join('\n\n'));
}

await main();

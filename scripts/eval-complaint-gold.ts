/**
 * Scores the shipped complaint and category models against the hand-labelled gold set (classify/COMPLAINT-GUIDE.md).
 * The id files are joined to the shared VK dataset by (source_file, item_id); no text is stored in the repository.
 *
 *   npx tsx scripts/eval-complaint-gold.ts [--models models] [--retrain] [--json]
 *
 * Prints, for the complaint detector: the gold test split, the gold train split, the whole gold set, the test split per
 * page, and the old 300-item test set with its original (v1) and re-read (v2) labels, each with accuracy, macro-F1,
 * per-class precision/recall/F1 and the confusion table; the weak-label rules (classify/complaint-data.ts) alone on the
 * same rows; the recall of complaints by kind. For the category model: accuracy, macro-F1 and the top confusions on the
 * hand-categorised complaints. --retrain also fits the shipped recipe (train-default.ts) on everything except the gold
 * test threads and scores that model: the shipped model saw every gold comment with its weak label while training.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildComplaintData, heuristicLabel } from '../classify/complaint-data.js';
import { loadDataset, textKey } from '../classify/datasets.js';
import { evaluate, type EvalReport } from '../classify/metrics.js';
import { loadModel } from '../classify/linear-text-model.js';
import { trainModel, type TrainOptions } from '../classify/train-model.js';
import { COMPLAINT_LABELS, itemKey, joinTexts, readJsonl, threadKey, validateGold, type GoldRow, type VkRow } from './gold-set.js';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'models' },
    retrain: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const repoRoot = resolve(new URL('..', import.meta.url).pathname);
const file = (p: string) => resolve(repoRoot, p);

/** The options of scripts/train-default.ts's complaint model; the hold-out fit there skips calibration as well. */
const SHIPPED_COMPLAINT_OPTIONS: TrainOptions = { C: 0.5, classWeight: 'sqrt', quantize: 'int8', features: { minDf: 2 }, calibrate: false };

interface Scored {
  name: string;
  n: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion: Record<string, Record<string, number>>;
}

const r4 = (x: number) => Math.round(x * 10000) / 10000;

function score(name: string, gold: string[], pred: string[], labels: readonly string[]): Scored {
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

function formatScored(s: Scored, labels: readonly string[]): string {
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

interface Row { text: string; label: string; row: VkRow; gold?: GoldRow }

/**
 * Structural kinds of complaints, to see which ones the model misses. A complaint can be of several kinds. The markers
 * are deliberately simple (they describe the gold rows, they are not a classifier): a question mark, a short text, a
 * reply to another user, booking/site vocabulary, and the reader's notes (sarcasm, bare address).
 */
const KINDS: [string, (r: Row) => boolean][] = [
  ['phrased as a question (contains «?»)', (r) => r.text.includes('?')],
  ['short (< 60 characters)', (r) => r.text.trim().length < 60],
  ['bare address / place (reader\'s note)', (r) => /bare|address|place name/i.test(r.gold?.note ?? '')],
  ['sarcasm (reader\'s note)', (r) => /sarcas/i.test(r.gold?.note ?? '')],
  ['booking or site failure (vocabulary)', (r) => /брон|билет|запис|сайт|ссылк|онлайн/i.test(r.text)],
  ['addressed to another user ([USER] first)', (r) => /^\s*\[USER\]/.test(r.text)],
  ['addressed to the page or a committee ([club…] first)', (r) => /^\s*\[club\d+\|/.test(r.text)],
  ['marked hard by the reader', (r) => r.gold?.hard === true],
  ['long (≥ 300 characters)', (r) => r.text.trim().length >= 300],
];

function kindRecall(rows: Row[], pred: string[]): { kind: string; complaints: number; caught: number; recall: number; missedAsOther: number; missedAsQuestion: number }[] {
  return KINDS.map(([kind, test]) => {
    let complaints = 0, caught = 0, asOther = 0, asQuestion = 0;
    rows.forEach((r, i) => {
      if (r.label !== 'complaint' || !test(r)) return;
      complaints++;
      if (pred[i] === 'complaint') caught++;
      else if (pred[i] === 'other') asOther++;
      else asQuestion++;
    });
    return { kind, complaints, caught, recall: complaints ? r4(caught / complaints) : 0, missedAsOther: asOther, missedAsQuestion: asQuestion };
  });
}

const SHORT_PAGE: Record<string, string> = {
  'sloyka/sample_data/mo_57.csv': 'МО Правобережный (mo_57)',
  'sloyka/sample_data/processed/messages.geojson': 'Центральный р-н, стена администрации (messages.geojson)',
  'sloyka/sample_data/test_activity_data.csv': 'Центральный р-н (test_activity_data)',
  'sloyka/sample_data/vnukovomos.csv': 'Управа Внуково (vnukovomos)',
};

async function main(): Promise<void> {
  const vk = await loadDataset('vk');
  const gold = readJsonl<GoldRow>(file('models/eval/complaint-gold.jsonl'));
  const problems = validateGold(gold);
  if (problems.length > 0) throw new Error(`complaint-gold.jsonl is invalid:\n${problems.join('\n')}`);
  const goldRows: Row[] = joinTexts(gold, vk, 'complaint-gold.jsonl').map((g) => ({ text: g.text, label: g.label, row: g.row, gold: g }));
  const oldV1 = joinTexts(readJsonl<{ source_file: string; item_id: string; label: string }>(file('models/eval/complaint-test.jsonl')), vk, 'complaint-test.jsonl');
  const oldV2 = joinTexts(readJsonl<{ source_file: string; item_id: string; label: string }>(file('models/eval/complaint-test-v2.jsonl')), vk, 'complaint-test-v2.jsonl');
  const categoryGold = joinTexts(readJsonl<{ source_file: string; item_id: string; category: string }>(file('models/eval/category-social-gold.jsonl')), vk, 'category-social-gold.jsonl');

  const complaintModel = await loadModel(resolve(args.models!, 'complaint.json.gz'));
  const categoryModel = await loadModel(resolve(args.models!, 'category.json.gz'));
  const predictAll = (m: { predict(t: string): { label: string } }, texts: string[]) => texts.map((t) => m.predict(t).label);

  const test = goldRows.filter((r) => r.gold!.split === 'test');
  const train = goldRows.filter((r) => r.gold!.split === 'train');
  const out: Record<string, unknown> = { complaintModel: complaintModel.version, categoryModel: categoryModel.version };
  const sections: string[] = [];
  const add = (key: string, s: Scored) => {
    out[key] = s;
    sections.push(formatScored(s, COMPLAINT_LABELS));
  };

  const predTest = predictAll(complaintModel, test.map((r) => r.text));
  add('goldTest', score('Shipped model, gold test split', test.map((r) => r.label), predTest, COMPLAINT_LABELS));
  add('goldTrain', score('Shipped model, gold train split', train.map((r) => r.label), predictAll(complaintModel, train.map((r) => r.text)), COMPLAINT_LABELS));
  add('goldAll', score('Shipped model, whole gold set', goldRows.map((r) => r.label), predictAll(complaintModel, goldRows.map((r) => r.text)), COMPLAINT_LABELS));
  const rulesTest = test.map((r) => heuristicLabel(r.text) ?? 'unlabelled');
  add('rulesGoldTest', score('Weak-label rules alone (unlabelled counts as a miss), gold test split', test.map((r) => r.label), rulesTest, COMPLAINT_LABELS));
  add('oldTestV1', score('Shipped model, old 300 test set, original (v1) labels', oldV1.map((r) => r.label), predictAll(complaintModel, oldV1.map((r) => r.text)), COMPLAINT_LABELS));
  add('oldTestV2', score('Shipped model, old 300 test set, re-read (v2) labels', oldV2.map((r) => r.label), predictAll(complaintModel, oldV2.map((r) => r.text)), COMPLAINT_LABELS));

  const perPage: Record<string, unknown> = {};
  const pageLines = ['### Gold test split per page', '', '| page | rows | complaint/question/other | accuracy | macro-F1 | complaint recall |', '|---|---|---|---|---|---|'];
  for (const sf of Object.keys(SHORT_PAGE)) {
    const idx = test.map((r, i) => (r.row.source_file === sf ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) continue;
    const s = score(sf, idx.map((i) => test[i]!.label), idx.map((i) => predTest[i]!), COMPLAINT_LABELS);
    perPage[sf] = s;
    const counts = COMPLAINT_LABELS.map((l) => s.perClass[l]?.support ?? 0).join('/');
    pageLines.push(`| ${SHORT_PAGE[sf]} | ${s.n} | ${counts} | ${s.accuracy.toFixed(3)} | ${s.macroF1.toFixed(3)} | ${(s.perClass.complaint?.recall ?? 0).toFixed(3)} |`);
  }
  out.goldTestPerPage = perPage;
  sections.push(pageLines.join('\n'));

  const kinds = kindRecall(test, predTest);
  out.complaintKindsGoldTest = kinds;
  sections.push([
    '### Gold test complaints by kind (a complaint can be of several kinds)', '',
    '| kind | complaints | caught | recall | missed as other | missed as question |', '|---|---|---|---|---|---|',
    ...kinds.map((k) => `| ${k.kind} | ${k.complaints} | ${k.caught} | ${k.recall.toFixed(3)} | ${k.missedAsOther} | ${k.missedAsQuestion} |`),
  ].join('\n'));

  // Category model on hand-categorised social complaints.
  const catLabels = [...new Set(categoryGold.map((c) => c.category))].sort((a, b) => a.localeCompare(b, 'ru'));
  const catPred = predictAll(categoryModel, categoryGold.map((c) => c.text));
  const cat = evaluate(categoryGold.map((c) => c.category), catPred, 15);
  const testKeys = new Set(test.map((r) => itemKey(r.row)));
  const catTestIdx = categoryGold.map((c, i) => (testKeys.has(itemKey(c)) ? i : -1)).filter((i) => i >= 0);
  const catTest = evaluate(catTestIdx.map((i) => categoryGold[i]!.category), catTestIdx.map((i) => catPred[i]!), 10);
  out.category = {
    n: cat.n, accuracy: r4(cat.accuracy), macroF1: r4(cat.macroF1),
    perClass: Object.fromEntries(cat.perClass.map((c) => [c.label, { precision: r4(c.precision), recall: r4(c.recall), f1: r4(c.f1), support: c.support }])),
    confusions: cat.confusions,
    testSplit: { n: catTest.n, accuracy: r4(catTest.accuracy), macroF1: r4(catTest.macroF1) },
  };
  sections.push([
    `### Category model on hand-categorised social complaints (${cat.n} rows): accuracy ${cat.accuracy.toFixed(3)}, macro-F1 ${cat.macroF1.toFixed(3)}; gold test split only (${catTest.n}): accuracy ${catTest.accuracy.toFixed(3)}, macro-F1 ${catTest.macroF1.toFixed(3)}`,
    '', '| category | precision | recall | F1 | support |', '|---|---|---|---|---|',
    ...[...cat.perClass].sort((a, b) => b.support - a.support).map((c) => `| ${c.label} | ${c.precision.toFixed(3)} | ${c.recall.toFixed(3)} | ${c.f1.toFixed(3)} | ${c.support} |`),
    '', 'Top confusions (gold → predicted: count): ' + cat.confusions.map((c) => `${c.gold} → ${c.predicted}: ${c.count}`).join('; '),
    `Categories present in the gold: ${catLabels.join(', ')}`,
  ].join('\n'));

  if (args.retrain) {
    // The shipped recipe without the gold test threads (posts included) and without any hand-labelled text.
    // A post's thread key is its own id, so the posts of those threads go too. Exact repeats of a test text elsewhere
    // and the earlier hand-labelled sets are dropped as train-default.ts drops them.
    const testThreads = new Set(test.map((r) => threadKey(r.row)));
    const dev = joinTexts(readJsonl<{ source_file: string; item_id: string }>(file('models/eval/complaint-handcheck.jsonl')), vk, 'complaint-handcheck.jsonl');
    const handTexts = new Set([...test, ...oldV1, ...dev].map((r) => textKey(r.text)));
    const keep = vk.filter((r) => !testThreads.has(threadKey(r)) && !handTexts.has(textKey(r.text ?? '')));
    const spb = await loadDataset('spb');
    const kursk = await loadDataset('kursk');
    const data = buildComplaintData(keep, [...spb.map((r) => r.text ?? ''), ...kursk.map((r) => r['Текст Сообщения'] ?? '')]);
    process.stderr.write(`retraining the shipped recipe on ${data.rows.length} rows (${vk.length - keep.length} VK rows of gold-test threads or hand-labelled texts left out)\n`);
    const clean = trainModel(data.rows, SHIPPED_COMPLAINT_OPTIONS);
    add('retrainedGoldTest', score('Shipped recipe retrained without the gold test threads, gold test split', test.map((r) => r.label), predictAll(clean, test.map((r) => r.text)), COMPLAINT_LABELS));
  }

  if (args.json) console.log(JSON.stringify(out, null, 1));
  else console.log([`complaint model ${complaintModel.version}, category model ${categoryModel.version}`, ...sections].join('\n\n'));
}

await main();

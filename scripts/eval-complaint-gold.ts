/**
 * Scores the complaint detector against the hand-labelled gold set (classify/COMPLAINT-GUIDE.md). The id files are
 * joined to the shared VK dataset by (source_file, item_id); no text is stored in the repository.
 *
 *   npx tsx scripts/eval-complaint-gold.ts [--models models] [--json] [--baseline]
 *
 * EVERY RUN LOOKS AT THE GOLD TEST SPLIT: record each run in classify/COMPLAINT.md ("Looks at the gold test split").
 * Judge changes with scripts/complaint-cv.ts (gold train only) instead.
 *
 * The shipped model (models/complaint.json.gz) is trained on the whole gold set, so its figures on the gold test split
 * would be a training fit. The script therefore fits the same recipe (classify/complaint-training.ts) on the gold train
 * split and the extra set (models/eval/complaint-extra.jsonl, outside the test threads) and prints, for it: the gold test split (accuracy, macro-F1, per-class precision/recall/F1, confusion),
 * per page, re-weighted to the dataset's page mix, the recall of complaints by kind, and the old 300-item test set with
 * its original (v1) and re-read (v2) labels; then the shipped model on the old 300 (its threads are in the gold test
 * split, the 300 texts themselves in no training set), and the weak-label rules alone on the gold test split.
 * --baseline also fits the previous recipe (weak labels, scripts/train-default.ts before detector v3) without the gold
 * test threads and scores it on the gold test split.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildComplaintData, heuristicLabel } from '../classify/complaint-data.js';
import { trainComplaintModel } from '../classify/complaint-training.js';
import { loadDataset, textKey } from '../classify/datasets.js';
import { loadModel } from '../classify/linear-text-model.js';
import { trainModel } from '../classify/train-model.js';
import { formatScored, pageMix, pageWeighted, r4, score, type Scored } from './complaint-report.js';
import { COMPLAINT_LABELS, joinTexts, readJsonl, threadKey, validateGold, type GoldRow, type VkRow } from './gold-set.js';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'models' },
    json: { type: 'boolean', default: false },
    baseline: { type: 'boolean', default: false },
  },
});
const repoRoot = resolve(new URL('..', import.meta.url).pathname);
const file = (p: string) => resolve(repoRoot, p);

interface Row {
  text: string;
  label: string;
  row: VkRow;
  gold?: GoldRow;
}
type Predictor = { predict(t: string): { label: string } };
const predictAll = (m: Predictor, rows: readonly { text: string }[]) => rows.map((r) => m.predict(r.text).label);

/**
 * Structural kinds of complaints, to see which ones the model misses. A complaint can be of several kinds. The markers
 * are deliberately simple (they describe the gold rows, they are not a classifier): a question mark, a short text, a
 * reply to another user, booking/site vocabulary, and the reader's notes (sarcasm, bare address).
 */
const KINDS: [string, (r: Row) => boolean][] = [
  ['phrased as a question (contains «?»)', (r) => r.text.includes('?')],
  ['short (< 60 characters)', (r) => r.text.trim().length < 60],
  ["bare address / place (reader's note)", (r) => /bare|address|place name/i.test(r.gold?.note ?? '')],
  ["sarcasm (reader's note)", (r) => /sarcas/i.test(r.gold?.note ?? '')],
  ['booking or site failure (vocabulary)', (r) => /брон|билет|запис|сайт|ссылк|онлайн/i.test(r.text)],
  ['addressed to another user ([USER] first)', (r) => /^\s*\[USER\]/.test(r.text)],
  ['addressed to the page or a committee ([club…] first)', (r) => /^\s*\[club\d+\|/.test(r.text)],
  ['marked hard by the reader', (r) => r.gold?.hard === true],
  ['long (≥ 300 characters)', (r) => r.text.trim().length >= 300],
];

function kindRecall(rows: Row[],
  pred: string[]): { kind: string; complaints: number; caught: number; recall: number; missedAsOther: number; missedAsQuestion: number }[]
{
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

function perPageTable(test: Row[], pred: string[]): { table: string; scores: Record<string, Scored> } {
  const scores: Record<string, Scored> = {};
  const lines = ['### Gold test split per page', '', '| page | rows | complaint/question/other | accuracy | macro-F1 | complaint recall |',
    '|---|---|---|---|---|---|'];
  for (const sf of Object.keys(SHORT_PAGE)) {
    const idx = test.map((r, i) => (r.row.source_file === sf ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) continue;
    const s = score(sf, idx.map((i) => test[i]!.label), idx.map((i) => pred[i]!), COMPLAINT_LABELS);
    scores[sf] = s;
    const counts = COMPLAINT_LABELS.map((l) => s.perClass[l]?.support ?? 0).join('/');
    lines.push(
      `| ${SHORT_PAGE[sf]} | ${s.n} | ${counts} | ${s.accuracy.toFixed(3)} | ${s.macroF1.toFixed(3)} | ${(s.perClass.complaint?.recall ?? 0).toFixed(3)} |`,
    );
  }
  return { table: lines.join('\n'), scores };
}

function kindsTable(kinds: ReturnType<typeof kindRecall>): string {
  return [
    '### Gold test complaints by kind (a complaint can be of several kinds)',
    '',
    '| kind | complaints | caught | recall | missed as other | missed as question |',
    '|---|---|---|---|---|---|',
    ...kinds.map((k) => `| ${k.kind} | ${k.complaints} | ${k.caught} | ${k.recall.toFixed(3)} | ${k.missedAsOther} | ${k.missedAsQuestion} |`),
  ].join('\n');
}

async function portalTexts(): Promise<string[]> {
  const spb = await loadDataset('spb');
  const kursk = await loadDataset('kursk');
  return [...spb.map((r) => r.text ?? ''), ...kursk.map((r) => r['Текст Сообщения'] ?? '')];
}

/**
 * The weak-label recipe of the detector before v3 (scripts/train-default.ts up to issue #18): every VK row the rules
 * label plus 3,000 portal appeals, without the gold test threads (posts included) and without any hand-labelled text.
 */
function previousRecipe(vk: VkRow[], test: Row[], handTexts: Set<string>, portal: string[]): Predictor {
  const testThreads = new Set(test.map((r) => threadKey(r.row)));
  const keep = vk.filter((r) => !testThreads.has(threadKey(r)) && !handTexts.has(textKey(r.text ?? '')));
  const data = buildComplaintData(keep, portal);
  return trainModel(data.rows, { C: 0.5, classWeight: 'sqrt', quantize: 'int8', features: { minDf: 2 }, calibrate: false });
}

async function main(): Promise<void> {
  const vk = await loadDataset('vk');
  const gold = readJsonl<GoldRow>(file('models/eval/complaint-gold.jsonl'));
  const problems = validateGold(gold);
  if (problems.length > 0) throw new Error(`complaint-gold.jsonl is invalid:\n${problems.join('\n')}`);
  const goldRows: Row[] = joinTexts(gold, vk, 'complaint-gold.jsonl').map((g) => ({ text: g.text, label: g.label, row: g.row, gold: g }));
  const oldV1 = joinTexts(readJsonl<{ source_file: string; item_id: string; label: string }>(file('models/eval/complaint-test.jsonl')), vk,
    'complaint-test.jsonl');
  const oldV2 = joinTexts(readJsonl<{ source_file: string; item_id: string; label: string }>(file('models/eval/complaint-test-v2.jsonl')), vk,
    'complaint-test-v2.jsonl');
  const test = goldRows.filter((r) => r.gold!.split === 'test');
  const train = goldRows.filter((r) => r.gold!.split === 'train');
  const portal = await portalTexts();

  // The extra set lies outside the gold test threads by construction; it trains the hold-out fit as it trains the shipped one.
  const extra = joinTexts(readJsonl<GoldRow>(file('models/eval/complaint-extra.jsonl')), vk, 'complaint-extra.jsonl');
  if (extra.some((e) => test.some((t) => t.gold!.thread === e.thread))) throw new Error('complaint-extra.jsonl has a thread of the gold test split');
  const holdOut = trainComplaintModel([...train.map((r) => ({ text: r.text, label: r.gold!.label })), ...extra.map((e) => ({ text: e.text, label: e.label }))],
    portal, { calibrate: false });
  const shipped = await loadModel(resolve(args.models!, 'complaint.json.gz'));
  const out: Record<string, unknown> = { holdOutModel: holdOut.version, shippedModel: shipped.version };
  const sections: string[] = [`Recipe fitted on gold train + extra: ${holdOut.version}; shipped model ${shipped.version}`];
  const add = (key: string, s: Scored) => {
    out[key] = s;
    sections.push(formatScored(s, COMPLAINT_LABELS));
  };
  const gl = (rows: readonly { label: string }[]) => rows.map((r) => r.label);

  const predTest = predictAll(holdOut, test);
  add('goldTest', score('Detector recipe fitted on gold train + extra, gold test split', gl(test), predTest, COMPLAINT_LABELS));
  const weighted = pageWeighted(test.map((r) => r.row.source_file ?? ''), gl(test), predTest, pageMix(vk), COMPLAINT_LABELS);
  out.goldTestPageWeighted = weighted;
  const pages = perPageTable(test, predTest);
  out.goldTestPerPage = pages.scores;
  sections.push(pages.table, `Gold test re-weighted to the dataset's page mix: ${JSON.stringify(weighted)}`);
  const kinds = kindRecall(test, predTest);
  out.complaintKindsGoldTest = kinds;
  sections.push(kindsTable(kinds));
  add('oldTestV1',
    score('Recipe fitted on gold train + extra, old 300 test set, original (v1) labels', gl(oldV1), predictAll(holdOut, oldV1), COMPLAINT_LABELS));
  add('oldTestV2',
    score('Recipe fitted on gold train + extra, old 300 test set, re-read (v2) labels', gl(oldV2), predictAll(holdOut, oldV2), COMPLAINT_LABELS));
  add('shippedOldTestV1', score('Shipped model, old 300 test set, v1 labels', gl(oldV1), predictAll(shipped, oldV1), COMPLAINT_LABELS));
  add('shippedOldTestV2', score('Shipped model, old 300 test set, v2 labels', gl(oldV2), predictAll(shipped, oldV2), COMPLAINT_LABELS));
  add('rulesGoldTest',
    score('Weak-label rules alone (unlabelled counts as a miss), gold test split', gl(test), test.map((r) => heuristicLabel(r.text) ?? 'unlabelled'),
      COMPLAINT_LABELS));

  if (args.baseline) {
    const dev = joinTexts(readJsonl<{ source_file: string; item_id: string }>(file('models/eval/complaint-handcheck.jsonl')), vk, 'complaint-handcheck.jsonl');
    const handTexts = new Set([...test, ...oldV1, ...dev].map((r) => textKey(r.text)));
    add('previousRecipeGoldTest',
      score('Previous (weak-label) recipe without the gold test threads, gold test split', gl(test),
        predictAll(previousRecipe(vk, test, handTexts, portal), test), COMPLAINT_LABELS));
  }

  if (args.json) console.log(JSON.stringify(out, null, 1));
  else console.log(sections.join('\n\n'));
}

await main();

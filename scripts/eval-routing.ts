/**
 * Routing anchors (TF-IDF linear SVM, later-month hold-out) reproduced through the CLI's own code path:
 *   SPb «Наш Санкт-Петербург»: label = responsible_org, falling back to answer_author; train Oct 2020 – Feb 2021,
 *     test March 2021; text only, and text + district (`--context district`);
 *   Kursk «Цифровой прорыв»: label = «Ответственное лицо», seeded stratified 20 % hold-out of the 2,000 rows; and,
 *     given the hackathon's own test file (`--kursk-test F`, or test_dataset_test.csv beside the training file when
 *     it is there; it is not in ../shared/datasets today, its SOURCE.md says where it is published), the anchor's
 *     protocol itself: all 2,000 rows train, the 1,000 test rows score; and
 *     (`--kursk-cv N`) 5-fold cross-validation over N seeded fold assignments, every row tested N times, which a
 *     395-row test cannot match for noise (± 2.5 points).
 * Beside each row, the anchor's method (TF-IDF of word unigrams, linear SVM, C 1, no class weights; the district as
 * a feature where the anchor has it) is trained and scored on the very same split, so that a split harder or easier
 * than the anchor's shows up as such rather than as a better or worse model.
 * The splits are written as CSV to a temporary folder (never the repository); each model is trained on the rows
 * the CLI reads, with the routing model's options and priors (`trainRoutingModel`, as `otklik train --topic reason
 * --type-prior` does; `otklik train`'s defaults with --cli-defaults: `runTrain`), and scored with `runEval` from
 * classify/cli.ts, i.e. exactly `otklik eval --model M --data TEST --context district`. Topic columns (SPb `reason`,
 * and `district` for the text-only anchor) are written to the training CSV only.
 *
 *   npx tsx scripts/eval-routing.ts [--only spb-text,spb-district,kursk,kursk-cv,kursk-hackathon] [--keep-splits] [--kursk-seed 42]
 *        [--kursk-test test_dataset_test.csv] [--kursk-cv 4] [--cli-defaults] [--options '{"C":1}'] [--no-anchor-method]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { runEval, runTrain } from '../classify/cli.js';
import { readAllRecords } from '../classify/records.js';
import { ROUTING_TEXT_ONLY_OPTIONS, ROUTING_TRAIN_OPTIONS } from '../classify/routing.js';
import { trainRoutingModel, type RoutingTrainOptions } from '../classify/routing-train.js';
import { datasetsDir, loadDataset, stratifiedFolds, stratifiedSplit } from '../classify/datasets.js';
import { kurskRoutingLabel, spbRoutingLabel } from '../classify/routing-data.js';
import { beats, round, scoreLine, withScratchDir, writeCsv, type Anchor, type Scores, type Split } from './eval-support.js';

// Where the hackathon's test file would sit beside the training file; used when present and --kursk-test is not given.
const SHARED_KURSK_TEST = join(datasetsDir(), 'kursk_cp2022_appeals', 'test_dataset_test.csv');

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    'keep-splits': { type: 'boolean', default: false },
    'kursk-seed': { type: 'string', default: '42' },
    /** The hackathon's test file (id, text, Тематика, Ответственное лицо; with or without its header row). */
    'kursk-test': { type: 'string', ...(existsSync(SHARED_KURSK_TEST) ? { default: SHARED_KURSK_TEST } : {}) },
    'no-anchor-method': { type: 'boolean', default: false },
    /** Also score Kursk by 5-fold cross-validation over this many seeded fold assignments (0 = not). */
    'kursk-cv': { type: 'string', default: '0' },
    /** Train with `otklik train`'s defaults instead of the routing options. */
    'cli-defaults': { type: 'boolean', default: false },
    /** JSON TrainOptions merged over the routing options, for experiments. */
    options: { type: 'string' },
  },
});

// 1,600 training rows over 75 bodies: stronger regularisation than the SPb data wants (C 0.1 vs 0.5). No place, and
// neither a «Тематика» nor a «Категория» prior helped (workflow/routing/README.md): the direct model.
const KURSK_OPTIONS: RoutingTrainOptions = { C: 0.1, classWeight: 'sqrt' };

const kurskCv = Number(args['kursk-cv']);
if (!Number.isInteger(kurskCv) || kurskCv < 0) throw new Error(`--kursk-cv takes a count of fold assignments (0 or more), got ${args['kursk-cv']}`);

/**
 * The anchors' method as their figures describe it: TF-IDF over word unigrams, a linear SVM with C 1 and no class
 * weights (the district, where given, as one more feature).
 */
const ANCHOR_METHOD: RoutingTrainOptions = {
  C: 1,
  classWeight: 'none',
  features: { wordNgrams: 1, charMin: 0, charMax: 0, minDf: 1, sublinearTf: false },
};

interface RoutingAnchor extends Anchor {
  context?: string;
  /** Training-only topic columns (written to the training CSV, never to the test CSV). */
  topics?: string[];
  options: RoutingTrainOptions;
  /** Several splits (cross-validation folds): the row reports the mean over them. */
  split: () => Promise<Split | Split[]>;
}

let spb: Split | undefined;
async function spbSplit(): Promise<Split> {
  if (spb) return spb;
  // The month stays beside each row for the split and is not written to the CSV.
  const withMonth = (await loadDataset('spb'))
    .map((r) => ({ month: (r.created ?? '').slice(0, 7), text: r.text ?? '', district: r.district ?? '', reason: r.reason ?? '', org: spbRoutingLabel(r) }))
    .filter((r) => r.org !== '');
  spb = {
    train: withMonth.filter((r) => r.month < '2021-03').map(({ month: _m, ...r }) => r),
    test: withMonth.filter((r) => r.month === '2021-03').map(({ month: _m, ...r }) => r),
  };
  return spb;
}

// A type alias, not an interface: it must stay assignable to Record<string, string> for the CSV writer.
type KurskRow = { text: string; topic: string; category: string; org: string };

async function kurskRows(): Promise<KurskRow[]> {
  return (await loadDataset('kursk'))
    .map((r) => ({ text: r['Текст Сообщения'] ?? '', topic: r['Тематика'] ?? '', category: r['Категория'] ?? '', org: kurskRoutingLabel(r) }))
    .filter((r) => r.org !== '');
}

async function kurskSplit(): Promise<Split> {
  return stratifiedSplit(await kurskRows(), (r) => r.org, 0.2, Number(args['kursk-seed']));
}

/** 5-fold stratified cross-validation, repeated over `assignments` seeded fold assignments (seeds 1, 2, …). */
async function kurskFolds(assignments: number): Promise<Split[]> {
  const rows = await kurskRows();
  const splits: Split[] = [];
  for (let seed = 1; seed <= assignments; seed++) {
    const fold = stratifiedFolds(rows, (r) => r.org, 5, seed);
    for (let f = 0; f < 5; f++) splits.push({ train: rows.filter((_, i) => fold[i] !== f), test: rows.filter((_, i) => fold[i] === f) });
  }
  return splits;
}

/** The hackathon's published test file: four columns, the header row present in one of its two published versions. */
function readKurskTest(path: string): Record<string, string>[] {
  const records: string[][] = parse(readFileSync(path, 'utf8'), { relax_column_count: true, bom: true });
  const body = records[0]?.[3]?.trim() === 'Ответственное лицо' ? records.slice(1) : records;
  const bad = body.findIndex((r) => r.length !== 4);
  if (bad !== -1) throw new Error(`${path}: record ${bad + 1} has ${body[bad]!.length} fields, expected 4 (id, text, Тематика, Ответственное лицо)`);
  return body.map((r) => ({ text: r[1]!, org: r[3]!.trim() })).filter((r) => r.org !== '');
}

const anchors: RoutingAnchor[] = [
  { id: 'spb-text', description: 'SPb responsible organization, text only, test = March 2021', accuracy: 0.33, macroF1: 0.20, topics: ['reason', 'district'],
    options: ROUTING_TEXT_ONLY_OPTIONS, split: spbSplit },
  // The routing model's options: district × word conjunctions plus the reason and organization-type priors.
  { id: 'spb-district', description: 'SPb responsible organization, text + district, test = March 2021', accuracy: 0.70, macroF1: 0.48, context: 'district',
    topics: ['reason'], options: ROUTING_TRAIN_OPTIONS, split: spbSplit },
  { id: 'kursk', description: `Kursk «Ответственное лицо», stratified 20% hold-out (seed ${args['kursk-seed']})`, accuracy: 0.47, macroF1: 0.17,
    topics: ['topic', 'category'], options: KURSK_OPTIONS, split: kurskSplit },
  ...(kurskCv > 0
    ? [{ id: 'kursk-cv', description: `Kursk «Ответственное лицо», 5-fold cross-validation × ${kurskCv} fold assignments (mean)`, accuracy: 0.47, macroF1: 0.17,
      topics: ['topic', 'category'], options: KURSK_OPTIONS, split: () => kurskFolds(kurskCv) }]
    : []),
  ...(args['kursk-test']
    ? [{ id: 'kursk-hackathon', description: "Kursk «Ответственное лицо», the anchor's protocol: 2,000 training rows, the hackathon's test file",
      accuracy: 0.47, macroF1: 0.17, options: KURSK_OPTIONS,
      split: async (): Promise<Split> => ({ train: await kurskRows(), test: readKurskTest(args['kursk-test']!) }) }]
    : []),
];

const selected = args.only ? anchors.filter((a) => args.only!.split(',').includes(a.id)) : anchors;
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const results = await withScratchDir('otklik-routing-eval-', args['keep-splits']!, async (dir) => {
  const rows: Record<string, string | number>[] = [];
  for (const anchor of selected) rows.push(await evaluateAnchor(anchor, dir));
  return rows;
});
console.table(results);

/** Every split of the anchor written, trained and scored (and the anchor's method beside it); returns the table row. */
async function evaluateAnchor(anchor: RoutingAnchor, dir: string): Promise<Record<string, string | number>> {
  const got = await anchor.split();
  const splits = Array.isArray(got) ? got : [got];
  const t0 = performance.now();
  const reports: Scores[] = [];
  const methods: Scores[] = [];
  for (const [n, { train, test }] of splits.entries()) {
    const columns = anchor.context ? ['text', 'org', anchor.context] : ['text', 'org'];
    const trainPath = join(dir, `${anchor.id}-${n}-train.csv`);
    const testPath = join(dir, `${anchor.id}-${n}-test.csv`);
    await writeCsv(trainPath, train, [...columns, ...(anchor.topics ?? [])]);
    await writeCsv(testPath, test, columns);
    reports.push(await trainAndScore(anchor, anchor.options, trainPath, testPath, join(dir, `${anchor.id}-${n}.json.gz`), !args['cli-defaults']));
    if (!args['no-anchor-method']) {
      methods.push(await trainAndScore(anchor, ANCHOR_METHOD, trainPath, testPath, join(dir, `${anchor.id}-${n}-anchor-method.json.gz`), true));
    }
  }
  const seconds = (performance.now() - t0) / 1000; // training and scoring, the anchor's method included
  const report = mean(reports);
  const method = methods.length > 0 ? mean(methods) : undefined;
  const { train, test } = splits[0]!;
  process.stderr.write(scoreLine(anchor, report)
    + (method ? `; the anchor's method on this split: ${method.accuracy.toFixed(4)} / ${method.macroF1.toFixed(4)}` : '') + '\n');
  return {
    anchor: anchor.id,
    train_rows: train.length,
    test_rows: test.length,
    splits: splits.length,
    labels: new Set(train.map((row) => row.org)).size,
    accuracy: round(report.accuracy),
    anchor_accuracy: anchor.accuracy,
    macro_f1: round(report.macroF1),
    anchor_macro_f1: anchor.macroF1,
    beats: beats(report, anchor),
    ...(method ? { anchor_method_here_accuracy: round(method.accuracy), anchor_method_here_macro_f1: round(method.macroF1) } : {}),
    seconds: round(seconds, 1),
  };
}

/**
 * Trains on the rows the CLI would read from `trainPath` and scores exactly as `otklik eval --model M --data TEST
 * [--context district]`. `routing` false trains through `otklik train` itself (`--cli-defaults`).
 */
async function trainAndScore(anchor: RoutingAnchor, base: RoutingTrainOptions, trainPath: string, testPath: string, modelPath: string, routing: boolean) {
  const { context, topics } = anchor;
  if (!routing) {
    await runTrain({ data: trainPath, text: 'text', label: 'org', out: modelPath, context, calibrate: false }, quiet);
  } else {
    const rows = (await readAllRecords(trainPath)).map(({ fields }) => ({ text: fields.text ?? '', label: fields.org ?? '',
      ...(context && fields[context] ? { context: { [context]: fields[context]! } } : {}),
      ...(topics ? { topics: Object.fromEntries(topics.map((topic) => [topic, fields[topic] ?? ''])) } : {}) })
    );
    // Experiment options apply to the model under test, never to the anchor's method.
    const options: RoutingTrainOptions = { ...base, ...(base !== ANCHOR_METHOD && args.options ? JSON.parse(args.options) : {}) };
    // The direct model stays calibrated only when priors are weighed against its probabilities.
    await trainRoutingModel(rows, { ...options, calibrate: options.priors !== undefined && options.priors.length > 0 }).save(modelPath);
  }
  // The report comes back as a value; the CLI's printed copy is not needed.
  return runEval({ model: modelPath, data: testPath, text: 'text', label: 'org', context, json: true }, quiet, quiet);
}

function mean(reports: readonly Scores[]): Scores {
  const average = (figure: (r: Scores) => number) => reports.reduce((sum, r) => sum + figure(r), 0) / reports.length;
  return { accuracy: average((r) => r.accuracy), macroF1: average((r) => r.macroF1) };
}

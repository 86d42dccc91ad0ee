import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { mergeCorrections, readCorrections } from './feedback.js';
import { EvalAccumulator, formatReport } from './metrics.js';
import { loadModel } from './linear-text-model.js';
import { trainModel, type TrainOptions, type TrainProgress } from './train-model.js';
import { readRecords, type BadRow } from './records.js';
import { ORGANIZATION_TYPE, trainRoutingModel, type RoutingTrainRow, type TopicPriorOptions } from './routing-train.js';

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function contextOf(fields: Record<string, string>, columns: string[]): Record<string, string> | undefined {
  if (columns.length === 0) return undefined;
  const ctx: Record<string, string> = {};
  for (const c of columns) if (fields[c]) ctx[c] = fields[c]!;
  return ctx;
}

function reportBadRow(file: string, err: NodeJS.WritableStream): (bad: BadRow) => void {
  return (bad) => err.write(`${file}:${bad.line}: skipped: ${bad.message}\n`);
}

function requireColumn(fields: Record<string, string>, column: string, file: string, line: number): void {
  if (!(column in fields)) throw new Error(`${file}:${line}: no column "${column}" (have: ${Object.keys(fields).join(', ')})`);
}

export interface TrainCommandOptions {
  data: string;
  text: string;
  label: string;
  out: string;
  context?: string;
  corrections?: string;
  C?: string;
  classWeight?: string;
  calibrate?: boolean;
  /** Training-only topic columns (e.g. reason): each adds a topic prior (routing); prediction needs only text + context. */
  topic?: string;
  /** Adds the organization-type prior (label with the place masked); the place is the first --context column. */
  typePrior?: boolean;
}

export async function runTrain(o: TrainCommandOptions, err: NodeJS.WritableStream = process.stderr): Promise<{ version: string; rows: number }> {
  const ctxCols = splitList(o.context);
  const topicCols = splitList(o.topic);
  let rows: RoutingTrainRow[] = [];
  let first = true;
  for await (const rec of readRecords(o.data, { onBadRow: reportBadRow(o.data, err) })) {
    if (first) {
      requireColumn(rec.fields, o.text, o.data, rec.line);
      requireColumn(rec.fields, o.label, o.data, rec.line);
      for (const c of topicCols) requireColumn(rec.fields, c, o.data, rec.line);
      first = false;
    }
    const text = rec.fields[o.text] ?? '';
    const label = (rec.fields[o.label] ?? '').trim();
    if (!label) {
      err.write(`${o.data}:${rec.line}: skipped: empty label\n`);
      continue;
    }
    const context = contextOf(rec.fields, ctxCols);
    const topics = topicCols.length > 0 ? Object.fromEntries(topicCols.map((c) => [c, rec.fields[c] ?? ''])) : undefined;
    rows.push({ text, label, ...(context ? { context } : {}), ...(topics ? { topics } : {}) });
  }
  if (o.corrections) {
    const corrections = await readCorrections(o.corrections, reportBadRow(o.corrections, err));
    const merged = mergeCorrections<RoutingTrainRow>(rows, corrections);
    rows = merged.rows;
    err.write(`corrections: ${corrections.length} read, ${merged.overridden} labels overridden, ${merged.added} rows added\n`);
  }
  if (rows.length === 0) throw new Error(`${o.data}: no training rows`);
  const options: TrainOptions = {
    ...(o.C ? { C: Number(o.C) } : {}),
    ...(o.classWeight ? { classWeight: o.classWeight as TrainOptions['classWeight'] } : {}),
    ...(o.calibrate === false ? { calibrate: false } : {}),
    meta: { data: o.data, textColumn: o.text, labelColumn: o.label, contextColumns: ctxCols, ...(o.corrections ? { corrections: o.corrections } : {}) },
  };
  let lastLine = 0;
  const onProgress = (p: TrainProgress & { stage?: string }) => {
    const now = Date.now();
    if (now - lastLine > 1000 || p.done === p.total) {
      lastLine = now;
      err.write(`${p.stage && p.stage !== 'direct' ? `${p.stage} ` : ''}${p.epoch === 0 ? 'features' : `fit ${p.epoch}`}: ${p.done}/${p.total}\n`);
    }
  };
  const priors: TopicPriorOptions[] = [
    ...topicCols.map((topic) => ({ topic, weight: 1 })),
    ...(o.typePrior ? [{ topic: ORGANIZATION_TYPE, weight: 0.5 }] : []),
  ];
  if (o.typePrior && ctxCols.length === 0) throw new Error('--type-prior needs the place as the first --context column');
  const model = priors.length > 0
    // The priors are weighed against the direct model's probabilities, so it is always calibrated then.
    ? trainRoutingModel(rows, { ...options, calibrate: true, priors, ...(ctxCols[0] ? { placeKey: ctxCols[0] } : {}), onProgress })
    : trainModel(rows, { ...options, onProgress });
  await model.save(o.out);
  err.write(`model ${model.version}: ${model.labels.length} labels, ${rows.length} rows → ${o.out}\n`);
  return { version: model.version, rows: rows.length };
}

export interface ClassifyCommandOptions {
  model: string;
  input: string;
  text: string;
  output?: string;
  context?: string;
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** One JSON line per input row, in input order; the input is streamed, so file size does not matter. */
export async function runClassify(o: ClassifyCommandOptions, err: NodeJS.WritableStream = process.stderr, stdout: Writable = process.stdout): Promise<number> {
  const model = await loadModel(o.model);
  const ctxCols = splitList(o.context);
  const out: Writable = o.output ? createWriteStream(o.output) : stdout;
  let n = 0;
  let first = true;
  try {
    for await (const rec of readRecords(o.input, { onBadRow: reportBadRow(o.input, err) })) {
      if (first) {
        requireColumn(rec.fields, o.text, o.input, rec.line);
        first = false;
      }
      const p = model.predict(rec.fields[o.text] ?? '', contextOf(rec.fields, ctxCols));
      await write(out, `${JSON.stringify({ label: p.label, confidence: p.confidence, top: p.top })}\n`);
      n++;
    }
  } finally {
    if (o.output) {
      out.end();
      await once(out, 'finish');
    }
  }
  err.write(`classified ${n} rows with model ${model.version}\n`);
  return n;
}

export interface EvalCommandOptions {
  model: string;
  data: string;
  text: string;
  label: string;
  context?: string;
  json?: boolean;
}

export async function runEval(o: EvalCommandOptions, err: NodeJS.WritableStream = process.stderr, stdout: NodeJS.WritableStream = process.stdout) {
  const model = await loadModel(o.model);
  const ctxCols = splitList(o.context);
  const acc = new EvalAccumulator();
  let first = true;
  for await (const rec of readRecords(o.data, { onBadRow: reportBadRow(o.data, err) })) {
    if (first) {
      requireColumn(rec.fields, o.text, o.data, rec.line);
      requireColumn(rec.fields, o.label, o.data, rec.line);
      first = false;
    }
    const gold = (rec.fields[o.label] ?? '').trim();
    if (!gold) continue;
    acc.add(gold, model.predict(rec.fields[o.text] ?? '', contextOf(rec.fields, ctxCols)).label);
  }
  const report = acc.report(15);
  stdout.write(o.json ? `${JSON.stringify({ model: model.version, ...report })}\n` : `model: ${model.version}\n${formatReport(report)}\n`);
  return report;
}

/** Adds `train`, `classify` and `eval` to the otklik CLI. */
export function registerClassifyCommands(program: Command): void {
  program
    .command('train')
    .description('train a text classifier from a CSV or JSONL file (progress on stderr)')
    .requiredOption('--data <file>', 'training data, .csv (header row) or .jsonl')
    .requiredOption('--text <column>', 'text column')
    .requiredOption('--label <column>', 'label column')
    .requiredOption('--out <model>', 'model file to write (.json, or .json.gz to compress)')
    .option('--context <columns>', 'comma-separated extra columns used as features, e.g. district')
    .option('--corrections <file>', 'JSONL of monitoring-team corrections {"text","label"} that override labels')
    .option('--C <value>', 'SVM regularisation (default 0.5)')
    .option('--class-weight <mode>', 'none | sqrt | balanced (default sqrt)')
    .option('--no-calibrate', 'skip fitting the confidence temperature on a 10% hold-out')
    .option('--topic <columns>', 'routing: training-only topic columns (e.g. reason); each adds a P(label | place, topic) prior over the topic predicted from the text')
    .option('--type-prior', 'routing: add the organization-type prior (label with the place of the first --context column masked)')
    .action(async (o: TrainCommandOptions) => {
      await runTrain(o);
    });

  program
    .command('classify')
    .description('classify every row of a CSV/JSONL file; writes one JSON line per row, in input order')
    .requiredOption('--model <file>', 'model file')
    .requiredOption('--input <file>', 'input .csv or .jsonl')
    .requiredOption('--text <column>', 'text column')
    .option('--output <file>', 'JSONL output (default: stdout)')
    .option('--context <columns>', 'comma-separated context columns (as used in training)')
    .action(async (o: ClassifyCommandOptions) => {
      await runClassify(o);
    });

  program
    .command('eval')
    .description('accuracy, macro-F1, per-class table and top confusions of a model on labelled data')
    .requiredOption('--model <file>', 'model file')
    .requiredOption('--data <file>', 'labelled .csv or .jsonl')
    .requiredOption('--text <column>', 'text column')
    .requiredOption('--label <column>', 'gold label column')
    .option('--context <columns>', 'comma-separated context columns')
    .option('--json', 'print the report as JSON')
    .action(async (o: EvalCommandOptions) => {
      await runEval(o);
    });
}

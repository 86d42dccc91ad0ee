import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { mergeCorrections, readCorrections } from './feedback.js';
import { EvalAccumulator, formatReport } from './metrics.js';
import { loadModel } from './linear-text-model.js';
import { trainModel, type TrainOptions, type TrainProgress } from './train-model.js';
import { progressLine, throttledProgress } from './progress.js';
import { readRecords, type BadRow } from './records.js';
import { ORGANIZATION_TYPE, trainRoutingModel, type RoutingTrainRow, type TopicPriorOptions } from './routing-train.js';

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function contextOf(fields: Record<string, string>, columns: string[]): Record<string, string> | undefined {
  if (columns.length === 0) return undefined;
  const context: Record<string, string> = {};
  for (const column of columns) if (fields[column]) context[column] = fields[column]!;
  return context;
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

export async function runTrain(options: TrainCommandOptions, err: NodeJS.WritableStream = process.stderr): Promise<{ version: string; rows: number }> {
  const contextColumns = splitList(options.context);
  const topicColumns = splitList(options.topic);
  let rows = await readTrainRows(options, contextColumns, topicColumns, err);
  if (options.corrections) {
    const corrections = await readCorrections(options.corrections, reportBadRow(options.corrections, err));
    const merged = mergeCorrections<RoutingTrainRow>(rows, corrections);
    rows = merged.rows;
    err.write(`corrections: ${corrections.length} read, ${merged.overridden} labels overridden, ${merged.added} rows added\n`);
  }
  if (rows.length === 0) throw new Error(`${options.data}: no training rows`);
  const trainOptions: TrainOptions = {
    ...(options.C ? { C: Number(options.C) } : {}),
    ...(options.classWeight ? { classWeight: options.classWeight as TrainOptions['classWeight'] } : {}),
    ...(options.calibrate === false ? { calibrate: false } : {}),
    meta: { data: options.data, textColumn: options.text, labelColumn: options.label, contextColumns,
      ...(options.corrections ? { corrections: options.corrections } : {}) },
  };
  const onProgress = throttledProgress(1000,
    (p: TrainProgress & { stage?: string }) => err.write(`${p.stage && p.stage !== 'direct' ? `${p.stage} ` : ''}${progressLine(p)}\n`));
  const priors: TopicPriorOptions[] = [
    ...topicColumns.map((topic) => ({ topic, weight: 1 })),
    ...(options.typePrior ? [{ topic: ORGANIZATION_TYPE, weight: 0.5 }] : []),
  ];
  if (options.typePrior && contextColumns.length === 0) throw new Error('--type-prior needs the place as the first --context column');
  const model = priors.length > 0
    // The priors are weighed against the direct model's probabilities, so it is always calibrated then.
    ? trainRoutingModel(rows, { ...trainOptions, calibrate: true, priors, ...(contextColumns[0] ? { placeKey: contextColumns[0] } : {}), onProgress })
    : trainModel(rows, { ...trainOptions, onProgress });
  await model.save(options.out);
  err.write(`model ${model.version}: ${model.labels.length} labels, ${rows.length} rows → ${options.out}\n`);
  return { version: model.version, rows: rows.length };
}

/** The labelled rows of the training file; rows without a label are reported and skipped. */
async function readTrainRows(options: TrainCommandOptions, contextColumns: string[], topicColumns: string[],
  err: NodeJS.WritableStream): Promise<RoutingTrainRow[]>
{
  const rows: RoutingTrainRow[] = [];
  let first = true;
  for await (const rec of readRecords(options.data, { onBadRow: reportBadRow(options.data, err) })) {
    if (first) {
      for (const column of [options.text, options.label, ...topicColumns]) requireColumn(rec.fields, column, options.data, rec.line);
      first = false;
    }
    const text = rec.fields[options.text] ?? '';
    const label = (rec.fields[options.label] ?? '').trim();
    if (!label) {
      err.write(`${options.data}:${rec.line}: skipped: empty label\n`);
      continue;
    }
    const context = contextOf(rec.fields, contextColumns);
    const topics = topicColumns.length > 0 ? Object.fromEntries(topicColumns.map((column) => [column, rec.fields[column] ?? ''])) : undefined;
    rows.push({ text, label, ...(context ? { context } : {}), ...(topics ? { topics } : {}) });
  }
  return rows;
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
export async function runClassify(options: ClassifyCommandOptions, err: NodeJS.WritableStream = process.stderr,
  stdout: Writable = process.stdout): Promise<number>
{
  const model = await loadModel(options.model);
  const contextColumns = splitList(options.context);
  const out: Writable = options.output ? createWriteStream(options.output) : stdout;
  let n = 0;
  let first = true;
  try {
    for await (const rec of readRecords(options.input, { onBadRow: reportBadRow(options.input, err) })) {
      if (first) {
        requireColumn(rec.fields, options.text, options.input, rec.line);
        first = false;
      }
      const prediction = model.predict(rec.fields[options.text] ?? '', contextOf(rec.fields, contextColumns));
      await write(out, `${JSON.stringify({ label: prediction.label, confidence: prediction.confidence, top: prediction.top })}\n`);
      n++;
    }
  } finally {
    if (options.output) {
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

export async function runEval(options: EvalCommandOptions, err: NodeJS.WritableStream = process.stderr, stdout: NodeJS.WritableStream = process.stdout) {
  const model = await loadModel(options.model);
  const contextColumns = splitList(options.context);
  const accumulator = new EvalAccumulator();
  let first = true;
  for await (const rec of readRecords(options.data, { onBadRow: reportBadRow(options.data, err) })) {
    if (first) {
      for (const column of [options.text, options.label]) requireColumn(rec.fields, column, options.data, rec.line);
      first = false;
    }
    const gold = (rec.fields[options.label] ?? '').trim();
    if (!gold) continue;
    accumulator.add(gold, model.predict(rec.fields[options.text] ?? '', contextOf(rec.fields, contextColumns)).label);
  }
  const report = accumulator.report(15);
  stdout.write(options.json ? `${JSON.stringify({ model: model.version, ...report })}\n` : `model: ${model.version}\n${formatReport(report)}\n`);
  return report;
}

/** A subcommand as data: its flags and help lines in help order, and what it runs. */
interface CommandSpec<O> {
  name: string;
  description: string;
  required: [flags: string, help: string][];
  optional: [flags: string, help: string][];
  run: (options: O) => Promise<unknown>;
}

function register<O>(program: Command, spec: CommandSpec<O>): void {
  const command = program.command(spec.name).description(spec.description);
  for (const [flags, help] of spec.required) command.requiredOption(flags, help);
  for (const [flags, help] of spec.optional) command.option(flags, help);
  command.action(async (options: O) => {
    await spec.run(options);
  });
}

/** Adds `train`, `classify` and `eval` to the otklik CLI. */
export function registerClassifyCommands(program: Command): void {
  register<TrainCommandOptions>(program, {
    name: 'train',
    description: 'train a text classifier from a CSV or JSONL file (progress on stderr)',
    required: [
      ['--data <file>', 'training data, .csv (header row) or .jsonl'],
      ['--text <column>', 'text column'],
      ['--label <column>', 'label column'],
      ['--out <model>', 'model file to write (.json, or .json.gz to compress)'],
    ],
    optional: [
      ['--context <columns>', 'comma-separated extra columns used as features, e.g. district'],
      ['--corrections <file>', 'JSONL of monitoring-team corrections {"text","label"} that override labels'],
      ['--C <value>', 'SVM regularisation (default 0.5)'],
      ['--class-weight <mode>', 'none | sqrt | balanced (default sqrt)'],
      ['--no-calibrate', 'skip fitting the confidence temperature on a 10% hold-out'],
      ['--topic <columns>',
        'routing: training-only topic columns (e.g. reason); each adds a P(label | place, topic) prior over the topic predicted from the text'],
      ['--type-prior', 'routing: add the organization-type prior (label with the place of the first --context column masked)'],
    ],
    run: (options) => runTrain(options),
  });
  register<ClassifyCommandOptions>(program, {
    name: 'classify',
    description: 'classify every row of a CSV/JSONL file; writes one JSON line per row, in input order',
    required: [['--model <file>', 'model file'], ['--input <file>', 'input .csv or .jsonl'], ['--text <column>', 'text column']],
    optional: [['--output <file>', 'JSONL output (default: stdout)'], ['--context <columns>', 'comma-separated context columns (as used in training)']],
    run: (options) => runClassify(options),
  });
  register<EvalCommandOptions>(program, {
    name: 'eval',
    description: 'accuracy, macro-F1, per-class table and top confusions of a model on labelled data',
    required: [['--model <file>', 'model file'], ['--data <file>', 'labelled .csv or .jsonl'], ['--text <column>', 'text column'], ['--label <column>',
      'gold label column']],
    optional: [['--context <columns>', 'comma-separated context columns'], ['--json', 'print the report as JSON']],
    run: (options) => runEval(options),
  });
}

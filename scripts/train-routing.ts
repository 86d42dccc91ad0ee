/**
 * Trains the default routing model, models/routing.json.gz: the responsible organization from the text and the place
 * (`district` context). Historic routing of the SPb portal (`responsible_org`, falling back to `answer_author`, with
 * `district`), optionally Kursk (`Ответственное лицо`, no place), and Otklik's own history: coordinators' redirects
 * exported with `otklik export-routing-examples FILE.jsonl`, which weigh more (they are this region's organizations).
 * The SPb `reason` column trains the reason prior (classify/routing-prior.ts); prediction needs only text + district.
 *
 *   npx tsx scripts/train-routing.ts [--out models/routing.json.gz] [--examples redirects.jsonl] [--examples-weight 3]
 *        [--no-spb] [--kursk] [--no-calibrate]
 */
import { parseArgs } from 'node:util';
import { loadDataset } from '../classify/datasets.js';
import { progressLine, throttledProgress } from '../classify/progress.js';
import { readAllRecords } from '../classify/records.js';
import { kurskRoutingLabel, spbRoutingLabel } from '../classify/routing-data.js';
import { ROUTING_TRAIN_OPTIONS } from '../classify/routing.js';
import { trainRoutingModel, type RoutingTrainRow } from '../classify/routing-train.js';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'models/routing.json.gz' },
    examples: { type: 'string' },
    'examples-weight': { type: 'string', default: '3' },
    'no-spb': { type: 'boolean', default: false },
    kursk: { type: 'boolean', default: false },
    'no-calibrate': { type: 'boolean', default: false },
  },
});

const rows: RoutingTrainRow[] = [];
const sources: Record<string, number> = {};
if (!args['no-spb']) {
  for (const r of await loadDataset('spb')) {
    const label = spbRoutingLabel(r);
    // `reason` is a training-only topic: the reason prior learns to predict it from the text.
    if (label) {
      rows.push({ text: r.text ?? '', label, ...(r.district ? { context: { district: r.district } } : {}),
        ...(r.reason ? { topics: { reason: r.reason } } : {}) });
    }
  }
  sources.spb = rows.length;
}
if (args.kursk) {
  const before = rows.length;
  for (const r of await loadDataset('kursk')) {
    const label = kurskRoutingLabel(r);
    if (label) rows.push({ text: r['Текст Сообщения'] ?? '', label });
  }
  sources.kursk = rows.length - before;
}
if (args.examples) {
  const before = rows.length;
  const weight = Number(args['examples-weight']);
  for (const rec of await readAllRecords(args.examples, { onBadRow: (b) => process.stderr.write(`${args.examples}:${b.line}: skipped: ${b.message}\n`) })) {
    const label = (rec.fields.organization ?? '').trim();
    if (!label || !rec.fields.text) continue;
    const district = rec.fields.district || rec.fields.municipality;
    rows.push({ text: rec.fields.text, label, weight, ...(district ? { context: { district } } : {}) });
  }
  sources.examples = rows.length - before;
}
if (rows.length === 0) throw new Error('no training rows: give --examples or leave the SPb data on');

// The priors are weighed against the direct model's calibrated probabilities: --no-calibrate only applies without them.
const model = trainRoutingModel(rows, {
  ...ROUTING_TRAIN_OPTIONS,
  calibrate: !args['no-calibrate'] || ROUTING_TRAIN_OPTIONS.priors.length > 0,
  meta: { purpose: 'routing', sources, contextColumns: ['district'], labels: 'organization code or name' },
  onProgress: throttledProgress(5000, (p) => process.stderr.write(`${p.stage} ${progressLine(p)}\n`)),
});
await model.save(args.out!);
process.stderr.write(`routing model ${model.version}: ${model.labels.length} organizations, ${rows.length} rows ${JSON.stringify(sources)} → ${args.out}\n`);

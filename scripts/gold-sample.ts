/**
 * Builds and maintains the hand-labelled gold set of the complaint detector (classify/COMPLAINT-GUIDE.md).
 *
 *   npx tsx scripts/gold-sample.ts --stats                      sample sizes per page / split
 *   npx tsx scripts/gold-sample.ts --print --from 0 --count 100 items in reading order, with their context
 *   npx tsx scripts/gold-sample.ts --print --items <jsonl>      the items of another id file (e.g. the old test set)
 *   npx tsx scripts/gold-sample.ts --apply <labels.txt> [--target gold|test-v2] [--pass 2]
 *   npx tsx scripts/gold-sample.ts --review [--from 0 --count 100]  the second-pass set, compactly, with pass-1 labels
 *   npx tsx scripts/gold-sample.ts --set extra [--stats | --print … | --apply <labels.txt>]   the same for the extra set
 *
 * The extra set (`--set extra`, models/eval/complaint-extra.jsonl and category-social-extra.jsonl) is a second draw,
 * labelled by the same guide for TRAINING only: comments of threads outside the gold test split that are not in the gold
 * set (nor repeats of its texts), mostly МО Правобережный, whose threads the gold set capped at 40 comments. It keeps
 * the gold test split a hold-out for the detector fitted on gold train + extra.
 *
 * The sample is deterministic (seed, quotas and exclusions below), so the printed numbers (#0000…) always point at
 * the same items. A labels file has one line per item: `<number> <c|q|o> [category code] [h] [// note]`, e.g.
 * `0042 c жкх h // leak reported as a question`; `h` marks a hard case. `--pass 2` re-labels items already in the
 * gold file and keeps the first label in `pass1` when it changes. Category codes are CATEGORY_CODES in scripts/gold-set.ts; a
 * complaint's category goes to models/eval/category-social-gold.jsonl. Texts are never written to the repository.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset, textKey } from '../classify/datasets.js';
import { CATEGORY_CODES, NO_CATEGORY, eligibleComments, itemKey, joinTexts, parseLabelLines, readJsonl, reviewSet, sampleGold, threadKey, validateGold,
  type ComplaintGold, type GoldItem, type GoldRow, type LabelLine, type SampleOptions, type VkRow } from './gold-set.js';

const { values: args } = parseArgs({
  options: {
    stats: { type: 'boolean', default: false },
    print: { type: 'boolean', default: false },
    from: { type: 'string', default: '0' },
    count: { type: 'string', default: '100' },
    items: { type: 'string' },
    apply: { type: 'string' },
    target: { type: 'string', default: 'gold' },
    pass: { type: 'string', default: '1' },
    review: { type: 'boolean', default: false },
    set: { type: 'string', default: 'gold' },
  },
});

const repoRoot = resolve(new URL('..', import.meta.url).pathname);
const OLD_TEST = 'models/eval/complaint-test.jsonl';
const OLD_DEV = 'models/eval/complaint-handcheck.jsonl';
const TEST_V2_FILE = 'models/eval/complaint-test-v2.jsonl';

/** A seeded draw (--set): where it keeps its labels and its complaints' categories, and how it samples. */
type Draw = { file: string; categoryFile: string; sampling: Pick<SampleOptions, 'seed' | 'quota' | 'maxPerThread' | 'testShare'> };

const DRAWS: Record<'gold' | 'extra', Draw> = {
  /**
   * mo_57 is 69 % of the comments but its giveaway threads repeat themselves, so it gets less than its share; the
   * smaller pages are taken whole (vnukovomos, test_activity_data) or half (the Центральный район wall). The page
   * of residents (posts_newscentr_central) has posts only.
   */
  gold: {
    file: 'models/eval/complaint-gold.jsonl',
    categoryFile: 'models/eval/category-social-gold.jsonl',
    sampling: { seed: 20250118, maxPerThread: 40, testShare: 0.4,
      quota: { 'sloyka/sample_data/mo_57.csv': 1080, 'sloyka/sample_data/processed/messages.geojson': 600 } },
  },
  // For training only: nothing of it goes to test.
  extra: {
    file: 'models/eval/complaint-extra.jsonl',
    categoryFile: 'models/eval/category-social-extra.jsonl',
    sampling: { seed: 20260201, maxPerThread: 25, testShare: 0,
      quota: { 'sloyka/sample_data/mo_57.csv': 800, 'sloyka/sample_data/processed/messages.geojson': 200 } },
  },
};

if (args.set !== 'gold' && args.set !== 'extra') throw new Error(`--set must be gold or extra, got ${args.set}`);
/** The set being worked on. */
const SET = DRAWS[args.set];

const SHORT_PAGE: Record<string, string> = {
  'sloyka/sample_data/mo_57.csv': 'МО Правобережный',
  'sloyka/sample_data/processed/messages.geojson': 'Центральный р-н (стена адм.)',
  'sloyka/sample_data/test_activity_data.csv': 'Центральный р-н',
  'sloyka/sample_data/vnukovomos.csv': 'Управа Внуково',
};

interface Context {
  vk: VkRow[];
  byId: Map<string, VkRow>;
  byThread: Map<string, VkRow[]>;
  sample: GoldItem[];
}

async function context(): Promise<Context> {
  const vk = await loadDataset('vk');
  const byId = new Map(vk.map((r) => [itemKey(r), r]));
  const byThread = new Map<string, VkRow[]>();
  for (const r of vk) {
    if (r.type === 'post') continue;
    const t = threadKey(r);
    byThread.set(t, [...(byThread.get(t) ?? []), r]);
  }
  const oldTest = readJsonl<{ source_file: string; item_id: string }>(resolve(repoRoot, OLD_TEST));
  const oldDev = readJsonl<{ source_file: string; item_id: string }>(resolve(repoRoot, OLD_DEV));
  const old = joinTexts([...oldTest, ...oldDev], vk, 'old hand-labelled sets');
  // The earlier 400 have their own files; their texts (and exact repeats of them) stay out of the gold sample.
  const candidates = eligibleComments(vk, new Set(old.map((o) => textKey(o.text))));
  const forceTest = new Set(joinTexts(oldTest, vk, OLD_TEST).map((o) => threadKey(o.row)));
  const sample = sampleGold(candidates, { ...DRAWS.gold.sampling, exclude: new Set(old.map(itemKey)), forceTest });
  return { vk, byId, byThread, sample: args.set === 'extra' ? extraSample(vk, old.map((o) => o.text)) : sample };
}

/** The extra draw: comments outside the gold set and its test threads, all on the train side. */
function extraSample(vk: VkRow[], oldTexts: string[]): GoldItem[] {
  const gold = readJsonl<GoldRow>(resolve(repoRoot, DRAWS.gold.file));
  const byId = new Map(vk.map((r) => [itemKey(r), r]));
  const goldTexts = gold.map((g) => byId.get(itemKey(g))?.text ?? '');
  const testThreads = new Set(gold.filter((g) => g.split === 'test').map((g) => g.thread));
  const candidates = eligibleComments(vk, new Set([...oldTexts, ...goldTexts].map(textKey))).filter((r) => !testThreads.has(threadKey(r)));
  return sampleGold(candidates, { ...DRAWS.extra.sampling, exclude: new Set(gold.map(itemKey)), forceTest: new Set() });
}

const oneLine = (s: string, max: number): string => {
  const t = s.split('\n').map((line) => line.trim()).filter(Boolean).join(' ⏎ ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
};

/** Whom a comment addresses: a community mention, another user ([USER]), or, for a reply, its parent's author. */
function addressee(r: VkRow): string {
  const t = (r.text ?? '').trim();
  if (/^\[(?:club|public)\d+\|/.test(t)) return '→сообщество';
  if (/^\[USER\]/.test(t)) return '→пользователь';
  return r.type === 'reply' ? '→автор родителя' : '→пост';
}

function author(r: VkRow): string {
  return r.author_kind === 'page' ? 'СТРАНИЦА' : r.author_kind === 'user' ? 'житель' : 'автор?';
}

function printItems(ctx: Context, items: { n: number; source_file: string; item_id: string }[]): void {
  let lastThread = '';
  const shown = new Set<string>();
  let lastParent = '';
  for (const it of items) {
    const r = ctx.byId.get(itemKey(it));
    if (!r) throw new Error(`item ${itemKey(it)} not in the dataset`);
    const thread = threadKey(r);
    if (thread !== lastThread) {
      lastThread = thread;
      const post = ctx.byId.get(`${r.source_file}|${r.post_id}`);
      console.log(
        `\n=== ${SHORT_PAGE[r.source_file ?? ''] ?? r.source_file} · пост ${r.post_id}${
          post ? ` (${post.date?.slice(0, 10)}): ${oneLine(post.text ?? '', 200)}` : ': текста поста нет в данных'
        }`,
      );
    }
    // Without the post (the administration's wall), earlier comments of the thread are the only context.
    if (!ctx.byId.has(`${r.source_file}|${r.post_id}`)) {
      const earlier = (ctx.byThread.get(thread) ?? []).filter((x) =>
        (x.date ?? '') < (r.date ?? '') && !shown.has(itemKey(x)) && !items.some((i) => itemKey(i) === itemKey(x))
      );
      for (const e of earlier.slice(-3)) console.log(`   ·ранее [${author(e)}] ${oneLine(e.text ?? '', 140)}`);
      for (const e of earlier) shown.add(itemKey(e));
    }
    const parent = r.parents_stack ? ctx.byId.get(`${r.source_file}|${r.parents_stack}`) : undefined;
    // A run of replies under one comment names it once; the reader keeps it in mind.
    const sameParent = parent !== undefined && itemKey(parent) === lastParent;
    lastParent = parent ? itemKey(parent) : '';
    const parentNote = r.parents_stack
      ? (parent ? (sameParent ? ' | родитель: тот же' : ` | родитель [${author(parent)}]: ${oneLine(parent.text ?? '', 110)}`) : ' | родителя нет в данных')
      : '';
    console.log(`#${String(it.n).padStart(4, '0')} ${r.type} [${author(r)}] ${addressee(r)} ${r.date?.slice(0, 10)}${parentNote}`);
    console.log(`      ${oneLine(r.text ?? '', 700)}`);
  }
}

const SHORT_LABEL: Record<ComplaintGold, string> = { complaint: 'c', question: 'q', other: 'o' };

function printReview(ctx: Context, from: number, count: number): void {
  const gold = new Map(readIfExists<GoldRow>(SET.file).map((g) => [itemKey(g), g]));
  const set = reviewSet([...gold.values()]);
  const items = ctx.sample.map((s, n) => ({ ...s, n })).filter((s) => set.has(itemKey(s))).slice(from, from + count);
  printCompact(ctx, items, (it) => gold.get(itemKey(it)));
  console.error(`review set: ${set.size} items; printed ${items.length} from ${from}`);
}

/** One line per item; the thread's post once. Without a gold row (another id file) no label is shown. */
function printCompact(ctx: Context, items: { n: number; source_file: string; item_id: string }[],
  goldOf: (it: { source_file: string; item_id: string }) => GoldRow | undefined): void
{
  let lastThread = '';
  for (const it of items) {
    const r = ctx.byId.get(itemKey(it));
    if (!r) throw new Error(`item ${itemKey(it)} not in the dataset`);
    const g = goldOf(it);
    const thread = threadKey(r);
    if (thread !== lastThread) {
      lastThread = thread;
      const post = ctx.byId.get(`${r.source_file}|${r.post_id}`);
      console.log(`== ${SHORT_PAGE[r.source_file ?? '']} ${r.post_id}: ${post ? oneLine(post.text ?? '', 80) : '(поста нет)'}`);
      // Without the post, two other comments of the thread say what it is about.
      if (!post) {
        for (const o of (ctx.byThread.get(thread) ?? []).filter((x) => itemKey(x) !== itemKey(r)).slice(0, 2)) {
          console.log(`   · ${oneLine(o.text ?? '', 90)}`);
        }
      }
    }
    const parent = r.parents_stack ? ctx.byId.get(`${r.source_file}|${r.parents_stack}`) : undefined;
    const flag = g ? ` ${SHORT_LABEL[g.pass1 ?? g.label]}${g.hard ? 'h' : ''}` : '';
    console.log(
      `#${String(it.n).padStart(4, '0')}${flag} ${r.type === 'reply' ? 'reply ' : ''}${addressee(r)}${parent ? ` ^${oneLine(parent.text ?? '', 60)}` : ''} | ${
        oneLine(r.text ?? '', 240)
      }${g?.note ? ` //${g.note}` : ''}`,
    );
  }
}

function writeJsonl(file: string, rows: object[]): void {
  writeFileSync(resolve(repoRoot, file), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

function readIfExists<T>(file: string): T[] {
  const p = resolve(repoRoot, file);
  return existsSync(p) ? readJsonl<T>(p) : [];
}

interface CategoryRow {
  source_file: string;
  item_id: string;
  category: string;
}

/** Updates the category file: a complaint with a category code gets it; an item no longer a complaint loses it. */
function applyCategories(updates: { source_file: string; item_id: string; label: ComplaintGold; category?: string }[]): void {
  const rows = new Map(readIfExists<CategoryRow>(SET.categoryFile).map((r) => [itemKey(r), r]));
  for (const u of updates) {
    const k = itemKey(u);
    if (u.label !== 'complaint' || u.category === NO_CATEGORY) rows.delete(k);
    else if (u.category) rows.set(k, { source_file: u.source_file, item_id: u.item_id, category: CATEGORY_CODES[u.category]! });
  }
  writeJsonl(SET.categoryFile, [...rows.values()]);
}

function applyGold(ctx: Context, lines: LabelLine[], pass: number): void {
  const existing = new Map(readIfExists<GoldRow>(SET.file).map((r) => [itemKey(r), r]));
  let changed = 0;
  for (const l of lines) {
    const item = ctx.sample[l.n];
    if (!item) throw new Error(`#${l.n}: no such item (the sample has ${ctx.sample.length})`);
    const k = itemKey(item);
    const prev = existing.get(k);
    if (pass >= 2) {
      if (!prev) throw new Error(`#${l.n}: pass ${pass} for an item that has no first-pass label`);
      const next: GoldRow = { ...prev, label: l.label, pass2: true };
      if (prev.label !== l.label) {
        next.pass1 = prev.pass1 ?? prev.label;
        changed++;
      }
      if (l.hard) next.hard = true;
      if (l.note) next.note = prev.note && prev.note !== l.note ? `${prev.note}; pass ${pass}: ${l.note}` : l.note;
      existing.set(k, next);
    } else {
      existing.set(k, { ...item, label: l.label, ...(l.hard ? { hard: true } : {}), ...(l.note ? { note: l.note } : {}) });
    }
  }
  // Reading order, so that the file diffs cleanly batch by batch.
  const order = new Map(ctx.sample.map((s, i) => [itemKey(s), i]));
  const rows = [...existing.values()].sort((a, b) => (order.get(itemKey(a)) ?? 0) - (order.get(itemKey(b)) ?? 0));
  const problems = validateGold(rows);
  if (problems.length > 0) throw new Error(`gold file invalid:\n${problems.join('\n')}`);
  writeJsonl(SET.file, rows);
  applyCategories(lines.map((l) => ({ ...ctx.sample[l.n]!, label: l.label, ...(l.category ? { category: l.category } : {}) })));
  console.error(`${SET.file}: ${rows.length} rows (${lines.length} applied, pass ${pass}${pass >= 2 ? `, ${changed} changed` : ''})`);
}

function applyTestV2(lines: LabelLine[]): void {
  const old = readJsonl<{ source_file: string; item_id: string; label: ComplaintGold }>(resolve(repoRoot, OLD_TEST));
  const existing = new Map(readIfExists<GoldRow & { label_v1: string }>(TEST_V2_FILE).map((r) => [itemKey(r), r]));
  for (const l of lines) {
    const o = old[l.n];
    if (!o) throw new Error(`#${l.n}: the old test set has ${old.length} items`);
    existing.set(itemKey(o),
      { source_file: o.source_file, item_id: o.item_id, label: l.label, label_v1: o.label, ...(l.hard ? { hard: true } : {}),
        ...(l.note ? { note: l.note } : {}) } as GoldRow & { label_v1: string });
  }
  const order = new Map(old.map((o, i) => [itemKey(o), i]));
  writeJsonl(TEST_V2_FILE, [...existing.values()].sort((a, b) => order.get(itemKey(a))! - order.get(itemKey(b))!));
  console.error(`${TEST_V2_FILE}: ${existing.size} rows`);
}

function printStats(ctx: Context): void {
  const count = new Map<string, number>();
  const threads = new Map<string, Set<string>>();
  for (const s of ctx.sample) {
    const k = `${s.source_file} ${s.split}`;
    count.set(k, (count.get(k) ?? 0) + 1);
    threads.set(k, (threads.get(k) ?? new Set()).add(s.thread));
  }
  for (const [k, n] of [...count].sort()) console.log(`${k.padEnd(60)} ${String(n).padStart(5)} items ${String(threads.get(k)!.size).padStart(4)} threads`);
  console.log(`total ${ctx.sample.length}; test ${ctx.sample.filter((s) => s.split === 'test').length}`);
  const gold = readIfExists<GoldRow>(SET.file);
  if (gold.length > 0) {
    const byLabel = new Map<string, number>();
    for (const g of gold) byLabel.set(`${g.split} ${g.label}`, (byLabel.get(`${g.split} ${g.label}`) ?? 0) + 1);
    console.log(`labelled ${gold.length}:`, Object.fromEntries([...byLabel].sort()));
    // The file must describe this very sample: same items, same threads, same sides.
    const sample = new Map(ctx.sample.map((s) => [itemKey(s), s]));
    const off = gold.filter((g) => sample.get(itemKey(g))?.thread !== g.thread || sample.get(itemKey(g))?.split !== g.split);
    console.log(
      off.length === 0 && gold.length === sample.size
        ? 'gold file matches the sample'
        : `gold file differs from the sample: ${off.length} rows off, ${sample.size - gold.length} unlabelled`,
    );
  }
}

const ctx = await context();
if (args.stats) printStats(ctx);
if (args.review) printReview(ctx, Number(args.from), Number(args.count));
if (args.print) {
  if (args.items) {
    // Labels in the id file are not shown: re-labelling must not anchor on them.
    const ids = readJsonl<{ source_file: string; item_id: string }>(resolve(args.items));
    const from = Number(args.from);
    printCompact(ctx, ids.slice(from, from + Number(args.count)).map((r, i) => ({ source_file: r.source_file, item_id: r.item_id, n: from + i })), () =>
      undefined);
  } else {
    const from = Number(args.from);
    printItems(ctx, ctx.sample.slice(from, from + Number(args.count)).map((s, i) => ({ ...s, n: from + i })));
  }
}
if (args.apply) {
  const lines = parseLabelLines(readFileSync(args.apply, 'utf8'));
  if (args.target === 'gold') applyGold(ctx, lines, Number(args.pass));
  else if (args.target === 'test-v2') applyTestV2(lines);
  else throw new Error(`--target must be gold or test-v2, got ${args.target}`);
}

/**
 * The hand-labelled gold set for the complaint detector (classify/COMPLAINT-GUIDE.md): which VK comments are in it,
 * how whole threads are assigned to train or test, and how the label files (ids only, never texts) are read and
 * joined back to the shared dataset. Used by scripts/gold-sample.ts (sampling, printing for the reader, applying
 * labels) and scripts/eval-complaint-gold.ts (figures).
 */
import { readFileSync } from 'node:fs';
import { textKey } from '../classify/datasets.js';
import { mulberry32 } from '../classify/linear.js';

export type VkRow = Record<string, string>;
export type ComplaintGold = 'complaint' | 'question' | 'other';
export const COMPLAINT_LABELS: readonly ComplaintGold[] = ['complaint', 'question', 'other'];

export interface GoldItem {
  source_file: string;
  item_id: string;
  /** `page|post_id`: every comment of one post shares it, so a thread lies wholly in train or in test. */
  thread: string;
  split: 'train' | 'test';
}

export interface GoldRow extends GoldItem {
  label: ComplaintGold;
  hard?: boolean;
  note?: string;
  /** Label of the first pass, kept when the second pass changed it. */
  pass1?: ComplaintGold;
  /** Re-read in the second pass (every hard item and a seeded 10 % of the rest). */
  pass2?: boolean;
}

export interface SampleOptions {
  seed: number;
  /** Items wanted per source file; a file missing here gives all its eligible items. */
  quota: Record<string, number>;
  /** At most this many items from one thread (giveaway threads have hundreds of near-identical replies). */
  maxPerThread: number;
  /** Share of each source file's sampled items that goes to test. */
  testShare: number;
  /** `source_file|item_id` keys that never enter the sample (the earlier hand-labelled sets). */
  exclude: Set<string>;
  /** Threads forced into test (those holding the old test set, so it stays a hold-out for anything trained on gold train). */
  forceTest: Set<string>;
}

export const itemKey = (r: { source_file?: string; item_id?: string }): string => `${r.source_file ?? ''}|${r.item_id ?? ''}`;
export const threadKey = (r: VkRow): string => `${r.page ?? ''}|${r.post_id || r.item_id || ''}`;

/**
 * Citizens' comments and replies: not the page's posts, not rows known to come from a community account. The page's
 * own replies in mo_57 carry no author and stay in; they are labelled `other` (hard negatives).
 * Exact repeats (same text ignoring case and spacing) keep only their first row in file order.
 */
export function eligibleComments(rows: readonly VkRow[], excludeTexts: Set<string> = new Set()): VkRow[] {
  const seen = new Set(excludeTexts);
  const out: VkRow[] = [];
  for (const r of rows) {
    if (r.type === 'post' || r.author_kind === 'page') continue;
    const key = textKey(r.text ?? '');
    if (!key || seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/**
 * Draws whole threads in a seeded random order per source file until its quota is met (a thread bigger than
 * `maxPerThread` gives a seeded random subset), then deals the drawn threads to test until `testShare` of the
 * file's items is there, forced threads first. Returns items in reading order: threads in drawn order, items in
 * date order inside a thread.
 */
export function sampleGold(candidates: readonly VkRow[], o: SampleOptions): GoldItem[] {
  const rand = mulberry32(o.seed);
  const bySource = new Map<string, Map<string, VkRow[]>>();
  for (const r of candidates) {
    if (o.exclude.has(itemKey(r))) continue;
    const sf = r.source_file ?? '';
    const threads = bySource.get(sf) ?? new Map<string, VkRow[]>();
    bySource.set(sf, threads);
    const t = threadKey(r);
    threads.set(t, [...(threads.get(t) ?? []), r]);
  }
  const drawn: { thread: string; items: VkRow[]; split: 'train' | 'test' }[] = [];
  for (const sf of [...bySource.keys()].sort()) {
    const threads = bySource.get(sf)!;
    const quota = o.quota[sf] ?? Infinity;
    const picked: { thread: string; items: VkRow[] }[] = [];
    let n = 0;
    for (const thread of shuffle([...threads.keys()].sort(), rand)) {
      if (n >= quota) break;
      let items = threads.get(thread)!;
      if (items.length > o.maxPerThread) items = shuffle([...items], rand).slice(0, o.maxPerThread);
      picked.push({ thread, items });
      n += items.length;
    }
    let inTest = 0;
    const order = [...picked.filter((p) => o.forceTest.has(p.thread)), ...picked.filter((p) => !o.forceTest.has(p.thread))];
    const testThreads = new Set<string>();
    for (const p of order) {
      if (!o.forceTest.has(p.thread) && inTest >= o.testShare * n) break;
      testThreads.add(p.thread);
      inTest += p.items.length;
    }
    for (const p of picked) drawn.push({ ...p, split: testThreads.has(p.thread) ? 'test' : 'train' });
  }
  // Reading order mixes the pages so that the reader's judgement does not drift page by page.
  return shuffle(drawn, rand).flatMap((d) =>
    [...d.items]
      .sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || Number(a.item_id) - Number(b.item_id))
      .map((r) => ({ source_file: r.source_file!, item_id: r.item_id!, thread: d.thread, split: d.split }))
  );
}

export function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch (e) {
        throw new Error(`${path}:${i + 1}: not JSON (${(e as Error).message})`, { cause: e });
      }
    });
}

/** Checks the invariants of a gold file: known labels, no item twice, no thread on both sides of the split. */
export function validateGold(rows: readonly GoldRow[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const side = new Map<string, string>();
  for (const r of rows) {
    const k = itemKey(r);
    if (seen.has(k)) problems.push(`${k}: listed twice`);
    seen.add(k);
    if (!COMPLAINT_LABELS.includes(r.label)) problems.push(`${k}: unknown label ${JSON.stringify(r.label)}`);
    if (r.split !== 'train' && r.split !== 'test') problems.push(`${k}: unknown split ${JSON.stringify(r.split)}`);
    const s = side.get(r.thread);
    if (s && s !== r.split) problems.push(`thread ${r.thread}: in both train and test`);
    side.set(r.thread, r.split);
  }
  return problems;
}

/** Joins id-only label rows to the dataset's texts; a missing item is an error, not a silent drop. */
export function joinTexts<T extends { source_file: string; item_id: string }>(rows: readonly T[], vk: readonly VkRow[],
  what: string): (T & { text: string; row: VkRow })[]
{
  const byId = new Map(vk.map((r) => [itemKey(r), r]));
  return rows.map((r) => {
    const row = byId.get(itemKey(r));
    if (!row) throw new Error(`${what}: item ${itemKey(r)} not found in the VK dataset`);
    return { ...r, text: row.text ?? '', row };
  });
}

export const CATEGORY_CODES: Record<string, string> = {
  'бл': 'благоустройство',
  'жкх': 'ЖКХ',
  'здр': 'здравоохранение',
  'кул': 'культура',
  'лес': 'лесное хозяйство',
  'обр': 'образование',
  'пред': 'предпринимательство',
  'дор': 'дороги',
  'свз': 'связь',
  'сх': 'сельское хозяйство',
  'соц': 'соцзащита',
  'стр': 'строительство',
  'трн': 'транспорт',
  'спт': 'спорт',
  'эко': 'экология',
};
/** A complaint no ПОС category fits (e.g. about the page's own giveaway site); kept out of the category set. */
export const NO_CATEGORY = 'нет';
export const LABEL_CODES: Record<string, ComplaintGold> = { c: 'complaint', q: 'question', o: 'other' };
/** Share of the items not marked hard that the second pass re-reads as well (a check on the easy calls). */
const REVIEW_SHARE = 0.1;
const REVIEW_SEED = 777;

/**
 * The second pass re-reads every item marked hard plus a seeded random 10 % of the others. The set is computed from
 * the first-pass flags, so it is the same whenever it is recomputed (pass-2 changes do not move items in or out).
 */
export function reviewSet(gold: readonly GoldRow[], share = REVIEW_SHARE, seed = REVIEW_SEED): Set<string> {
  const rand = mulberry32(seed);
  const out = new Set<string>();
  for (const g of gold) {
    const pick = rand() < share;
    if (g.hard || pick) out.add(itemKey(g));
  }
  return out;
}

export interface LabelLine {
  n: number;
  label: ComplaintGold;
  category?: string;
  hard: boolean;
  note?: string;
}

export function parseLabelLines(text: string): LabelLine[] {
  const out: LabelLine[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const [body, ...noteParts] = raw.split('//');
    const tokens = (body ?? '').trim().split(/\s+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const n = Number(tokens[0]);
    const label = LABEL_CODES[tokens[1] ?? ''];
    if (!Number.isInteger(n) || !label) throw new Error(`labels line ${i + 1}: expected "<number> <c|q|o> …", got ${JSON.stringify(raw)}`);
    let category: string | undefined;
    let hard = false;
    for (const tok of tokens.slice(2)) {
      if (tok === 'h') hard = true;
      else if (tok in CATEGORY_CODES || tok === NO_CATEGORY) category = tok;
      else throw new Error(`labels line ${i + 1}: unknown token ${JSON.stringify(tok)}`);
    }
    const note = noteParts.join('//').trim();
    out.push({ n, label, hard, ...(category ? { category } : {}), ...(note ? { note } : {}) });
  }
  return out;
}

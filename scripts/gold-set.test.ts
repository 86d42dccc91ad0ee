import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POS_CATEGORIES } from '../classify/baseline.js';
import { COMPLAINT_LABELS, eligibleComments, itemKey, parseLabelLines, readJsonl, reviewSet, sampleGold, threadKey, validateGold, type GoldRow,
  type SampleOptions, type VkRow } from './gold-set.js';

const repoRoot = resolve(new URL('..', import.meta.url).pathname);

function comment(sf: string, id: number, post: number, text: string, extra: Partial<VkRow> = {}): VkRow {
  return { source_file: sf, page: `page ${sf}`, item_id: String(id), post_id: String(post), type: 'comment', author_kind: '',
    date: `2024-01-${String(1 + (id % 28)).padStart(2, '0')}`, text, ...extra };
}

/** Two pages, 30 threads each, 1–9 distinct comments per thread. */
function corpus(): VkRow[] {
  const rows: VkRow[] = [];
  let id = 0;
  for (const sf of ['a.csv', 'b.csv']) {
    for (let t = 0; t < 30; t++) {
      rows.push({ source_file: sf, page: `page ${sf}`, item_id: String(1000 + t), post_id: '', type: 'post', author_kind: 'page', text: `post ${t}` });
      for (let k = 0; k <= t % 9; k++) rows.push(comment(sf, id++, 1000 + t, `${sf} thread ${t} comment ${k}`));
    }
  }
  return rows;
}

const options = (o: Partial<SampleOptions> = {}): SampleOptions => ({
  seed: 1,
  quota: {},
  maxPerThread: 5,
  testShare: 0.4,
  exclude: new Set(),
  forceTest: new Set(),
  ...o,
});

describe('eligibleComments', () => {
  it('drops posts, community accounts, empty texts and exact repeats (case and spacing ignored), keeping the first', () => {
    const rows = [
      comment('a', 1, 9, 'Готово'),
      comment('a', 2, 9, '  готово '),
      comment('a', 3, 9, 'Ответ страницы', { author_kind: 'page' }),
      { ...comment('a', 4, 9, 'Пост'), type: 'post' },
      comment('a', 5, 9, '   '),
      comment('a', 6, 9, 'Ответ страницы'),
      comment('a', 7, 9, 'Уже размечено'),
    ];
    const kept = eligibleComments(rows, new Set(['уже размечено']));
    expect(kept.map((r) => r.item_id)).toEqual(['1', '6']);
  });
});

describe('sampleGold', () => {
  it('is deterministic for a seed and never puts one thread on both sides', () => {
    const a = sampleGold(eligibleComments(corpus()), options());
    const b = sampleGold(eligibleComments(corpus()), options());
    expect(a).toEqual(b);
    const side = new Map<string, string>();
    for (const it of a) {
      expect(side.get(it.thread) ?? it.split).toBe(it.split);
      side.set(it.thread, it.split);
    }
    expect(new Set(a.map(itemKey)).size).toBe(a.length);
  });

  it('caps each thread, meets the quota with whole threads and deals about the test share per source', () => {
    const sample = sampleGold(eligibleComments(corpus()), options({ quota: { 'a.csv': 40 } }));
    const perThread = new Map<string, number>();
    for (const s of sample) perThread.set(s.thread, (perThread.get(s.thread) ?? 0) + 1);
    expect(Math.max(...perThread.values())).toBeLessThanOrEqual(5);
    const a = sample.filter((s) => s.source_file === 'a.csv');
    expect(a.length).toBeGreaterThanOrEqual(40);
    expect(a.length).toBeLessThan(40 + 5);
    const b = sample.filter((s) => s.source_file === 'b.csv');
    const testShare = b.filter((s) => s.split === 'test').length / b.length;
    expect(testShare).toBeGreaterThanOrEqual(0.4);
    expect(testShare).toBeLessThan(0.55);
  });

  it('sends forced threads to test and leaves excluded items out', () => {
    const rows = eligibleComments(corpus());
    const forced = threadKey(rows.find((r) => r.source_file === 'b.csv')!);
    const excluded = itemKey(rows[0]!);
    const sample = sampleGold(rows, options({ forceTest: new Set([forced]), exclude: new Set([excluded]) }));
    expect(sample.filter((s) => s.thread === forced).every((s) => s.split === 'test')).toBe(true);
    expect(sample.some((s) => itemKey(s) === excluded)).toBe(false);
  });
});

describe('validateGold', () => {
  const row = (id: string, thread: string, split: 'train' | 'test', label = 'other'): GoldRow => ({ source_file: 's', item_id: id, thread, split,
    label: label as GoldRow['label'] });
  it('accepts a consistent file', () => {
    expect(validateGold([row('1', 't1', 'train'), row('2', 't1', 'train'), row('3', 't2', 'test', 'complaint')])).toEqual([]);
  });
  it('reports a thread on both sides, a repeated item and an unknown label', () => {
    const problems = validateGold([row('1', 't1', 'train'), row('2', 't1', 'test'), row('2', 't1', 'test'), row('3', 't3', 'test', 'spam')]);
    expect(problems.some((p) => p.includes('both train and test'))).toBe(true);
    expect(problems.some((p) => p.includes('listed twice'))).toBe(true);
    expect(problems.some((p) => p.includes('unknown label'))).toBe(true);
  });
});

describe('parseLabelLines', () => {
  it('reads number, label, category, hard flag and note', () => {
    expect(parseLabelLines('0042 c жкх h // leak reported as a question\n\n0043 o\n')).toEqual([
      { n: 42, label: 'complaint', category: 'жкх', hard: true, note: 'leak reported as a question' },
      { n: 43, label: 'other', hard: false },
    ]);
  });
  it('rejects unknown labels and tokens with the line number', () => {
    expect(() => parseLabelLines('0001 x')).toThrow(/line 1/);
    expect(() => parseLabelLines('0001 c\n0002 c zzz')).toThrow(/line 2.*zzz/);
  });
});

describe('reviewSet', () => {
  it('holds every hard item and a seeded share of the rest', () => {
    const rows: GoldRow[] = Array.from({ length: 2000 },
      (_, i) => ({ source_file: 's', item_id: String(i), thread: `t${i}`, split: 'train', label: 'other', ...(i % 10 === 0 ? { hard: true } : {}) }));
    const set = reviewSet(rows);
    expect(rows.filter((r) => r.hard).every((r) => set.has(itemKey(r)))).toBe(true);
    const easyPicked = rows.filter((r) => !r.hard && set.has(itemKey(r))).length / 1800;
    expect(easyPicked).toBeGreaterThan(0.07);
    expect(easyPicked).toBeLessThan(0.13);
    expect(reviewSet(rows)).toEqual(set);
  });
});

// The committed label files (ids only): their invariants hold without the shared dataset.
describe('committed gold files', () => {
  const gold = readJsonl<GoldRow>(resolve(repoRoot, 'models/eval/complaint-gold.jsonl'));

  it('complaint-gold.jsonl: at least 2,000 items, test at least 800, no thread on both sides, only the three labels', () => {
    expect(validateGold(gold)).toEqual([]);
    expect(gold.length).toBeGreaterThanOrEqual(2000);
    expect(gold.filter((g) => g.split === 'test').length).toBeGreaterThanOrEqual(800);
    for (const l of COMPLAINT_LABELS) expect(gold.some((g) => g.label === l)).toBe(true);
    // The files hold ids only: no text may be republished.
    expect(gold.every((g) => !('text' in g))).toBe(true);
  });

  it('every hard item was re-read in the second pass, and a changed label keeps its first-pass value', () => {
    expect(gold.filter((g) => g.hard).every((g) => g.pass2)).toBe(true);
    expect(gold.filter((g) => g.pass1).every((g) => g.pass1 !== g.label && g.pass2)).toBe(true);
  });

  it('category-social-gold.jsonl: at least 300 gold complaints, each with one of the 15 ПОС categories', () => {
    const cats = readJsonl<{ source_file: string; item_id: string; category: string }>(resolve(repoRoot, 'models/eval/category-social-gold.jsonl'));
    const byKey = new Map(gold.map((g) => [itemKey(g), g]));
    expect(cats.length).toBeGreaterThanOrEqual(300);
    for (const c of cats) {
      expect(byKey.get(itemKey(c))?.label).toBe('complaint');
      expect(POS_CATEGORIES as readonly string[]).toContain(c.category);
    }
  });

  it('complaint-test-v2.jsonl re-labels exactly the 300 items of the old test set, keeping the old label beside the new', () => {
    const old = readFileSync(resolve(repoRoot, 'models/eval/complaint-test.jsonl'), 'utf8').trim().split('\n').map((l) =>
      JSON.parse(l) as { source_file: string; item_id: string; label: string }
    );
    const v2 = readJsonl<{ source_file: string; item_id: string; label: string; label_v1: string }>(resolve(repoRoot, 'models/eval/complaint-test-v2.jsonl'));
    expect(v2.map(itemKey)).toEqual(old.map(itemKey));
    expect(v2.map((r) => r.label_v1)).toEqual(old.map((r) => r.label));
    expect(v2.every((r) => (COMPLAINT_LABELS as readonly string[]).includes(r.label))).toBe(true);
  });

  it('complaint-extra.jsonl: training-only labels outside the gold set and its test threads, ids only, categories for its complaints', () => {
    const extra = readJsonl<GoldRow>(resolve(repoRoot, 'models/eval/complaint-extra.jsonl'));
    expect(validateGold(extra)).toEqual([]);
    expect(extra.length).toBeGreaterThanOrEqual(1000);
    expect(extra.every((e) => e.split === 'train' && !('text' in e))).toBe(true);
    const goldKeys = new Set(gold.map(itemKey));
    const testThreads = new Set(gold.filter((g) => g.split === 'test').map((g) => g.thread));
    expect(extra.filter((e) => goldKeys.has(itemKey(e)) || testThreads.has(e.thread))).toEqual([]);
    const cats = readJsonl<{ source_file: string; item_id: string; category: string }>(resolve(repoRoot, 'models/eval/category-social-extra.jsonl'));
    const byKey = new Map(extra.map((e) => [itemKey(e), e]));
    for (const c of cats) {
      expect(byKey.get(itemKey(c))?.label).toBe('complaint');
      expect(POS_CATEGORIES as readonly string[]).toContain(c.category);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { groupFolds, stratifiedFolds, stratifiedSplit } from './datasets.js';

const rows = [
  ...Array.from({ length: 50 }, (_, i) => ({ id: i, label: 'a' })),
  ...Array.from({ length: 23 }, (_, i) => ({ id: 50 + i, label: 'b' })),
  ...Array.from({ length: 3 }, (_, i) => ({ id: 73 + i, label: 'c' })),
];

describe('stratifiedFolds', () => {
  it('puts every row in exactly one fold, each label spread evenly over the folds', () => {
    const fold = stratifiedFolds(rows, (r) => r.label, 5, 42);
    expect(fold).toHaveLength(rows.length);
    for (const label of ['a', 'b']) {
      const counts = [0, 0, 0, 0, 0];
      rows.forEach((r, i) => {
        if (r.label === label) counts[fold[i]!]!++;
      });
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
    // Three rows of a rare label land in three different folds.
    expect(new Set(rows.flatMap((r, i) => (r.label === 'c' ? [fold[i]] : []))).size).toBe(3);
    const sizes = [0, 0, 0, 0, 0];
    for (const f of fold) sizes[f]!++;
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is reproducible by seed and shuffles differently for another seed', () => {
    expect(stratifiedFolds(rows, (r) => r.label, 5, 7)).toEqual(stratifiedFolds(rows, (r) => r.label, 5, 7));
    expect(stratifiedFolds(rows, (r) => r.label, 5, 7)).not.toEqual(stratifiedFolds(rows, (r) => r.label, 5, 8));
  });

  it('refuses fewer than two folds', () => {
    expect(() => stratifiedFolds(rows, (r) => r.label, 1, 1)).toThrow(/at least 2/);
  });
});

describe('stratifiedSplit', () => {
  it('holds out the fraction of each label, keeping a single-row label in training', () => {
    const { train, test } = stratifiedSplit([...rows, { id: 99, label: 'd' }], (r) => r.label, 0.2, 42);
    expect(test.filter((r) => r.label === 'a')).toHaveLength(10);
    expect(test.filter((r) => r.label === 'd')).toHaveLength(0);
    expect(train.length + test.length).toBe(rows.length + 1);
  });
});

describe('groupFolds', () => {
  const grouped = Array.from({ length: 200 }, (_, i) => ({ thread: `t${i % 37}` }));
  it('keeps each group in one fold, balances the folds and is deterministic for a seed', () => {
    const folds = groupFolds(grouped, (r) => r.thread, 5, 3);
    expect(groupFolds(grouped, (r) => r.thread, 5, 3)).toEqual(folds);
    const foldOfGroup = new Map<string, number>();
    grouped.forEach((r, i) => {
      expect(foldOfGroup.get(r.thread) ?? folds[i]).toBe(folds[i]);
      foldOfGroup.set(r.thread, folds[i]!);
    });
    const sizes = [0, 1, 2, 3, 4].map((f) => folds.filter((x) => x === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(6);
    expect(groupFolds(grouped, (r) => r.thread, 5, 4)).not.toEqual(folds);
  });
  it('refuses fewer than two folds', () => {
    expect(() => groupFolds(grouped, (r) => r.thread, 1, 3)).toThrow(/at least 2/);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressLine, throttledProgress } from './progress.js';

describe('training progress log', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('names the feature pass and each fit', () => {
    expect(progressLine({ epoch: 0, done: 2000, total: 3902 })).toBe('features: 2000/3902');
    expect(progressLine({ epoch: 2, done: 13, total: 63 })).toBe('fit 2: 13/63');
  });

  it('passes one event per interval, and always the last of a phase', () => {
    vi.useFakeTimers();
    vi.setSystemTime(10_000);
    const seen: number[] = [];
    const report = throttledProgress(1000, (p) => seen.push(p.done));
    report({ epoch: 1, done: 1, total: 5 });
    report({ epoch: 1, done: 2, total: 5 });
    vi.setSystemTime(11_500);
    report({ epoch: 1, done: 3, total: 5 });
    report({ epoch: 1, done: 4, total: 5 });
    report({ epoch: 1, done: 5, total: 5 });
    expect(seen).toEqual([1, 3, 5]);
  });
});

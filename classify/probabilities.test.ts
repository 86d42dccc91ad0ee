import { describe, expect, it } from 'vitest';
import { logSoftmax, softmax, softmaxInto, toPrediction, topIndices } from './probabilities.js';

describe('softmax family', () => {
  it('log-softmax is the log of softmax, and softmaxInto fills the given array', () => {
    const margins = [2.5, -1, 0.25, 0.25];
    const probs = softmax(margins, 3);
    logSoftmax(margins, 3).forEach((logP, k) => expect(logP).toBeCloseTo(Math.log(probs[k]!), 12));
    const out = new Float64Array(4);
    expect(softmaxInto(margins, 3, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(probs));
  });

  it('does not overflow on large margins', () => {
    const probs = softmax([1000, 999], 1);
    expect(probs[0]! + probs[1]!).toBeCloseTo(1, 12);
    expect(Number.isFinite(logSoftmax([1000, -1000], 5)[1]!)).toBe(true);
  });
});

describe('topIndices', () => {
  it('selects the largest values best first, ties in index order', () => {
    const order = new Int32Array(3);
    expect(topIndices([0.1, 0.4, 0.2, 0.4, 0.3], order)).toBe(3);
    expect(Array.from(order)).toEqual([1, 3, 4]);
  });

  it('returns fewer than asked when there are fewer values', () => {
    const order = new Int32Array(4);
    expect(topIndices([0.5, 0.7], order)).toBe(2);
    expect(Array.from(order.subarray(0, 2))).toEqual([1, 0]);
  });
});

describe('toPrediction', () => {
  it('lists the topK labels by probability, rounded to six decimals', () => {
    const p = toPrediction(Float64Array.from([0, 2, 1, 2]), ['a', 'b', 'c', 'd'], 1, 3);
    expect(p.top.map((t) => t.label)).toEqual(['b', 'd', 'c']);
    expect(p.label).toBe('b');
    expect(p.confidence).toBe(p.top[0]!.score);
    expect(p.top[0]!.score).toBe(Math.round(softmax([0, 2, 1, 2], 1)[1]! * 1e6) / 1e6);
  });

  it('never lists more labels than the model has', () => {
    expect(toPrediction(Float64Array.from([1, 0]), ['a', 'b'], 1, 5).top).toHaveLength(2);
  });
});

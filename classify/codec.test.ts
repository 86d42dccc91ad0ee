import { describe, expect, it } from 'vitest';
import { decodeVarints, decodeWeights, encodeVarints, quantizeWeights } from './codec.js';

describe('varints', () => {
  it('round-trips ascending ids with delta coding and plain counts', () => {
    const ids = [0, 1, 127, 128, 300, 70000, 1048575];
    expect(Array.from(decodeVarints(encodeVarints(ids, true), ids.length, true))).toEqual(ids);
    const counts = [5, 1, 200000, 3];
    expect(Array.from(decodeVarints(encodeVarints(counts, false), counts.length, false))).toEqual(counts);
    expect(() => encodeVarints([3, 2], true)).toThrow(/ascending/);
    expect(() => decodeVarints(encodeVarints([1, 2], false), 3, false)).toThrow(/truncated/);
  });
});

describe('quantizeWeights', () => {
  it('keeps one scale per class and decodes to exactly the in-memory weights', () => {
    const K = 2;
    const W = Float32Array.from([0.5, -2, -0.25, 1, 0.001, 0.5]);
    for (const enc of ['int8', 'int16', 'float32'] as const) {
      const { encoded, weights } = quantizeWeights(W, K, enc);
      const decoded = decodeWeights(encoded, W.length, K);
      expect(Array.from(decoded.values)).toEqual(Array.from(weights.values));
      expect(Array.from(decoded.scales)).toEqual(Array.from(weights.scales));
      const tol = enc === 'int8' ? 0.02 : 1e-4;
      W.forEach((w, i) => expect(Math.abs(weights.values[i]! * weights.scales[i % K]! - w)).toBeLessThanOrEqual(tol));
    }
    expect(quantizeWeights(W, K, 'int8').weights.values).toBeInstanceOf(Int8Array);
  });
});

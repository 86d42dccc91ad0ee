import { describe, expect, it } from 'vitest';
import { grow } from './buffers.js';

describe('grow', () => {
  it('keeps the content, at least doubles, and keeps the array type', () => {
    const a = Int32Array.from([1, 2, 3]);
    const b = grow(a, 4);
    expect(b).toBeInstanceOf(Int32Array);
    expect(b.length).toBe(6);
    expect(Array.from(b.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(grow(new Float64Array(2), 17).length).toBe(32);
    expect(grow(new Int32Array(0), 3).length).toBe(4);
  });
});

import { describe, expect, it } from 'vitest';
import { withoutNul } from './intake.js';

describe('withoutNul', () => {
  it('replaces U+0000 in every string, keys and the raw payload included, and copies only what changes', () => {
    const clean = { text: 'ok', raw: { list: [1, 'fine'] } };
    expect(withoutNul(clean)).toBe(clean);
    const dirty = { text: 'a\u0000b', raw: { list: [1, 'x\u0000'], 'k\u0000': null, keep: clean } };
    const out = withoutNul(dirty);
    expect(out).toEqual({ text: 'a\uFFFDb', raw: { list: [1, 'x\uFFFD'], 'k\uFFFD': null, keep: clean } });
    expect(out.raw.keep).toBe(clean);
    expect(dirty.text).toBe('a\u0000b');
  });
});

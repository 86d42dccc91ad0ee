import { describe, expect, it } from 'vitest';
import { availableBenches, parseBenchArgs } from './index.js';

describe('bench arguments', () => {
  it('separates bench names from --key value options', () => {
    expect(parseBenchArgs(['soak', '--posts', '100000', 'votes', '--quiet'])).toEqual({ names: ['soak', 'votes'],
      options: { posts: '100000', quiet: 'true' } });
    expect(parseBenchArgs([])).toEqual({ names: [], options: {} });
  });

  it('lists the benches but not helpers or tests', () => {
    const names = availableBenches();
    expect(names).toEqual(expect.arrayContaining(['analytics', 'classify', 'pipeline', 'soak', 'votes']));
    expect(names.some((n) => n.startsWith('_') || n.endsWith('.test') || n === 'index')).toBe(false);
  });
});

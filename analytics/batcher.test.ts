import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.js';

describe('createBatcher', () => {
  it('flushes on size and resolves each caller only after its rows are written', async () => {
    const written: number[][] = [];
    const b = createBatcher<number>({ insert: async (rows) => {
      written.push(rows);
    }, rowKey: String, maxRows: 3, intervalMs: 60_000 });
    const p1 = b.add([1, 2]);
    let p1Done = false;
    void p1.then(() => (p1Done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(p1Done).toBe(false);
    await Promise.all([p1, b.add([3])]);
    expect(written).toEqual([[1, 2, 3]]);
    await b.close();
  });

  it('flushes on the interval', async () => {
    const written: number[][] = [];
    const b = createBatcher<number>({ insert: async (rows) => {
      written.push(rows);
    }, rowKey: String, maxRows: 1000, intervalMs: 20 });
    await b.add([7]);
    expect(written).toEqual([[7]]);
    await b.close();
  });

  it('retries a failed insert with the same token, then succeeds', async () => {
    const tokens: string[] = [];
    let calls = 0;
    const b = createBatcher<number>({
      insert: async (_rows, token) => {
        tokens.push(token);
        if (++calls < 3) throw new Error('clickhouse down');
      },
      rowKey: String,
      intervalMs: 5,
      backoffMs: 1,
    });
    await b.add([1, 2, 3]);
    expect(calls).toBe(3);
    expect(new Set(tokens).size).toBe(1);
    await b.close();
  });

  it('rejects the callers when every attempt fails, so their queue jobs retry later', async () => {
    const b = createBatcher<number>({ insert: async () => {
      throw new Error('still down');
    }, rowKey: String, intervalMs: 5, attempts: 2, backoffMs: 1 });
    await expect(b.add([1])).rejects.toThrow('still down');
    await b.close();
  });

  it('flushes what it holds on close and refuses new rows afterwards', async () => {
    const written: number[][] = [];
    const b = createBatcher<number>({ insert: async (rows) => {
      written.push(rows);
    }, rowKey: String, intervalMs: 60_000 });
    const pending = b.add([4, 5]);
    await b.close();
    await pending;
    expect(written).toEqual([[4, 5]]);
    await expect(b.add([6])).rejects.toThrow(/closed/);
  });
});

import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

/** A run whose batches the test releases by hand, recording what each batch held. */
function heldRun() {
  const batches: { key: string; items: number[]; release: (fail?: boolean) => void }[] = [];
  const run = (key: string, items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push({ key, items, release: (fail) => (fail ? reject(new Error('boom')) : resolve(items.map((i) => `${key}:${i}`))) });
    });
  return { batches, run };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('group commit', () => {
  it('answers each caller with its own outcome, and gathers arrivals behind batches in flight into one batch', async () => {
    const { batches, run } = heldRun();
    const gc = createGroupCommit(run, { windowMs: 0, maxBatch: 100, maxInFlight: 1 });
    const first = gc.submit('p', 1);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    const later = [2, 3, 4, 5].map((i) => gc.submit('p', i));
    await tick();
    // Still one statement in flight: the four wait together.
    expect(batches).toHaveLength(1);
    expect(gc.stats()).toMatchObject({ pending: 4, inFlight: 1, inFlightBatches: 1 });
    batches[0]!.release();
    expect(await first).toBe('p:1');
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4, 5]]);
    batches[1]!.release();
    expect(await Promise.all(later)).toEqual(['p:2', 'p:3', 'p:4', 'p:5']);
    expect(gc.stats()).toMatchObject({ pending: 0, inFlight: 0, inFlightBatches: 0, batches: 2, items: 5 });
  });

  it('keys batch apart, caps a batch at maxBatch, and a failed batch fails only its own callers', async () => {
    const { batches, run } = heldRun();
    const gc = createGroupCommit(run, { windowMs: 0, maxBatch: 3, maxInFlight: 2 });
    const a = [1, 2, 3, 4, 5, 6, 7].map((i) => gc.submit('a', i));
    const settled = a.map((p) => p.then((v) => v, (e: Error) => `failed: ${e.message}`));
    const b = gc.submit('b', 9);
    await tick();
    expect(batches.map((x) => `${x.key}:${x.items.join(',')}`).sort()).toEqual(['a:1,2,3', 'a:4,5,6', 'b:9']);
    batches.find((x) => x.key === 'a' && x.items[0] === 1)!.release(true);
    expect(await settled[0]).toBe('failed: boom');
    await tick();
    // The failed batch's slot goes to the last waiting item.
    expect(batches.at(-1)!.items).toEqual([7]);
    for (const x of batches.slice(1)) x.release();
    expect(await Promise.all(settled)).toEqual(['failed: boom', 'failed: boom', 'failed: boom', 'a:4', 'a:5', 'a:6', 'a:7']);
    expect(await b).toBe('b:9');
  });
});

/** Timing helpers shared by the benches (and the vote storm's load generator, which runs in its own process). */

/** Milliseconds of `runs` calls of `fn`, one after another (no warm-up), sorted from fastest to slowest. */
export async function sortedDurations(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b);
}

/** The p-th percentile (0–100) of sorted values: the value at floor(p % of n), the last at most; 0 for none. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;

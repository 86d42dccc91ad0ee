/**
 * Group commit: requests that arrive together are written together. At a storm one statement per vote (or one
 * queue job per webhook) costs a round trip, a plan execution and a WAL flush (or a job through every stage) each;
 * one per batch pays those once for up to `maxBatch` items, while every caller still waits for the commit of its own
 * batch and hears its own outcome. Used by the vote path (workflow/polls/vote-batcher.ts) and the intake.
 */

export interface GroupCommitOptions {
  /**
   * How long the first item of an idle key waits for company. Zero flushes on the next turn of the event loop, so a
   * lone item is not delayed, but then batches grow only while earlier ones are in flight, which on loopback is about
   * a millisecond: a few milliseconds of window is what makes batches under a storm.
   */
  windowMs: number;
  /** Items per statement, at most. */
  maxBatch: number;
  /** Statements of one key in flight at once: the rest wait and join the next batch (that is what batches them). */
  maxInFlight: number;
}

export interface GroupCommitStats {
  /** Items waiting in memory for a batch. */
  pending: number;
  /** Items in statements sent and not yet answered. */
  inFlight: number;
  /** Statements sent and not yet answered. */
  inFlightBatches: number;
  batches: number;
  items: number;
}

export interface GroupCommit<I, O> {
  submit(key: string, item: I): Promise<O>;
  stats(): GroupCommitStats;
}

interface Waiter<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

interface KeyState<I, O> {
  pending: Waiter<I, O>[];
  inFlight: number;
  timer?: NodeJS.Timeout;
  scheduled: boolean;
}

/**
 * `run(key, items)` writes one batch and returns one outcome per item, in order. A failing run fails exactly the
 * callers of that batch (their request answers 5xx); nothing else is affected.
 */
export function createGroupCommit<I, O>(run: (key: string, items: I[]) => Promise<O[]>, opts: GroupCommitOptions): GroupCommit<I, O> {
  const keys = new Map<string, KeyState<I, O>>();
  const totals = { pending: 0, inFlight: 0, inFlightBatches: 0, batches: 0, items: 0 };

  const flush = (key: string, s: KeyState<I, O>) => {
    s.scheduled = false;
    if (s.timer) clearTimeout(s.timer);
    s.timer = undefined;
    while (s.pending.length && s.inFlight < opts.maxInFlight) {
      const batch = s.pending.splice(0, opts.maxBatch);
      totals.pending -= batch.length;
      totals.inFlight += batch.length;
      totals.inFlightBatches++;
      totals.batches++;
      totals.items += batch.length;
      s.inFlight++;
      let outcome: Promise<O[]>;
      try {
        outcome = run(key, batch.map((w) => w.item));
      } catch (err) {
        outcome = Promise.reject(err);
      }
      const settle = (answer: () => void) => {
        // Counted out before the callers hear back, so stats seen by a caller no longer include its batch.
        s.inFlight--;
        totals.inFlight -= batch.length;
        totals.inFlightBatches--;
        answer();
        // Whatever gathered while this batch was in flight goes now, as one batch.
        if (s.pending.length) flush(key, s);
        else if (s.inFlight === 0 && keys.get(key) === s) keys.delete(key);
      };
      outcome.then((results) =>
        settle(() => {
          if (results.length !== batch.length) {
            const err = new Error(`group commit: ${results.length} outcomes for ${batch.length} items`);
            batch.forEach((w) => w.reject(err));
          } else batch.forEach((w, i) => w.resolve(results[i]!));
        }), (err: unknown) => settle(() => batch.forEach((w) => w.reject(err))));
    }
  };

  const schedule = (key: string, s: KeyState<I, O>) => {
    if (s.scheduled || s.inFlight >= opts.maxInFlight) return;
    s.scheduled = true;
    if (opts.windowMs > 0) s.timer = setTimeout(() => flush(key, s), opts.windowMs);
    else setImmediate(() => flush(key, s));
  };

  return {
    submit(key, item) {
      let s = keys.get(key);
      if (!s) keys.set(key, s = { pending: [], inFlight: 0, scheduled: false });
      const state = s;
      return new Promise<O>((resolve, reject) => {
        state.pending.push({ item, resolve, reject });
        totals.pending++;
        if (state.pending.length >= opts.maxBatch && state.inFlight < opts.maxInFlight) flush(key, state);
        else schedule(key, state);
      });
    },
    stats: () => ({ ...totals }),
  };
}

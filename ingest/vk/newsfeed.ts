import type { API } from 'vk-io';
import type { Logger } from '../../lib/logger.js';
import type { IncomingMessage } from '../../lib/queues.js';
import { backoffMs, sleep } from '../backoff.js';
import type { CursorStore } from '../cursors.js';
import type { Intake } from '../intake.js';
import { normalizeVkWallPost } from './normalize.js';

export interface NewsfeedCursor {
  /** Lower bound (unix seconds) of the current sweep. */
  since: number;
  /** When the current sweep started; the next sweep searches from here (with an overlap). */
  sweepStart: number;
  /** VK's `next_from` while a sweep is paging; absent between sweeps. */
  nextFrom?: string;
}

export interface NewsfeedDeps {
  api: API;
  keywords: string[];
  ownGroupIds: number[];
  intake: Intake;
  cursors: CursorStore;
  salt: string;
  logger: Logger;
  intervalMs: number;
  /** How far back the very first sweep looks. */
  initialLookbackSeconds?: number;
  pageSize?: number;
  now?: () => Date;
}

const OVERLAP_SECONDS = 300;

/**
 * One sweep step for one keyword: pages through `newsfeed.search` with `start_from`, saving the cursor after
 * each page is enqueued. A restart resumes at the saved page; overlapping sweeps only produce duplicates, which
 * the deterministic ids absorb.
 */
export async function sweepKeyword(deps: NewsfeedDeps, keyword: string, signal?: AbortSignal,
  maxPages = 5): Promise<{ pages: number; items: number; done: boolean }>
{
  const key = `vk:newsfeed:${keyword}`;
  const nowS = () => Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
  let c = await deps.cursors.get<NewsfeedCursor>(key);
  if (!c) c = { since: nowS() - (deps.initialLookbackSeconds ?? 24 * 3600), sweepStart: nowS() };
  else if (!c.nextFrom) c = { since: c.since, sweepStart: nowS() };
  let pages = 0;
  let items = 0;
  while (pages < maxPages && !signal?.aborted) {
    const res = await deps.api.call('newsfeed.search', {
      q: keyword,
      count: deps.pageSize ?? 200,
      start_time: c.since,
      start_from: c.nextFrom,
      extended: 0,
    }) as { items?: unknown[]; next_from?: string };
    const page: IncomingMessage[] = [];
    for (const item of res.items ?? []) {
      const n = normalizeVkWallPost(item, { salt: deps.salt, ownGroupIds: deps.ownGroupIds, provenance: { via: 'newsfeed', keyword } });
      if (n.ok) page.push(n.message);
      else await deps.intake.stats.dropped('vk', n.reason);
      items++;
    }
    // A search page is one job; the cursor below is saved only after it is enqueued.
    if (page.length) await deps.intake.acceptMany(page);
    pages++;
    c = { ...c, nextFrom: res.next_from || undefined };
    if (!c.nextFrom) {
      c = { since: c.sweepStart - OVERLAP_SECONDS, sweepStart: c.sweepStart };
      await deps.cursors.set(key, c);
      return { pages, items, done: true };
    }
    await deps.cursors.set(key, c);
  }
  return { pages, items, done: false };
}

export function runNewsfeedMonitor(deps: NewsfeedDeps, signal: AbortSignal): Promise<void> {
  const log = deps.logger.child({ component: 'vk-newsfeed' });
  return (async () => {
    let failures = 0;
    while (!signal.aborted) {
      let pending = false;
      try {
        for (const keyword of deps.keywords) {
          if (signal.aborted) break;
          const r = await sweepKeyword(deps, keyword, signal);
          pending ||= !r.done;
        }
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        await deps.intake.stats.failed('vk');
        log.warn({ err: (err as Error).message }, 'newsfeed.search failed; will resume from the saved cursor');
        await sleep(backoffMs(failures), signal);
        continue;
      }
      // An unfinished sweep continues at once; a finished one waits for the schedule.
      if (!pending) await sleep(deps.intervalMs, signal);
    }
  })();
}

/**
 * Staff activity: the last time each user opened the desk or a case, recorded cheaply — at most one write per user
 * per minute (a per-process memory of recent writes skips the query, the row's own condition skips the write when
 * another process wrote it). What it feeds: the region's panel of organizations nobody looks at, and escalations.
 */
import type pg from 'pg';
import { touchActivity } from '../store/staff-activity.js';

export interface ActivityRecorder {
  /** Records that the user looked; never throws (a look that cannot be recorded must not fail the page). */
  touch(userId: string, what: 'desk' | 'case'): Promise<void>;
}

const MIN_INTERVAL_MS = 60_000;
const REMEMBERED = 10_000;

export function createActivityRecorder(db: pg.Pool, now: () => Date, onError?: (err: Error) => void): ActivityRecorder {
  const lastWrite = new Map<string, number>();
  return {
    async touch(userId, what) {
      const at = now();
      const last = lastWrite.get(userId);
      if (last !== undefined && at.getTime() - last < MIN_INTERVAL_MS && at.getTime() >= last) return;
      if (lastWrite.size >= REMEMBERED) lastWrite.clear();
      lastWrite.set(userId, at.getTime());
      try {
        await touchActivity(db, userId, what, at);
      } catch (err) {
        onError?.(err as Error);
      }
    },
  };
}

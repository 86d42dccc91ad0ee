/**
 * Comments under the region's group posts, polled through the REST API: `group.getStatTopics` lists a group's
 * recent posts (`{topics: [{id}]}`), `discussions.getComments` (discussionId, discussionType GROUP_TOPIC, anchor,
 * direction FORWARD) pages through each post's comments (`{comments, anchor, has_more}`). The anchor of every post
 * is saved once its page is enqueued, so a restart goes on where it stopped and loses nothing.
 */
import { z } from 'zod';
import type { Logger } from '../../lib/logger.js';
import { backoffMs, rateLimitOf, sleep } from '../backoff.js';
import type { CursorStore } from '../cursors.js';
import type { Intake } from '../intake.js';
import type { OkClient } from './api.js';
import { normalizeOkComment, okCommentSchema } from './normalize.js';
import type { IncomingMessage } from '../../lib/queues.js';

export interface OkCommentsDeps {
  rest: NonNullable<OkClient['rest']>;
  groupIds: string[];
  intake: Intake;
  cursors: CursorStore;
  salt: string;
  logger: Logger;
  intervalMs: number;
  /** How many of a group's latest posts are watched. */
  topicsPerGroup?: number;
  /** Pages of one post read in one sweep; the rest waits for the next. */
  maxPages?: number;
}

const topicsAnswer = z.object({ topics: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) }).loose()).nullish() }).loose();
const commentsAnswer = z.object({ comments: z.array(z.unknown()).nullish(), anchor: z.string().nullish(), has_more: z.boolean().nullish() }).loose();

/** One post: pages forward from its saved anchor (the oldest comments on first sight). */
export async function sweepTopic(deps: OkCommentsDeps, groupId: string, topicId: string, signal?: AbortSignal): Promise<number> {
  const key = `ok:comments:${groupId}:${topicId}`;
  let anchor = (await deps.cursors.get<{ anchor: string }>(key))?.anchor;
  let taken = 0;
  for (let page = 0; page < (deps.maxPages ?? 5) && !signal?.aborted; page++) {
    const answer = commentsAnswer.parse(await deps.rest('discussions.getComments', {
      discussionId: topicId,
      discussionType: 'GROUP_TOPIC',
      anchor: anchor ?? 'FIRST',
      direction: 'FORWARD',
      count: '100',
    }));
    const batch: IncomingMessage[] = [];
    for (const raw of answer.comments ?? []) {
      const c = okCommentSchema.safeParse(raw);
      const n = c.success ? normalizeOkComment(groupId, topicId, c.data, { salt: deps.salt }) : { ok: false as const, reason: 'invalid_comment' };
      if (n.ok) batch.push(n.message);
      else await deps.intake.stats.dropped('ok', n.reason);
    }
    if (batch.length) taken += (await deps.intake.acceptMany(batch)).accepted;
    if (answer.anchor && answer.anchor !== anchor) {
      anchor = answer.anchor;
      await deps.cursors.set(key, { anchor });
    }
    if (!answer.has_more) break;
  }
  return taken;
}

/** One sweep of one group: its latest posts, each from where the last sweep left it. */
export async function sweepGroup(deps: OkCommentsDeps, groupId: string, signal?: AbortSignal): Promise<number> {
  const topics = topicsAnswer.parse(await deps.rest('group.getStatTopics', { gid: groupId, count: String(deps.topicsPerGroup ?? 20), fields: 'ID' }));
  let taken = 0;
  for (const t of topics.topics ?? []) {
    if (signal?.aborted) break;
    taken += await sweepTopic(deps, groupId, t.id, signal);
  }
  return taken;
}

/** Sweeps every group every `intervalMs`, backing off while OK fails. */
export async function runOkCommentsMonitor(deps: OkCommentsDeps, signal: AbortSignal): Promise<void> {
  const log = deps.logger.child({ component: 'ok-comments' });
  let failures = 0;
  while (!signal.aborted) {
    try {
      for (const groupId of deps.groupIds) await sweepGroup(deps, groupId, signal);
      failures = 0;
      await sleep(deps.intervalMs, signal);
    } catch (err) {
      if (signal.aborted) break;
      failures++;
      await deps.intake.stats.failed('ok');
      const wait = rateLimitOf(err) ?? backoffMs(failures, 5000, deps.intervalMs);
      log.warn({ err: (err as Error).message, retryInMs: wait }, 'OK comments sweep failed; backing off');
      await sleep(wait, signal);
    }
  }
}

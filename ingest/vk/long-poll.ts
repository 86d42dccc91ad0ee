import type { API } from 'vk-io';
import type { Logger } from '../../lib/logger.js';
import type { IncomingMessage } from '../../lib/queues.js';
import type { CursorStore } from '../cursors.js';
import type { Intake } from '../intake.js';
import { pollUntilAborted } from '../poll-loop.js';
import { normalizeVkEvent } from './normalize.js';

export interface VkLongPollDeps {
  api: API;
  groupId: number;
  ownGroupIds: number[];
  intake: Intake;
  cursors: CursorStore;
  salt: string;
  logger: Logger;
  /** Seconds the server holds a request open (VK allows up to 90). */
  waitSeconds?: number;
  fetchImpl?: typeof fetch;
  /** Presses of the rating and repeat-review buttons (citizen-buttons.ts); true when the event was one. */
  buttons?: (event: { type: string; object: unknown }) => Promise<boolean>;
}

interface LongPollAnswer {
  ts?: string | number;
  updates?: { type: string; object: unknown; group_id?: number; event_id?: string }[];
  failed?: number;
}

/**
 * Bots Long Poll for one community. The `ts` cursor is saved only after every update of a batch is enqueued, so
 * a restart repeats at most one batch (idempotent) and skips nothing still kept by VK.
 */
export function runVkLongPoll(deps: VkLongPollDeps, signal: AbortSignal): Promise<void> {
  const log = deps.logger.child({ component: 'vk-long-poll', groupId: deps.groupId });
  const key = `vk:longpoll:${deps.groupId}`;
  const doFetch = deps.fetchImpl ?? fetch;
  return (async () => {
    let server: { server: string; key: string } | undefined;
    let ts = (await deps.cursors.get<{ ts: string }>(key))?.ts;
    await pollUntilAborted({ network: 'vk', stats: deps.intake.stats, log, what: 'VK long poll' }, signal, async () => {
      if (!server) {
        const s = await deps.api.call('groups.getLongPollServer', { group_id: deps.groupId }) as { server: string; key: string; ts: string | number };
        server = { server: s.server, key: s.key };
        ts ??= String(s.ts);
      }
      const url = `${server.server}?act=a_check&key=${encodeURIComponent(server.key)}&ts=${encodeURIComponent(ts!)}&wait=${deps.waitSeconds ?? 25}`;
      const res = await doFetch(url, { signal });
      if (res.status === 429 || res.status >= 500) throw new Error(`long poll server answered ${res.status}`);
      const answer = (await res.json()) as LongPollAnswer;
      if (answer.failed !== undefined) {
        // 1: history lost, continue from the new ts; 2: key expired; 3: key and history lost.
        if (answer.failed === 1 && answer.ts !== undefined) ts = String(answer.ts);
        else server = undefined;
        if (answer.failed === 3) ts = undefined;
        if (answer.failed === 1) log.warn({}, 'VK long poll history was lost; some events may be missing');
        return 'again';
      }
      // The whole answer is one page: one job for its messages instead of one per update.
      const page: IncomingMessage[] = [];
      for (const u of answer.updates ?? []) {
        // A failed press throws: the batch is polled again from the same ts (the desk counts a rating once).
        if (await deps.buttons?.({ type: u.type, object: u.object })) continue;
        const n = normalizeVkEvent({ type: u.type, object: u.object, group_id: u.group_id ?? deps.groupId }, { salt: deps.salt, ownGroupIds: deps.ownGroupIds,
          provenance: { via: 'longpoll' } });
        if (n.ok) page.push(n.message);
        else await deps.intake.stats.dropped('vk', n.reason);
      }
      if (page.length) await deps.intake.acceptMany(page);
      if (answer.ts !== undefined) {
        ts = String(answer.ts);
        await deps.cursors.set(key, { ts });
      }
    });
  })();
}

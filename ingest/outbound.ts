import { createHash } from 'node:crypto';
import { DelayedError, type Job } from 'bullmq';
import type pg from 'pg';
import type { Telegram } from 'telegraf';
import type { API } from 'vk-io';
import type { Logger } from '../lib/logger.js';
import { openOutbound, parsePayload, type OutboundMessage } from '../lib/queues.js';
import type { Sealer } from '../lib/seal.js';
import { dlq, drop, ok, type Outcome, type WorkerSpec } from '../lib/workers.js';
import { rateLimitOf } from './backoff.js';
import type { StatsStore } from './stats.js';
import { pollMessage, ratingKeyboard, type PollBallotBox } from './telegram/bot.js';

export interface OutboundDeps {
  db: pg.Pool;
  stats: StatsStore;
  logger: Logger;
  /** Community API (group token); absent when VK is off. */
  vk?: { api: API; groupIds: number[] };
  telegram?: Telegram;
  /** For pushed polls: the poll's current questions and options, to build its keyboard. */
  polls?: Pick<PollBallotBox, 'poll'>;
  /** Opens the recipient, which crosses Redis sealed (lib/seal.ts). */
  sealer: Sealer;
}

/** messages.send wants a positive int32 random_id; deriving it from the outboundId lets VK drop a resend. */
export function vkRandomId(outboundId: string): number {
  return createHash('sha256').update(outboundId).digest().readUInt32BE(0) & 0x7fffffff;
}

export type Delivery = { status: 'sent' | 'recorded'; externalRef?: string };

/** Delivers one outbound message on its channel; throws on faults (a rate limit is a RateLimited fault). */
export async function deliver(deps: OutboundDeps, m: OutboundMessage): Promise<Delivery | { off: string }> {
  const t = m.target;
  if (m.source === 'vk') {
    if (!deps.vk) return { off: 'VK is not configured (VK_GROUP_TOKEN)' };
    if (t.peerId) {
      const id = await deps.vk.api.call('messages.send', { peer_id: Number(t.peerId), message: m.text, random_id: vkRandomId(m.outboundId) });
      return { status: 'sent', externalRef: `msg${t.peerId}_${String(id)}` };
    }
    if (t.topicId && t.groupId) {
      const r = await deps.vk.api.call('board.createComment', { group_id: Number(t.groupId), topic_id: Number(t.topicId), message: m.text, from_group: 1, guid: m.outboundId });
      return { status: 'sent', externalRef: `board${t.groupId}_${t.topicId}_${String(r)}` };
    }
    if (t.ownerId && t.postId) {
      const owner = Number(t.ownerId);
      // Replies speak for the community whose wall it is, or the first configured one for posts elsewhere.
      const fromGroup = owner < 0 && deps.vk.groupIds.includes(-owner) ? -owner : deps.vk.groupIds[0];
      const r = await deps.vk.api.call('wall.createComment', {
        owner_id: owner, post_id: Number(t.postId), message: m.text, from_group: fromGroup,
        reply_to_comment: t.commentId ? Number(t.commentId) : undefined, guid: m.outboundId,
      }) as { comment_id?: number };
      return { status: 'sent', externalRef: `wall${owner}_${t.postId}_c${r.comment_id ?? ''}` };
    }
    throw new TargetError('vk target needs peerId, ownerId+postId or groupId+topicId');
  }
  if (m.source === 'telegram') {
    if (!deps.telegram) return { off: 'Telegram is not configured (TELEGRAM_BOT_TOKEN)' };
    if (!t.chatId) throw new TargetError('telegram target needs chatId');
    if (m.kind === 'poll') {
      if (!deps.polls) return { off: 'polls are not wired into this ingest process' };
      const poll = await deps.polls.poll(m.pollId!);
      if (!poll) throw new TargetError(`poll ${m.pollId} is not public`);
      const p = pollMessage(poll, m.text);
      const sent = await deps.telegram.sendMessage(t.chatId, p.text, p.extra);
      return { status: 'sent', externalRef: `${t.chatId}:${sent.message_id}` };
    }
    const withRating = m.kind === 'answer' || m.kind === 'rating_request';
    const sent = await deps.telegram.sendMessage(t.chatId, m.text, {
      ...(t.replyToMessageId ? { reply_parameters: { message_id: Number(t.replyToMessageId), allow_sending_without_reply: true } } : {}),
      ...(withRating && m.messageId ? ratingKeyboard(m.messageId) : {}),
    });
    return { status: 'sent', externalRef: `${t.chatId}:${sent.message_id}` };
  }
  // Widget and 122: no e-mail/SMS gateway here; the delivery is recorded and shown on the citizen's status page.
  if (!t.phone && !t.email) throw new TargetError(`${m.source} target needs phone or email`);
  return { status: 'recorded' };
}

class TargetError extends Error {}

export function createOutboundWorker(deps: OutboundDeps): WorkerSpec {
  const log = deps.logger.child({ component: 'outbound' });
  const channelOf = (s: OutboundMessage['source']) => s;
  return {
    queue: 'outbound',
    concurrency: 5,
    async processor(data, job: Job): Promise<Outcome> {
      const sealed = parsePayload('outbound', data);
      let m: OutboundMessage;
      try {
        m = openOutbound(deps.sealer, sealed);
      } catch (err) {
        return dlq(`recipient does not open: ${(err as Error).message}`);
      }
      const done = await deps.db.query('select 1 from outbound_deliveries where outbound_id = $1', [m.outboundId]);
      if (done.rowCount) return drop('already_delivered');
      let result: Awaited<ReturnType<typeof deliver>>;
      try {
        result = await deliver(deps, m);
      } catch (err) {
        if (err instanceof TargetError) return dlq(err.message);
        const wait = rateLimitOf(err);
        if (wait !== undefined && job.token) {
          // The network asked us to slow down: come back after its hint without spending an attempt.
          log.warn({ outboundId: m.outboundId, source: m.source, retryInMs: wait }, 'rate limited; delivery delayed');
          await deps.stats.rateLimited(channelOf(m.source));
          await job.moveToDelayed(Date.now() + wait, job.token);
          throw new DelayedError();
        }
        await deps.stats.failed(channelOf(m.source));
        throw err;
      }
      if ('off' in result) return dlq(result.off);
      await deps.db.query(
        `insert into outbound_deliveries (outbound_id, message_id, case_id, source, kind, target, text, status, external_ref, poll_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (outbound_id) do nothing`,
        [m.outboundId, m.messageId ?? null, m.caseId ?? null, m.source, m.kind, JSON.stringify(m.target), m.text, result.status, result.externalRef ?? null, m.pollId ?? null],
      );
      await deps.stats.sent(channelOf(m.source));
      return ok({ delivered: result.status, externalRef: result.externalRef });
    },
  };
}

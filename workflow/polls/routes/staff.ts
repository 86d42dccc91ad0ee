/** Staff build and schedule polls, push open ones to Telegram chats, and read the counts. */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../../lib/api-builder.js';
import { pgInt } from '../../../lib/request-schemas.js';
import { uuidV5 } from '../../../lib/ids.js';

import type { Sealer } from '../../../lib/seal.js';
import { requireStaff, type PollsContext } from '../api.js';
import { pollInputSchema, POLL_STATUSES, type Poll } from '../model.js';
import { chatsOfMunicipality, createPoll, listPolls, loadPoll, transitionPoll, updateDraft } from '../store.js';
import { countedVotes, voteTotals } from '../vote-store.js';
import { countedRow, pageOf, poll as pollAnswer, staffPollItem, totals } from './responses.js';
import { idParams, page } from './schemas.js';
import { sealOutbound } from '../../../lib/sealed-payloads.js';

/** One job per chat, with an id per poll and chat: a repeated push (or a retried request) is deduplicated by the queue and delivery log. */
const pushJobs = (sealer: Sealer, poll: Poll, municipality: string, chats: string[]) =>
  chats.map((chatId) => {
    const outboundId = uuidV5(`poll-push:${poll.id}:telegram:${chatId}`);
    // Sealed on the way through Redis, as every reply is: the job names the recipient's chat.
    const data = sealOutbound(sealer, { outboundId, source: 'telegram', kind: 'poll', pollId: poll.id, text: `Голосование для жителей: ${municipality}`,
      target: { chatId } });
    return { name: 'poll', data, opts: { jobId: `outbound-${outboundId}` } };
  });

export function registerStaffPollRoutes(api: ApiBuilder, ctx: PollsContext): void {
  const { db, deps } = ctx;
  api.route({ method: 'post', path: '/api/v1/polls', tag: 'polls', summary: 'Create a poll (draft) with its questions.',
    roles: 'region administrator, moderator', body: pollInputSchema, status: 201, response: pollAnswer, errors: [] }, async ({ user, body }) => {
    requireStaff(user);
    const id = await createPoll(db, body, user.id, { actor: user.id, entity: 'poll', action: 'created', changes: { title: body.title } });
    return { body: await loadPoll(db, id) };
  });

  // Drafts and counts before the results are published are the poll managers': others read the public polls API.
  api.route({ method: 'get', path: '/api/v1/polls', tag: 'polls', summary: 'Polls with their counted votes, drafts included.',
    roles: 'region administrator, moderator', query: z.object({ status: z.enum(POLL_STATUSES).optional(), ...page }), response: pageOf(staffPollItem),
    errors: [] }, async ({ user, query }) => {
    requireStaff(user);
    const items = await listPolls(db, { statuses: query.status ? [query.status] : undefined, limit: query.limit, offset: query.offset });
    return { body: { items, limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'get', path: '/api/v1/polls/:id', tag: 'polls', summary: 'A poll (a draft too) with live vote totals.',
    roles: 'region administrator, moderator', params: idParams, response: pollAnswer.extend({ totals }), errors: { 404: 'No such poll' } },
    async ({ user, params }) => {
      requireStaff(user);
      return { body: { ...(await ctx.staffPoll(params.id)), totals: await voteTotals(db, params.id) } };
    });

  api.route({ method: 'put', path: '/api/v1/polls/:id', tag: 'polls', summary: 'Replace a draft poll.', roles: 'region administrator, moderator',
    params: idParams, body: pollInputSchema, response: pollAnswer, errors: { 404: 'No such poll', 409: 'The poll is not a draft' } },
    async ({ user, params, body }) => {
      requireStaff(user);
      const r = await updateDraft(db, params.id, body, { actor: user.id, entity: 'poll', entityId: params.id, action: 'updated',
        changes: { title: body.title } });
      if (!r.ok) throw new HttpError(r.code, r.error);
      ctx.pollCache.forget(params.id);
      return { body: r.poll };
    });

  api.route({ method: 'post', path: '/api/v1/polls/:id/status', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Move the schedule: draft → published → open → closed → results_published (published → draft allowed).', params: idParams,
    body: z.object({ to: z.enum(POLL_STATUSES), expectedVersion: pgInt.min(0).optional() }), response: pollAnswer,
    errors: { 404: 'No such poll', 409: 'Stale expectedVersion, or a move the schedule does not allow' } }, async ({ user, params, body }) => {
    requireStaff(user);
    const r = await transitionPoll(db, params.id, body.to, body.expectedVersion, { actor: user.id, entity: 'poll', entityId: params.id, action: 'status',
      changes: { to: body.to } });
    if (!r.ok) throw new HttpError(r.code, r.error);
    ctx.pollCache.forget(params.id);
    deps.logger?.info({ pollId: params.id, to: body.to, actor: user.id }, 'poll status changed');
    return { body: r.poll };
  });

  api.route({ method: 'post', path: '/api/v1/polls/:id/push', tag: 'polls', roles: 'region administrator, moderator',
    summary:
      'Send an open poll with its voting keyboard to the Telegram chats of one municipality (subscribers and appellants). Repeating a push sends nothing twice.',
    params: idParams, body: z.object({ municipality: z.string().trim().min(1).max(300) }), status: 202,
    response: z.object({ municipality: z.string(), chats: z.number().int().describe('Chats the poll was queued for') }),
    errors: { 404: 'No such poll', 409: 'The poll is not open', 503: 'The outbound queue is not available in this process' } },
    async ({ user, params, body }) => {
      requireStaff(user);
      const poll = await ctx.staffPoll(params.id);
      if (poll.status !== 'open') throw new HttpError(409, 'only an open poll can be pushed');
      if (poll.municipalities.length > 0 && !poll.municipalities.includes(body.municipality)) {
        throw new HttpError(400, 'municipality: the poll is not held there');
      }
      if (!deps.queues) throw new HttpError(503, 'the outbound queue is not available in this process');
      const chats = await chatsOfMunicipality(db, body.municipality);
      const jobs = pushJobs(ctx.sealer, poll, body.municipality, chats);
      for (let i = 0; i < jobs.length; i += 500) await deps.queues.outbound.addBulk(jobs.slice(i, i + 500));
      deps.logger?.info({ pollId: poll.id, chats: chats.length, actor: user.id }, 'poll pushed');
      return { body: { municipality: body.municipality, chats: chats.length } };
    });

  api.route({ method: 'get', path: '/api/v1/polls/:id/counts', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Live counted votes per question and option from PostgreSQL (quarantined votes excluded).', params: idParams,
    response: z.object({ totals, rows: z.array(countedRow) }), errors: { 404: 'No such poll' } }, async ({ user, params }) => {
    requireStaff(user);
    await ctx.staffPoll(params.id);
    return { body: { totals: await voteTotals(db, params.id), rows: await countedVotes(db, params.id) } };
  });
}

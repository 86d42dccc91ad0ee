/** What citizens do without a staff account: read published polls, vote once, join the discussion. */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../../lib/api-builder.js';
import { CAST_MESSAGES, PUBLIC_STATUSES, publicPoll, type PollsContext } from '../api.js';
import { insertCitizenComment, commentExists, listComments } from '../discussion-store.js';
import type { Voter } from '../identity.js';
import { ballotSchema, VOTE_CHANNELS, type VoteChannel } from '../model.js';
import { listPolls } from '../store.js';
import { castVote } from '../vote-store.js';
import { pageOf, publicComment, publicPoll as publicPollAnswer, publicPollItem } from './responses.js';
import { idParams, page } from './schemas.js';

const NOT_VERIFIED = 'No valid voter token: verify by a one-time code first';
const THROTTLED = 'Too many requests from this address or voter; Retry-After says when to try again';

/** Casts a vote and maps its outcome to the answer the voter sees. */
async function vote(ctx: PollsContext, pollId: string, voter: Voter, channel: VoteChannel, ballot: z.infer<typeof ballotSchema>, network: string) {
  const cached = await ctx.pollCache.get(pollId);
  if (!cached) throw new HttpError(404, CAST_MESSAGES.not_found.error);
  const r = await castVote(ctx.db, { pollId, identityHash: voter.identityHash, provider: voter.provider, channel, ballot, networkHash: network,
    now: ctx.now() }, cached, (p) => (p ? ctx.pollCache.remember(p) : ctx.pollCache.forget(pollId)), ctx.batcher.write);
  if (r.status === 'accepted') {
    ctx.deps.relay?.nudge();
    return { voteId: r.voteId,
      message: r.pendingTexts ? 'Спасибо! Ваш голос учтён, текстовые ответы будут опубликованы после модерации.' : 'Спасибо! Ваш голос учтён.' };
  }
  if (r.status === 'invalid') throw new HttpError(400, r.error);
  const refusal = CAST_MESSAGES[r.status];
  throw new HttpError(refusal.status, refusal.error);
}

export function registerPublicPollRoutes(api: ApiBuilder, ctx: PollsContext): void {
  const { db } = ctx;
  api.route({ method: 'get', path: '/api/v1/public/polls', tag: 'polls (public)', auth: false, summary: 'Published polls, optionally for one municipality.',
    query: z.object({ municipality: z.string().max(300).optional(), ...page }), response: pageOf(publicPollItem), errors: [] }, async ({ query }) => {
    const items = await listPolls(db, { statuses: PUBLIC_STATUSES, municipality: query.municipality, limit: query.limit, offset: query.offset });
    return { body: { items: items.map(({ votes: _v, ...p }) => p), limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'get', path: '/api/v1/public/polls/:id', tag: 'polls (public)', auth: false, summary: 'One published poll with its questions.',
    params: idParams, response: publicPollAnswer, errors: { 404: 'No such published poll' } },
    async ({ params }) => ({ body: publicPoll(await ctx.publicPollOr404(params.id)) }));

  api.route({ method: 'post', path: '/api/v1/public/polls/:id/votes', tag: 'polls (public)', auth: false, hot: true,
    summary: 'Vote (one vote per verified person per poll across all channels; 409 for a second vote or a closed poll).', params: idParams,
    body: ballotSchema.extend({ channel: z.enum(VOTE_CHANNELS).exclude(['telegram']).default('page') }), status: 201,
    response: z.object({ voteId: z.uuid(), message: z.string() }),
    errors: { 401: NOT_VERIFIED, 404: 'No such poll', 409: 'This person voted in the poll already, or it does not take votes now', 429: THROTTLED } },
    async ({ params, body, req }) => {
      const ip = ctx.clientIp(req);
      ctx.throttle(ctx.limiters.ip, `ip:${ip}`);
      const voter = await ctx.voterOf(req);
      ctx.throttle(ctx.limiters.identity, `id:${voter.identityHash}`);
      return { body: await vote(ctx, params.id, voter, body.channel, body, ctx.networkHash(ip)) };
    });

  api.route({ method: 'get', path: '/api/v1/public/polls/:id/comments', tag: 'polls (public)', auth: false,
    summary: 'Published discussion comments and official replies.', params: idParams, query: z.object(page), response: pageOf(publicComment),
    errors: { 404: 'No such published poll' } }, async ({ params, query }) => {
    await ctx.publicPollOr404(params.id);
    const items = await listComments(db, params.id, { status: 'published', withStatus: false, limit: query.limit, offset: query.offset });
    return { body: { items, limit: query.limit, offset: query.offset } };
  });

  api.route({ method: 'post', path: '/api/v1/public/polls/:id/comments', tag: 'polls (public)', auth: false,
    summary: 'Comment in the discussion (verified voters; published after moderation).', params: idParams,
    body: z.object({ text: z.string().trim().min(2).max(5000), parentId: z.uuid().optional(), name: z.string().trim().max(100).optional() }), status: 201,
    response: z.object({ id: z.uuid(), status: z.literal('pending'), message: z.string() }),
    errors: { 401: NOT_VERIFIED, 404: 'No such published poll', 409: 'The discussion is over (results published)', 429: THROTTLED } },
    async ({ params, body, req }) => {
      ctx.throttle(ctx.limiters.ip, `ip:${ctx.clientIp(req)}`);
      const voter = await ctx.voterOf(req);
      ctx.throttle(ctx.limiters.identity, `id:${voter.identityHash}`);
      const poll = await ctx.publicPollOr404(params.id);
      if (poll.status === 'results_published') throw new HttpError(409, 'Обсуждение завершено');
      if (body.parentId && !(await commentExists(db, params.id, body.parentId, true))) {
        throw new HttpError(400, 'Комментарий, на который вы отвечаете, не найден');
      }
      const id = await insertCitizenComment(db, { pollId: params.id, parentId: body.parentId, identityHash: voter.identityHash, name: body.name ?? 'Житель',
        text: body.text });
      return { body: { id, status: 'pending', message: 'Комментарий появится после модерации.' } };
    });
}

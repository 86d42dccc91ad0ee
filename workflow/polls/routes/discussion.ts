/** Staff moderate free-text answers and citizens' comments, and reply in the discussion as officials. */
import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../../lib/api-builder.js';
import { requireStaff, type PollsContext } from '../api.js';
import { commentExists, insertOfficialComment, listComments, listTextAnswers, moderateComment, moderateTextAnswer } from '../discussion-store.js';
import { itemsOf, okAnswer, staffComment, textAnswer } from './responses.js';
import { idParams, page } from './schemas.js';

export function registerDiscussionRoutes(api: ApiBuilder, ctx: PollsContext): void {
  const { db } = ctx;
  api.route({ method: 'get', path: '/api/v1/polls/:id/answers', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Free-text answers by moderation state.', params: idParams,
    query: z.object({ moderation: z.enum(['pending', 'approved', 'rejected']).default('pending'), ...page }), response: itemsOf(textAnswer), errors: [] },
    async ({ user, params, query }) => {
      requireStaff(user);
      return { body: { items: await listTextAnswers(db, params.id, query) } };
    });

  api.route({ method: 'post', path: '/api/v1/polls/:id/answers/moderate', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Approve or reject a free-text answer.', params: idParams,
    body: z.object({ voteId: z.uuid(), questionId: z.uuid(), decision: z.enum(['approved', 'rejected']) }), response: okAnswer,
    errors: { 404: 'No such free-text answer in this poll' } }, async ({ user, params, body }) => {
    requireStaff(user);
    if (!(await moderateTextAnswer(db, { pollId: params.id, ...body }))) throw new HttpError(404, 'answer not found');
    return { body: { ok: true } };
  });

  api.route({ method: 'get', path: '/api/v1/polls/:id/comments', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Discussion comments by state.', params: idParams,
    query: z.object({ status: z.enum(['pending', 'published', 'rejected']).default('pending'), ...page }), response: itemsOf(staffComment), errors: [] },
    async ({ user, params, query }) => {
      requireStaff(user);
      return { body: { items: await listComments(db, params.id, { ...query, withStatus: true }) } };
    });

  api.route({ method: 'post', path: '/api/v1/polls/:id/comments/:commentId/moderate', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Publish or reject a citizen comment.', params: z.object({ id: z.uuid(), commentId: z.uuid() }),
    body: z.object({ decision: z.enum(['published', 'rejected']) }), response: okAnswer, errors: { 404: 'No such comment in this poll' } },
    async ({ user, params, body }) => {
      requireStaff(user);
      if (!(await moderateComment(db, { pollId: params.id, commentId: params.commentId, decision: body.decision, userId: user.id }))) {
        throw new HttpError(404, 'comment not found');
      }
      return { body: { ok: true } };
    });

  // An official reply speaks for the region and skips moderation: only those who run polls post one.
  api.route({ method: 'post', path: '/api/v1/polls/:id/comments', tag: 'polls', roles: 'region administrator, moderator',
    summary: "An official's reply or statement in the discussion (published at once, signed with the official's name).", params: idParams,
    body: z.object({ text: z.string().trim().min(2).max(10_000), parentId: z.uuid().optional() }), status: 201, response: z.object({ id: z.uuid() }),
    errors: { 404: 'No such poll' } }, async ({ user, params, body }) => {
    requireStaff(user);
    await ctx.staffPoll(params.id);
    if (body.parentId && !(await commentExists(db, params.id, body.parentId, false))) throw new HttpError(400, 'parentId: no such comment in this poll');
    const id = await insertOfficialComment(db, { pollId: params.id, parentId: body.parentId, userId: user.id, name: user.displayName, text: body.text });
    return { body: { id } };
  });
}

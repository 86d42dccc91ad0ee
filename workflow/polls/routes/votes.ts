/** Staff watch the votes of a poll: suspicious bursts, quarantine and release with an audit trail. */
import { z } from 'zod';
import type { ApiBuilder } from '../../../lib/api-builder.js';
import { requireStaff, type PollsContext } from '../api.js';
import { detectBursts, listVotes, setVoteState, voteAudit } from '../vote-store.js';
import { auditEntry, burst, itemsOf, pageOf, vote, voteStateChange } from './responses.js';
import { idParams, page } from './schemas.js';

const stateBody = z.object({ voteIds: z.array(z.uuid()).min(1).max(10_000), reason: z.string().trim().min(3).max(2000) });

export function registerVoteRoutes(api: ApiBuilder, ctx: PollsContext): void {
  const { db, deps } = ctx;
  api.route({ method: 'get', path: '/api/v1/polls/:id/votes', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Votes without identities: channel, municipality, network, state.', params: idParams,
    query: z.object({ status: z.enum(['accepted', 'quarantined']).optional(), ...page }), response: pageOf(vote), errors: [] },
    async ({ user, params, query }) => {
      requireStaff(user);
      return { body: { items: await listVotes(db, params.id, query), limit: query.limit, offset: query.offset } };
    });

  api.route({ method: 'get', path: '/api/v1/polls/:id/bursts', tag: 'polls', roles: 'region administrator, moderator',
    summary: 'Suspicious bursts: many votes from one network, or from newly verified identities, within 10 minutes.', params: idParams,
    response: itemsOf(burst), errors: { 404: 'No such poll' } }, async ({ user, params }) => {
    requireStaff(user);
    await ctx.staffPoll(params.id);
    const threshold = ctx.limits.burstThreshold;
    const items = await detectBursts(db, params.id, { windowMinutes: 10, networkThreshold: threshold, newAccountThreshold: threshold, newAccountMinutes: 60 });
    return { body: { items } };
  });

  for (const action of ['quarantine', 'release'] as const) {
    api.route({ method: 'post', path: `/api/v1/polls/:id/votes/${action}`, tag: 'polls', roles: 'region administrator, moderator',
      summary: action === 'quarantine'
        ? 'Quarantine votes: they leave the published count; each gets an audit entry.'
        : 'Release quarantined votes back into the count (audited).', params: idParams, body: stateBody, response: voteStateChange,
      errors: { 404: 'No such poll' } }, async ({ user, params, body }) => {
      requireStaff(user);
      await ctx.staffPoll(params.id);
      const r = await setVoteState(db, { pollId: params.id, voteIds: body.voteIds, action, actorId: user.id, reason: body.reason, now: ctx.now() });
      deps.relay?.nudge();
      deps.logger?.info({ pollId: params.id, action, changed: r.changed.length, actor: user.id }, 'votes state changed');
      return { body: r };
    });
  }

  api.route({ method: 'get', path: '/api/v1/polls/:id/audit', tag: 'polls', roles: 'region administrator, moderator', summary: 'Quarantine audit trail.',
    params: idParams, query: z.object(page), response: itemsOf(auditEntry), errors: [] }, async ({ user, params, query }) => {
    requireStaff(user);
    return { body: { items: await voteAudit(db, params.id, query) } };
  });
}

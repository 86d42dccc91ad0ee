import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { sameToken } from '../../lib/http.js';
import type { Logger } from '../../lib/logger.js';
import type { Intake } from '../intake.js';
import { acceptOrAskAgain } from '../webhook-intake.js';
import { normalizeOkMessage, okWebhookSchema } from './normalize.js';

export interface OkWebhookDeps {
  intake: Intake;
  salt: string;
  /** The secret path segment: OK signs nothing it posts, so the address itself is the credential. */
  secret: string;
  /** The groups whose messages are taken (those with a Bot API key in OK_GROUPS). */
  groupIds: string[];
  logger: Logger;
}

/**
 * Group messages webhook (apiok.ru graph.user.subscribe): OK posts each chat event of a group as JSON and wants 200
 * within 5 seconds, else it delivers the event again (for up to 8 hours). OK has no signature or secret header for
 * it, so each group is subscribed at `/webhooks/ok/<groupId>/<OK_WEBHOOK_SECRET>`: a request with another secret or
 * group is refused (403) before its body is read, and nothing is stored. We enqueue before answering 200; a
 * redelivery maps to the same message id and is counted as a duplicate.
 */
export function registerOkWebhook(api: ApiBuilder, deps: OkWebhookDeps): void {
  const log = deps.logger.child({ component: 'ok-webhook' });
  const groups = new Set(deps.groupIds);
  api.route({ method: 'post', path: '/webhooks/ok/:groupId/:secret', tag: 'ingest channels', auth: false,
    summary: 'Одноклассники group messages webhook: one chat event of a group (a message to the group becomes an appeal).',
    description: 'Authenticated by its address: `secret` is OK_WEBHOOK_SECRET, `groupId` one of the groups in OK_GROUPS with a Bot API key. ' +
      'Answers 200 once the message is queued; anything else makes OK deliver it again.',
    params: z.object({ groupId: z.string().max(30), secret: z.string().max(300) }), body: okWebhookSchema, anyContentType: true, bodyLimit: 1024 * 1024,
    keepNul: true, response: z.object({}), invalidInput: (issues) => `invalid OK webhook event: ${issues}`,
    errors: { 403: 'Wrong secret or a group not configured in OK_GROUPS', 503: 'The queue is unavailable; OK retries' }, guardBeforeBody: true,
    guard: async (req) => {
      const { groupId, secret } = req.params as { groupId?: string; secret?: string };
      if (!sameToken(secret ?? '', deps.secret) || !groups.has(groupId ?? '')) {
        await deps.intake.stats.dropped('ok', 'bad_secret');
        throw new HttpError(403, 'wrong secret or unknown group');
      }
    } }, async ({ params, body }) => {
    await acceptOrAskAgain(deps.intake, 'ok', normalizeOkMessage(params.groupId, body, { salt: deps.salt }), log, 'an OK message');
    return { body: {} };
  });
}

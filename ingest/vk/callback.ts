import { z } from 'zod';
import { HttpError, type ApiBuilder } from '../../lib/api-builder.js';
import { sameToken } from '../../lib/http.js';
import type { Logger } from '../../lib/logger.js';
import type { Intake } from '../intake.js';
import { acceptOrAskAgain } from '../webhook-intake.js';
import { normalizeVkEvent } from './normalize.js';

export interface VkCallbackDeps {
  intake: Intake;
  salt: string;
  /** One code for every community, or per community id. */
  confirmation: string | Map<number, string>;
  /** The community's "Secret key": required, an event without it is anyone's forgery (ingest refuses to start without). */
  secret: string;
  /** The communities accepted; empty accepts none. */
  groupIds: number[];
  logger: Logger;
  /** Presses of the rating and repeat-review buttons (citizen-buttons.ts); true when the event was one. */
  buttons?: (event: { type: string; object: unknown }) => Promise<boolean>;
}

const callbackSchema = z.object({
  type: z.string().min(1),
  group_id: z.number().int().positive(),
  event_id: z.string().optional(),
  v: z.string().optional(),
  object: z.unknown().optional(),
  secret: z.string().optional(),
});

/** `VK_CALLBACK_CONFIRMATION`: "code" or "groupId:code,groupId:code". */
export function parseConfirmation(value: string): string | Map<number, string> {
  if (!/^\s*\d+\s*:/.test(value)) return value;
  return new Map(value.split(',').map((pair) => {
    const [id, code] = pair.split(':').map((x) => x.trim());
    return [Number(id), code ?? ''] as [number, string];
  }));
}

/**
 * VK Callback API: VK posts each community event and wants the text "ok" back, otherwise it redelivers. We
 * enqueue before answering, so "ok" means the message is safely in Redis; a redelivery maps to the same
 * messageId and is counted as a duplicate.
 */
export function registerVkCallback(api: ApiBuilder, deps: VkCallbackDeps): void {
  const log = deps.logger.child({ component: 'vk-callback' });
  api.route({ method: 'post', path: '/webhooks/vk', tag: 'ingest channels', auth: false,
    summary: 'VK Callback API: one community event (wall posts and comments, messages), or the server confirmation.',
    description: 'The community proves itself with `secret` in the body (VK_CALLBACK_SECRET). Answers the text "ok" once the event is queued, ' +
      'or the confirmation code to a `confirmation` event; anything else makes VK deliver the event again.', body: callbackSchema, anyContentType: true,
    invalidInput: (issues) => `invalid VK callback: ${issues}`, bodyLimit: 1024 * 1024, keepNul: true,
    produces: { 'text/plain': '"ok", or the confirmation code' },
    errors: { 403: 'Community not configured, wrong secret, or no confirmation code for it', 503: 'The queue is unavailable; VK retries' } },
    async ({ body: event }) => {
      const ok = { content: { type: 'text/plain; charset=utf-8', data: 'ok' } };
      if (!deps.groupIds.includes(event.group_id)) {
        await deps.intake.stats.dropped('vk', 'unknown_group');
        throw new HttpError(403, `community ${event.group_id} is not configured in VK_GROUP_IDS`);
      }
      // Only the confirmation handshake may come without the secret: it reveals the confirmation code and nothing else.
      if (!(event.secret !== undefined ? sameToken(event.secret, deps.secret) : event.type === 'confirmation')) {
        await deps.intake.stats.dropped('vk', 'bad_secret');
        log.warn({ groupId: event.group_id }, 'VK callback with a wrong secret');
        throw new HttpError(403, 'wrong secret');
      }
      if (event.type === 'confirmation') {
        const code = typeof deps.confirmation === 'string' ? deps.confirmation : deps.confirmation.get(event.group_id);
        if (!code) throw new HttpError(403, `no confirmation code for community ${event.group_id}`);
        return { content: { type: 'text/plain; charset=utf-8', data: code } };
      }
      if (deps.buttons) {
        try {
          if (await deps.buttons({ type: event.type, object: event.object })) return ok;
        } catch (err) {
          log.error({ err: (err as Error).message }, 'could not take a VK button press');
          throw new HttpError(503, 'could not take the button press, retry later');
        }
      }
      const n = normalizeVkEvent({ type: event.type, object: event.object, group_id: event.group_id }, { salt: deps.salt, ownGroupIds: deps.groupIds,
        provenance: { via: 'callback' } });
      await acceptOrAskAgain(deps.intake, 'vk', n, log, 'a VK event');
      return ok;
    });
}

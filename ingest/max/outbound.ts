import type { OutboundMessage } from '../../lib/queues.js';
import { networkAdapter, TargetError, type OutboundAdapter } from '../outbound-adapter.js';
import { ratingButtons } from '../dialog/dialog.js';
import { withLinks } from '../vk/outbound.js';
import { MaxRefusedError, type MaxClient } from './api.js';
import { maxKeyboard, splitText } from './messages.js';

/**
 * Bot messages (POST /messages?chat_id= | user_id=): a reply quoting the citizen's message (`link: {type: reply,
 * mid}`), with the 1–5 rating buttons under an answer. A comment under a channel post is answered under the same post
 * (POST /messages/{postId}/comments, `link: {type: reply, mid: commentId}`): comments take no buttons. A rate limit
 * delays the job (the outbound worker waits MAX's pause without spending an attempt); a chat or post MAX refuses (the
 * bot was blocked, the chat or post is gone, comments are off) dead-letters it.
 */
export function createMaxOutbound(client: MaxClient | undefined): OutboundAdapter {
  return networkAdapter('max', { network: 'MAX', settings: 'MAX_BOT_TOKEN' }, client, async (client, m) => {
    const t = m.target;
    if (t.postId) return deliverComment(client, m);
    const address = t.chatId ? { chat_id: Number(t.chatId) } : t.userId ? { user_id: Number(t.userId) } : undefined;
    if (!address || !Number.isSafeInteger(address.chat_id ?? address.user_id)) throw new TargetError('max target needs a numeric chatId or userId');
    // A reply in a public thread (a signal's answer) carries no rating buttons: those are for an appeal's author.
    const withRating = (m.kind === 'answer' || m.kind === 'rating_request') && m.audience !== 'public' && m.messageId;
    const parts = splitText(withLinks(m));
    let mid = '';
    try {
      for (const [i, text] of parts.entries()) {
        const last = i === parts.length - 1;
        const sent = await client.call((api) =>
          api.raw.messages.send({
            ...address,
            text,
            ...(i === 0 && t.replyToMid ? { link: { type: 'reply' as const, mid: t.replyToMid } } : {}),
            ...(last && withRating ? { attachments: [maxKeyboard(ratingButtons(m.messageId!))] } : {}),
          })
        );
        mid = sent?.message?.body?.mid ?? mid;
      }
    } catch (err) {
      throw refused(err);
    }
    return { status: 'sent', externalRef: `${t.chatId ?? `user${t.userId}`}:${mid}` };
  });
}

/** A post's id as the comments API takes it in its path (dev.max.ru: `(mid.)?[a-zA-Z0-9_-]+`). */
const POST_ID = /^(?:mid\.)?[\w-]{1,200}$/;

async function deliverComment(client: MaxClient, m: OutboundMessage): Promise<{ status: 'sent'; externalRef: string }> {
  const { postId, commentId } = m.target;
  if (!POST_ID.test(postId!)) throw new TargetError('max target postId is not a MAX post id');
  let mid = '';
  try {
    for (const [i, text] of splitText(withLinks(m)).entries()) {
      const sent = await client.call((api) =>
        api.raw.comments.send({
          messageId: postId!,
          text,
          ...(i === 0 && commentId ? { link: { type: 'reply' as const, mid: commentId } } : {}),
        })
      );
      mid = sent?.message?.body?.mid ?? mid;
    }
  } catch (err) {
    throw refused(err);
  }
  return { status: 'sent', externalRef: `post${postId}:${mid}` };
}

/** MAX refused the address (not our token): the job ends in the dead-letter queue instead of being retried. */
const refused = (err: unknown) => (err instanceof MaxRefusedError && err.status !== 401 ? new TargetError(err.message) : err);

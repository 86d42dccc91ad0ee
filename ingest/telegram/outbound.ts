import type { Telegram } from 'telegraf';
import { networkAdapter, TargetError, type OutboundAdapter } from '../outbound-adapter.js';
import { withLinks } from '../vk/outbound.js';
import { pollMessage, ratingKeyboard, type PollBallotBox } from './bot.js';

/** Bot messages: a reply quoting the citizen's message, with rating buttons under an answer; pushed polls with their keyboard. */
export function createTelegramOutbound(telegram: Telegram | undefined, polls?: Pick<PollBallotBox, 'poll'>): OutboundAdapter {
  return networkAdapter('telegram', { network: 'Telegram', settings: 'TELEGRAM_BOT_TOKEN' }, telegram, async (telegram, m) => {
    const t = m.target;
    if (!t.chatId) throw new TargetError('telegram target needs chatId');
    if (m.kind === 'poll') {
      if (!polls) throw new TargetError('polls are not wired into this ingest process');
      const poll = await polls.poll(m.pollId!);
      if (!poll) throw new TargetError(`poll ${m.pollId} is not public`);
      const p = pollMessage(poll, m.text);
      const sent = await telegram.sendMessage(t.chatId, p.text, p.extra);
      return { status: 'sent', externalRef: `${t.chatId}:${sent.message_id}` };
    }
    // A reply in a public thread (a signal's answer) carries no rating buttons: those are for an appeal's author.
    const withRating = (m.kind === 'answer' || m.kind === 'rating_request') && m.audience !== 'public';
    const sent = await telegram.sendMessage(t.chatId, withLinks(m), {
      ...(t.replyToMessageId ? { reply_parameters: { message_id: Number(t.replyToMessageId), allow_sending_without_reply: true } } : {}),
      ...(withRating && m.messageId ? ratingKeyboard(m.messageId) : {}),
    });
    return { status: 'sent', externalRef: `${t.chatId}:${sent.message_id}` };
  });
}

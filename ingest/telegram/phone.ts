/**
 * `/phone`: a citizen shares their own phone number with the bot so polls count them as that phone (one person, one
 * vote, on the site and in Telegram). Telegram confirms the number is the sender's own by setting the contact's
 * user_id; a forwarded contact of someone else is refused by the ballot box (workflow/polls/identity.ts).
 */
import type { Message } from '@telegraf/types';
import { Markup, type Telegram } from 'telegraf';
import { CITIZEN_TEXTS } from '../citizen-actions.js';

/** A one-time reply keyboard whose button shares the user's own contact (Telegram confirms the number is theirs). */
export const phoneKeyboard = () => Markup.keyboard([[Markup.button.contactRequest(CITIZEN_TEXTS.phoneButton)]]).oneTime().resize();

/** What polls need to count a Telegram voter as their phone (main.ts hands the ballot box). */
export interface PhoneLinker {
  linkTelegramPhone(input: { fromId: number; isBot: boolean; contact: { userId?: number; phoneNumber: string } }): Promise<{ ok: boolean; message: string }>;
}

export interface PhoneDeps {
  polls?: Partial<PhoneLinker>;
  send(chatId: number, text: string, extra?: Parameters<Telegram['sendMessage']>[2]): Promise<unknown>;
}

/** A contact shared in the private chat: only the user's own (Telegram sets its user_id) links their phone. */
export async function onSharedContact(deps: PhoneDeps, m: Message.ContactMessage): Promise<void> {
  const from = m.from;
  if (!deps.polls?.linkTelegramPhone || !from) return;
  const r = await deps.polls.linkTelegramPhone({ fromId: from.id, isBot: from.is_bot,
    contact: { userId: m.contact.user_id, phoneNumber: m.contact.phone_number } });
  await deps.send(m.chat.id, r.message, Markup.removeKeyboard());
}

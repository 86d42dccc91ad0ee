/**
 * What citizens do about their case from a channel's buttons (Telegram, VK): the texts they are answered with and
 * the workflow's desk the channels call, typed here so ingest never imports workflow/ (main.ts hands the desk in).
 */
import type { Source } from '../lib/queues.js';

export const CITIZEN_TEXTS = {
  thanksRating: (n: number) => `Спасибо за оценку! Вы поставили ${n} из 5.`,
  ratingNotYours: 'Оценить ответ может только автор обращения.',
  ratingNotAwaited: 'Это обращение сейчас не ожидает оценки.',
  ratingAlreadyGiven: 'Вы уже оценили этот ответ.',
  ratingUnavailable: 'Оценки сейчас не принимаются. Попробуйте позже.',
  repeatOffer: 'Если ответ вас не устроил, можно попросить о повторном рассмотрении: обращение рассмотрят ещё раз с новым сроком.',
  repeatButton: 'Попросить о повторном рассмотрении',
  repeatAccepted: 'Запрос принят: обращение направлено на повторное рассмотрение. Мы сообщим новый срок.',
  repeatNotYours: 'Попросить о повторном рассмотрении может только автор обращения.',
  repeatNotAwaited: 'Сейчас повторное рассмотрение запросить нельзя.',
  repeatNotLow: 'Повторное рассмотрение можно запросить после оценки от 1 до 3.',
  repeatAlready: 'Повторное рассмотрение уже запрошено.',
  phoneAsk: 'Чтобы голоса с вашего номера на сайте и из Telegram считались одним, поделитесь номером кнопкой ниже.',
  phoneButton: 'Поделиться номером',
};

/**
 * What the bot needs of the workflow to take a rating or a repeat-review request: main.ts hands it the workflow's
 * citizen desk, which acts only for the case's author on the case's channel (ingest never imports workflow/).
 */
export interface RatingDesk {
  rate(
    a: { messageId: string; source: Source; authorHash: string; channelUserId?: string; rating: number },
  ): Promise<{ accepted: true; repeatReviewOffered: boolean } | { accepted: false; reason: 'not-author' | 'not-awaiting' | 'duplicate' }>;
  requestRepeatReview(
    a: { messageId: string; source: Source; authorHash: string; channelUserId?: string },
  ): Promise<{ accepted: true } | { accepted: false; reason: 'not-author' | 'not-awaiting' | 'rating-not-low' | 'duplicate' }>;
}

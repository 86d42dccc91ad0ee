/**
 * What the citizen is told at each stage, and where: the texts (Russian) and the channel address derived from the
 * message the case came from. Pure, so the wording and the addressing rules are unit-tested.
 */
import { SMS_MAX_CHARS, type Attachment, type CaseStatus, type DeliveryChannel, type OutboundMessage, type Source } from '../lib/queues.js';
import { DEFAULT_TIME_ZONE } from '../lib/region-config.js';
import { formatDate } from '../lib/region-time.js';

export interface MessageOrigin {
  source: Source;
  externalId: string;
  provenance: Record<string, string>;
  contact: { phone?: string | null; email?: string | null; channelUserId?: string | null };
}

/**
 * The reply address on the original channel (see the `target` conventions in lib/queues.ts). VK external ids are
 * `wall<owner>_<post>[_c<comment>]`, `msg<peer>_<id>` and `board<group>_<topic>_<id>`; Telegram ones `<chatId>:<messageId>`; other
 * networks (MAX, Одноклассники) give it as `reply.*` provenance. Undefined when the message left no way back (an
 * anonymous call): the citizen then learns the outcome on the status page only.
 */
export function replyTarget(origin: MessageOrigin): Record<string, string> | undefined {
  const clean = (t: Record<string, string | null | undefined>) => {
    const out = Object.fromEntries(Object.entries(t).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
    return Object.keys(out).length ? out : undefined;
  };
  switch (origin.source) {
    case 'vk': {
      if (origin.provenance.peerId) return { peerId: origin.provenance.peerId };
      const wall = /^wall(-?\d+)_(\d+)(?:_c(\d+))?$/.exec(origin.externalId);
      if (wall) return clean({ ownerId: wall[1], postId: wall[2], commentId: wall[3] });
      const msg = /^msg(\d+)_\d+$/.exec(origin.externalId);
      if (msg) return { peerId: msg[1]! };
      const board = /^board(\d+)_(\d+)_\d+$/.exec(origin.externalId);
      if (board) return { groupId: board[1]!, topicId: board[2]! };
      if (origin.provenance.ownerId && origin.provenance.postId) {
        return clean({ ownerId: origin.provenance.ownerId, postId: origin.provenance.postId, commentId: origin.provenance.commentId });
      }
      return undefined;
    }
    case 'telegram': {
      const chat = /^(-?\d+):(\d+)$/.exec(origin.externalId);
      if (chat) return { chatId: chat[1]!, replyToMessageId: chat[2]! };
      const chatId = origin.provenance.chatId ?? origin.contact.channelUserId ?? undefined;
      return chatId ? { chatId } : undefined;
    }
    case 'widget':
    case 'contact_center':
      return clean({ phone: origin.contact.phone, email: origin.contact.email });
    default:
      return networkReplyTarget(origin.provenance);
  }
}

/** Where the citizen's notices go: the network they wrote on, or for the widget and the 122 the contact they left. */
export interface CitizenAddress {
  channel: DeliveryChannel;
  target: Record<string, string>;
  /**
   * Only the citizen reads what is sent (e-mail, SMS, a private chat with the bot, a VK community dialog), as opposed
   * to a public wall, topic or group: the status page link, whose token lets its holder rate, goes only here.
   */
  private: boolean;
  /** The channel carries rating and repeat-review buttons (a private chat with the bot, a VK community dialog). */
  buttons: boolean;
}

/** VK peer ids from 2·10⁹ up are group conversations; Telegram's negative chat ids are groups and channels. */
const VK_CHAT_PEERS = 2_000_000_000;

/**
 * The channel and address of a case's notices; undefined when the citizen left no way back (staff see that on the case
 * page). A widget or 122 citizen who left both gets e-mail: it carries the answer's text and links in full.
 */
export function citizenAddress(origin: MessageOrigin): CitizenAddress | undefined {
  const target = replyTarget(origin);
  if (!target) return undefined;
  if (origin.source === 'telegram') {
    const personal = !target.chatId!.startsWith('-');
    return { channel: 'telegram', target, private: personal, buttons: personal };
  }
  if (origin.source === 'vk') {
    const dialog = !!target.peerId && Number(target.peerId) < VK_CHAT_PEERS;
    return { channel: 'vk', target, private: dialog, buttons: dialog };
  }
  if (origin.source !== 'widget' && origin.source !== 'contact_center') {
    // MAX and Одноклассники: the bot's or the group's private chat is the citizen's own; group chats, channels and
    // comments under posts are read by everyone.
    const personal = origin.provenance.via === 'bot' || origin.provenance.via === 'message';
    return { channel: origin.source as DeliveryChannel, target, private: personal, buttons: false };
  }
  if (target.email) return { channel: 'email', target: { email: target.email }, private: true, buttons: false };
  return target.phone ? { channel: 'sms', target: { phone: target.phone }, private: true, buttons: false } : undefined;
}

/** Networks added later name their reply address in the provenance under `reply.<key>` (lib/queues.ts). */
function networkReplyTarget(provenance: Record<string, string>): Record<string, string> | undefined {
  const target = Object.fromEntries(Object.entries(provenance).filter(([k, v]) => k.startsWith('reply.') && v !== '').map(([k, v]) => [k.slice(6), v]));
  return Object.keys(target).length ? target : undefined;
}

/** A date as the region's people read it: in the region's time zone (a term ending at 23:59 there is that day, not the next). */
export const ruDate = (d: Date, timeZone = DEFAULT_TIME_ZONE) => formatDate(d, timeZone);

type Link = { title: string; url: string };

export interface NotifyContext {
  registrationNumber: string;
  deadlineAt: Date;
  /** The region's zone the dates are printed in. */
  timeZone?: string;
  organizationName?: string | null;
  reason?: string | null;
  answerText?: string | null;
  /** The answer's attachments: those with a web address are sent as links. */
  answerAttachments?: Attachment[];
  /** The rating the citizen just gave. */
  rating?: number | null;
  /** The case's public status page with its secret token (workflow/status-link.ts), when known. */
  statusUrl?: string;
}

type Kind = OutboundMessage['kind'];

export interface CitizenNotice {
  kind: Kind;
  /** E-mail subject. */
  subject: string;
  text: string;
  links?: Link[];
}

/** The steps the citizen is told about: case statuses, and the named moments that keep a status (a redirect, a low rating). */
export type NoticeStep = CaseStatus | 'registered' | 'redirected' | 'rated_low';

const KIND_NAMES: Record<string, string> = { photo: 'Фото', video: 'Видео', document: 'Документ', audio: 'Аудио', link: 'Ссылка', other: 'Вложение' };

/** Attachments that a citizen can open: web addresses, named by their kind (at most 19: a message carries 20 links). */
export function attachmentLinks(attachments: Attachment[] = []): Link[] {
  return attachments.filter((a) => a.ref.startsWith('https://') || a.ref.startsWith('http://')).slice(0, 19)
    .map((a, i) => ({ title: `${KIND_NAMES[a.kind] ?? 'Вложение'} ${i + 1}`, url: a.ref }));
}

/** An outbound text holds 10,000 characters; a longer answer is cut, and the status page has it whole. */
const ANSWER_MAX = 9_000;
const clipped = (text: string) => (text.length <= ANSWER_MAX ? text : `${text.slice(0, ANSWER_MAX)}… (полный текст — на странице обращения)`);

const statusLink = (c: NotifyContext, title = 'Ход рассмотрения') => (c.statusUrl ? [{ title, url: c.statusUrl }] : []);

/**
 * The citizen is told about the stages they care about; internal steps (a draft saved, a draft returned for
 * rework) stay internal, because telling them would only add noise and expose the organisation's kitchen.
 */
function stageNotices(step: NoticeStep, c: NotifyContext): CitizenNotice[] {
  const n = c.registrationNumber;
  const number = `№ ${n}`;
  const date = (d: Date) => ruDate(d, c.timeZone);
  const org = c.organizationName ? ` в «${c.organizationName}»` : '';
  const one = (kind: Kind, subject: string, text: string,
    links: Link[] = statusLink(c)): CitizenNotice[] => [{ kind, subject, text, ...(links.length ? { links } : {}) }];
  switch (step) {
    case 'registered':
      return one('registered', `Обращение № ${n} зарегистрировано`,
        `Ваше сообщение зарегистрировано, номер ${n}. Срок рассмотрения — до ${date(c.deadlineAt)}.`);
    case 'routed':
      return one('status', `Обращение № ${n} направлено на рассмотрение`, `Сообщение ${number} прошло модерацию и направлено на рассмотрение${org}.`);
    case 'redirected':
      return one('status', `Обращение № ${n} перенаправлено`,
        `Сообщение ${number} перенаправлено${org} по компетенции. Срок рассмотрения не меняется — до ${date(c.deadlineAt)}.`);
    case 'rejected':
      return one('rejection', `Обращение № ${n} отклонено`, `Сообщение ${number} отклонено. Причина: ${c.reason ?? 'не указана'}.`);
    case 'assigned':
      return one('status', `Обращение № ${n} принято в работу`, `Сообщение ${number} принято в работу, назначен ответственный исполнитель.`);
    case 'on_approval':
      return one('status', `Обращение № ${n}: ответ на согласовании`, `Ответ на сообщение ${number} подготовлен и проходит согласование.`);
    case 'answered':
      return [
        { kind: 'answer', subject: `Ответ на обращение № ${n}`, text: `Ответ на сообщение ${number}:\n\n${clipped(c.answerText ?? '')}`,
          links: [...attachmentLinks(c.answerAttachments), ...statusLink(c, 'Оценить ответ')] },
        ...one('rating_request', `Оцените ответ на обращение № ${n}`,
          `Пожалуйста, оцените ответ на сообщение ${number} от 1 до 5. Если оценка низкая (1–3), вы можете попросить о повторном рассмотрении.`,
          statusLink(c, 'Оценить ответ')),
      ];
    case 'rated_low':
      return one('status', `Повторное рассмотрение обращения № ${n}`,
        `Спасибо за оценку ${
          c.rating ?? ''
        } из 5. Если ответ на сообщение ${number} вас не устроил, вы можете попросить о повторном рассмотрении на странице обращения.`,
        statusLink(c, 'Попросить о повторном рассмотрении'));
    case 'repeat_review':
      return one('status', `Обращение № ${n} на повторном рассмотрении`,
        `Сообщение ${number} направлено на повторное рассмотрение. Новый срок — до ${date(c.deadlineAt)}.`);
    case 'closed':
      return one('status', `Рассмотрение обращения № ${n} завершено`, `Рассмотрение сообщения ${number} завершено. Спасибо за обращение!`);
    default:
      return [];
  }
}

/**
 * The answer by SMS: its text, cut at a word to fit one SMS with the status page link (where the whole text, the
 * attachments and the rating are), and that link. The adapter would cut too, but mid-word and without saying so.
 */
function smsAnswer(answer: CitizenNotice, c: NotifyContext): CitizenNotice {
  const hasAttachments = attachmentLinks(c.answerAttachments).length > 0;
  const links = statusLink(c, hasAttachments ? 'Полный ответ, вложения и оценка' : 'Полный ответ и оценка');
  const head = `Ответ на сообщение № ${c.registrationNumber}: `;
  const text = (c.answerText ?? '').replace(/\s+/g, ' ').trim();
  const room = SMS_MAX_CHARS - head.length - links.reduce((n, l) => n + l.title.length + l.url.length + 3, 0);
  return { ...answer, text: `${head}${shortened(text, room)}`, links };
}

/** `text` in at most `room` characters: whole if it fits, else cut after the last whole word with «…». */
export function shortened(text: string, room: number): string {
  if (text.length <= room) return text;
  const cut = text.slice(0, Math.max(1, room - 1));
  const space = cut.lastIndexOf(' ');
  return `${(space > cut.length / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The notices of one step on one channel. An SMS carries the answer shortened, with the status page link for the rest;
 * the answer is rated there, so the rating request does not come as a second SMS. Where the channel has rating buttons, the bot
 * itself offers a repeat review after a low rating.
 */
export function citizenNotices(step: NoticeStep, c: NotifyContext,
  address: Pick<CitizenAddress, 'channel' | 'buttons' | 'private'> = { channel: 'telegram', buttons: true, private: true }): CitizenNotice[]
{
  // On a public wall, topic or group the status page link would let anyone rate the answer: it and the offer that needs
  // it stay out, and so does the request to rate, which the citizen could not act on there (a Telegram group's author
  // still has the 1–5 buttons the bot puts under the answer itself).
  if (!address.private) {
    if (step === 'rated_low') return [];
    return citizenNotices(step, { ...c, statusUrl: undefined }, { ...address, private: true }).filter((n) => n.kind !== 'rating_request');
  }
  if (step === 'rated_low' && address.buttons) return [];
  const notices = stageNotices(step, c);
  if (address.channel !== 'sms' || step !== 'answered' || !c.statusUrl) return notices;
  return [smsAnswer(notices[0]!, c)];
}

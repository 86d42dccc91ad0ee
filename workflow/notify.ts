/**
 * What the citizen is told at each stage, and where: the texts (Russian) and the channel address derived from the
 * message the case came from. Pure, so the wording and the addressing rules are unit-tested.
 */
import type { CaseStatus, OutboundMessage, Source } from '../lib/queues.js';
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
 * `wall<owner>_<post>[_c<comment>]`, `msg<peer>_<id>` and `board<group>_<topic>_<id>`; Telegram ones `<chatId>:<messageId>`. Undefined when the
 * message left no way back (an anonymous call): the citizen then learns the outcome on the status page only.
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
  }
}

/** A date as the region's people read it: in the region's time zone (a term ending at 23:59 there is that day, not the next). */
export const ruDate = (d: Date, timeZone = DEFAULT_TIME_ZONE) => formatDate(d, timeZone);

export interface NotifyContext {
  registrationNumber: string;
  deadlineAt: Date;
  /** The region's zone the dates are printed in. */
  timeZone?: string;
  organizationName?: string | null;
  reason?: string | null;
  answerText?: string | null;
}

type Kind = OutboundMessage['kind'];

/**
 * The citizen is told about the stages they care about; internal steps (a draft saved, a draft returned for
 * rework) stay internal, because telling them would only add noise and expose the organisation's kitchen.
 */
export function citizenNotices(status: CaseStatus | 'registered' | 'redirected', c: NotifyContext): { kind: Kind; text: string }[] {
  const number = `№ ${c.registrationNumber}`;
  const date = (d: Date) => ruDate(d, c.timeZone);
  const org = c.organizationName ? ` в «${c.organizationName}»` : '';
  switch (status) {
    case 'registered':
      return [{ kind: 'registered', text: `Ваше сообщение зарегистрировано, номер ${c.registrationNumber}. Срок рассмотрения — до ${date(c.deadlineAt)}.` }];
    case 'routed':
      return [{ kind: 'status', text: `Сообщение ${number} прошло модерацию и направлено на рассмотрение${org}.` }];
    case 'redirected':
      return [{ kind: 'status', text: `Сообщение ${number} перенаправлено${org} по компетенции. Срок рассмотрения не меняется — до ${date(c.deadlineAt)}.` }];
    case 'rejected':
      return [{ kind: 'rejection', text: `Сообщение ${number} отклонено. Причина: ${c.reason ?? 'не указана'}.` }];
    case 'assigned':
      return [{ kind: 'status', text: `Сообщение ${number} принято в работу, назначен ответственный исполнитель.` }];
    case 'on_approval':
      return [{ kind: 'status', text: `Ответ на сообщение ${number} подготовлен и проходит согласование.` }];
    case 'answered':
      return [
        { kind: 'answer', text: `Ответ на сообщение ${number}:\n\n${c.answerText ?? ''}` },
        { kind: 'rating_request', text: `Пожалуйста, оцените ответ на сообщение ${number} от 1 до 5. Если оценка низкая, вы можете попросить о повторном рассмотрении.` },
      ];
    case 'repeat_review':
      return [{ kind: 'status', text: `Сообщение ${number} направлено на повторное рассмотрение. Новый срок — до ${date(c.deadlineAt)}.` }];
    case 'closed':
      return [{ kind: 'status', text: `Рассмотрение сообщения ${number} завершено. Спасибо за обращение!` }];
    default:
      return [];
  }
}

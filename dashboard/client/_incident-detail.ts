// One incident opened in the monitoring inbox: its threads with each reply's delivery (and where to answer by hand),
// its signals, and its log.
import { h, KIND_NAMES, ruDateTime, sourceBadge, timeLeft } from './_common.js';

interface DeliveryState {
  state: 'queued' | 'sent' | 'recorded' | 'retrying' | 'failed';
  attempts: number;
  error?: string;
}
interface Reply {
  outboundId: string;
  kind: 'interim' | 'answer';
  text: string;
  createdAt: string;
  delivery?: DeliveryState;
}
interface Thread {
  key: string;
  source: string;
  own: boolean;
  link: string | null;
  signals: number;
  replies: Reply[];
}
interface Signal {
  messageId: string;
  source: string;
  text: string;
  link: string | null;
  kind: string;
  status: string;
  receivedAt: string;
  reactionDueAt: string | null;
  firstReactionAt: string | null;
  joinedAfterAnswer: boolean;
  thread: string;
}
export interface Detail {
  incident: { id: string; answerText: string | null };
  signals: Signal[];
  threads: Thread[];
  history: { at: string; actorName: string | null; actor: string; type: string; comment: string | null }[];
}

const DELIVERY: Record<string, [string, string]> = {
  queued: ['в очереди', 'muted'],
  sent: ['доставлено', 'ok'],
  recorded: ['записано', 'ok'],
  retrying: ['повтор после сбоя', 'warn'],
  failed: ['не доставлено', 'bad'],
};
const REPLY_KIND: Record<string, string> = { interim: '«Взято в работу»', answer: 'Ответ' };
const SIGNAL_STATUS: Record<string, string> = { new: 'ждёт реакции', accepted: 'в работе', rejected: 'отклонён', answered: 'отвечен' };
const EVENT_NAMES: Record<string, string> = {
  accepted: 'Принят в работу',
  rejected: 'Отклонён',
  interim: 'Опубликовано «Взято в работу»',
  answered: 'Опубликован ответ',
  answer_republished: 'Ответ опубликован в новых ветках',
  merged: 'Объединён',
  merged_into: 'Влит в другой инцидент',
  split: 'Сообщение выделено',
  split_from: 'Выделен из инцидента',
  joined_after_answer: 'Новое сообщение после ответа',
  kind_corrected: 'Исправлен тип сообщения',
  category_corrected: 'Исправлена категория сообщения',
};

function replyCell(r: Reply, retry: (outboundId: string) => void): HTMLElement {
  const [label, cls] = DELIVERY[r.delivery?.state ?? 'queued']!;
  return h('li', { 'data-reply': r.outboundId, 'data-delivery': r.delivery?.state ?? 'queued' }, `${REPLY_KIND[r.kind]}: `, h('span', { class: cls }, label),
    r.delivery?.attempts && r.delivery.state !== 'sent' ? ` (попыток: ${r.delivery.attempts})` : '',
    r.delivery?.error ? h('span', { class: 'muted' }, ` — ${r.delivery.error}`) : null, r.delivery?.state === 'failed'
    ? h('button', { type: 'button', class: 'link', 'data-action': 'retry', onclick: () => retry(r.outboundId) }, 'Повторить')
    : null);
}

function threadRow(t: Thread, answer: string | null, retry: (outboundId: string) => void): HTMLElement {
  const where = t.link ? h('a', { href: t.link, target: '_blank', rel: 'noopener noreferrer' }, t.key) : t.key;
  const replies = t.own
    ? (t.replies.length ? h('ul', { class: 'replies' }, t.replies.map((r) => replyCell(r, retry))) : h('span', { class: 'muted' }, 'ответа ещё нет'))
    : h('span', { class: 'by-hand' }, h('strong', {}, 'Ответить вручную'), ' — сообщество региона здесь не пишет, Отклик сюда ничего не публикует',
      answer ? h('details', {}, h('summary', {}, 'Текст ответа'), h('p', { class: 'text' }, answer)) : null);
  return h('tr', { 'data-thread': t.key, 'data-own': t.own ? 'true' : 'false' }, h('td', {}, sourceBadge(t.source)), h('td', {}, where),
    h('td', {}, String(t.signals)), h('td', {}, replies));
}

interface SignalActions {
  split?: (messageId: string) => void;
  correct: (messageId: string, kind: string) => void;
}

/** The kind as the team says it is: kept as a training example for the complaint detector. */
function kindFix(s: Signal, correct: SignalActions['correct']): HTMLElement {
  const sel = h('select', { 'aria-label': 'Исправленный тип сообщения' },
    Object.entries(KIND_NAMES).map(([v, t]) => h('option', { value: v, selected: v === s.kind }, t)));
  return h('span', { class: 'kind-fix' }, sel,
    h('button', { type: 'button', class: 'link', 'data-action': 'correct-kind', onclick: () => sel.value !== s.kind && correct(s.messageId, sel.value) },
      'Исправить тип'));
}

function signalRow(s: Signal, on: SignalActions): HTMLElement {
  const left = !s.firstReactionAt && s.reactionDueAt && s.status === 'new' ? timeLeft(s.reactionDueAt) : undefined;
  return h('li', { 'data-signal': s.messageId }, sourceBadge(s.source),
    ` ${ruDateTime(s.receivedAt)} · ${KIND_NAMES[s.kind] ?? s.kind} · ${SIGNAL_STATUS[s.status] ?? s.status}`,
    left ? h('span', { class: left.overdue ? 'bad' : left.urgent ? 'warn' : '' }, ` · ${left.text}`) : null,
    s.joinedAfterAnswer ? h('span', { class: 'warn' }, ' · после ответа') : null,
    h('p', { class: 'text' }, s.text.length > 400 ? `${s.text.slice(0, 400)}…` : s.text),
    s.link ? h('a', { href: s.link, target: '_blank', rel: 'noopener noreferrer' }, 'Оригинал') : null, ' ',
    on.split ? h('button', { type: 'button', class: 'link', 'data-action': 'split', onclick: () => on.split!(s.messageId) }, 'Отделить') : null, ' ',
    kindFix(s, on.correct));
}

export function renderIncidentDetail(d: Detail,
  on: { split: (messageId: string) => void; retry: (outboundId: string) => void; correct: (messageId: string, kind: string) => void }): HTMLElement
{
  return h('div', { class: 'incident-detail' }, h('h3', {}, 'Ветки и доставка ответов'),
    h('table', { class: 'threads' }, h('caption', { class: 'sr-only' }, 'Ветки инцидента'),
      h('thead', {}, h('tr', {}, ['Сеть', 'Ветка', 'Сообщений', 'Ответы'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, d.threads.map((t) => threadRow(t, d.incident.answerText, on.retry)))), h('h3', {}, `Сообщения (${d.signals.length})`), // A lone message is its own incident already.
    h('ul', { class: 'signals' }, d.signals.map((s) => signalRow(s, { split: d.signals.length > 1 ? on.split : undefined, correct: on.correct }))),
    h('details', {}, h('summary', {}, 'История'),
      h('ol', { class: 'history' },
        d.history.map((e) =>
          h('li', {}, `${ruDateTime(e.at)} — ${EVENT_NAMES[e.type] ?? e.type}`, ` (${e.actorName ?? (e.actor === 'system' ? 'система' : e.actor)})`,
            e.comment ? `: ${e.comment}` : '')
        ))));
}

// Shared by the staff pages' scripts (bundled into each; the leading underscore keeps it from being an entry).
// Every piece of citizen text is put into the page as a text node, never as markup.
import { DEFAULT_TIME_ZONE, ruCalendarDay, ruDateTime as formatDateTime, ruDay as formatDay, ruNumber, ruPercent, ruPercentOf100 } from '../format.js';
import { SOURCE_LABELS as ALL_SOURCE_LABELS, type SourceLabel } from '../../lib/sources.js';
import { DAY_MS } from '../../lib/time.js';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Same-origin JSON call: the session cookie authenticates, the header proves the call came from our own script. */
export async function api<T = unknown>(path: string, opts: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: opts.method ?? 'GET',
    credentials: 'same-origin',
    headers: { 'x-requested-with': 'otklik', ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  if (res.status === 401) {
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw new ApiError(401, 'Сессия истекла');
  }
  const data = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(res.status, data.error ?? `ошибка ${res.status}`);
  return data as T;
}

type Child = Node | string | number | null | undefined | false;

/** Builds an element; strings become text nodes, so nothing a citizen wrote is ever parsed as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | number | undefined | ((e: Event) => void)> = {},
  ...children: (Child | Child[])[]): HTMLElementTagNameMap[K]
{
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const SOURCE_LABELS: Record<string, SourceLabel | undefined> = ALL_SOURCE_LABELS;

export const STATUS_NAMES: Record<string, string> = {
  moderation: 'На модерации',
  rejected: 'Отклонено',
  routed: 'Направлено в организацию',
  assigned: 'Назначен исполнитель',
  in_progress: 'В работе',
  draft: 'Черновик ответа',
  on_approval: 'На утверждении',
  returned: 'Возвращено на доработку',
  approved: 'Утверждено',
  answered: 'Ответ отправлен',
  rated: 'Оценено',
  repeat_review: 'Повторное рассмотрение',
  closed: 'Закрыто',
};

export const KIND_NAMES: Record<string, string> = { complaint: 'Жалоба', question: 'Вопрос', other: 'Не жалоба' };

export function sourceBadge(source: string): HTMLElement {
  const s = SOURCE_LABELS[source] ?? { short: source, name: source };
  return h('span', { class: `src src-${source}`, title: s.name, 'aria-label': `Источник: ${s.name}` }, s.short);
}

/** «осталось 3 д 4 ч» / «просрочено на 2 д»: the deadline as staff think of it. */
export function countdown(deadlineAt: string, now = Date.now()): { text: string; overdue: boolean; urgent: boolean } {
  const ms = new Date(deadlineAt).getTime() - now;
  const abs = Math.abs(ms);
  const d = Math.floor(abs / DAY_MS);
  const hrs = Math.floor((abs % DAY_MS) / 3_600_000);
  const span = d > 0 ? `${d} д ${hrs} ч` : `${hrs} ч ${Math.floor((abs % 3_600_000) / 60_000)} мин`;
  return ms < 0 ? { text: `просрочено на ${span}`, overdue: true, urgent: true } : { text: `осталось ${span}`, overdue: false, urgent: ms < 2 * DAY_MS };
}

/** The region's time zone, which the server names on every page (`<html data-tz>`): dates read as the region reads them. */
export const regionTimeZone = (): string => document.documentElement.dataset.tz || DEFAULT_TIME_ZONE;
export const ruDateTime = (iso: string) => formatDateTime(iso, regionTimeZone());
export const ruDate = (iso: string) => formatDay(iso, regionTimeZone());
export { ruCalendarDay, ruNumber, ruPercent, ruPercentOf100 };

/**
 * Time left to a term counted in hours, as the monitoring team reads it: «осталось 5 ч», «осталось 40 мин»,
 * «осталось 1 д 3 ч», «просрочено на 2 ч»; `urgent` under two hours.
 */
export function timeLeft(dueAt: string, now = Date.now()): { text: string; overdue: boolean; urgent: boolean } {
  const ms = new Date(dueAt).getTime() - now;
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const hours = Math.floor(minutes / 60);
  const span = hours >= 48 ? `${Math.floor(hours / 24)} д ${hours % 24} ч` : hours >= 1 ? `${hours} ч` : `${minutes} мин`;
  return ms < 0 ? { text: `просрочено на ${span}`, overdue: true, urgent: true } : { text: `осталось ${span}`, overdue: false, urgent: ms < 2 * 3_600_000 };
}

/** Splits text into plain and highlighted runs: terms are matched case-insensitively, the text stays text. */
export function highlight(text: string, terms: string[]): HTMLElement {
  const re = highlightPattern(terms);
  const p = h('p', { class: 'text' });
  if (!re) {
    p.append(text);
    return p;
  }
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) p.append(text.slice(last, m.index));
    p.append(h('mark', {}, m[0]));
    last = m.index! + m[0].length;
  }
  if (last < text.length) p.append(text.slice(last));
  return p;
}

/**
 * The search terms (two characters or more) as one pattern of literal alternatives, or undefined when there are none.
 * Every term is escaped, so a search for «a+» or «(» is text, and the pattern stays a plain linear alternation.
 */
export function highlightPattern(terms: string[]): RegExp | undefined {
  const clean = terms.map((t) => t.trim()).filter((t) => t.length >= 2).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return clean.length ? new RegExp(`(${clean.join('|')})`, 'giu') : undefined;
}

/** A status line that screen readers announce. */
export function announce(el: HTMLElement | null, text: string, isError = false): void {
  if (!el) return;
  el.textContent = text;
  el.classList.toggle('error', isError);
}

export interface CaseSummary {
  id: string;
  registrationNumber: string;
  status: string;
  version: number;
  category: string;
  kind?: string;
  source: string;
  municipality?: string | null;
  organizationId: string | null;
  organizationName: string | null;
  executorId: string | null;
  registeredAt: string;
  deadlineAt: string;
  daysLeft: number;
  overdue: boolean;
  text?: string;
  link?: string | null;
  fastTrack: boolean;
  origin?: 'appeal' | 'signal';
}

/**
 * The cases table used by the desk and the list page. The organization column is left out where every case is of
 * the reader's one organization; on a phone each row becomes a card (the cells carry their column name).
 */
export function casesTable(items: CaseSummary[], caption: string, opts: { organization?: boolean } = {}): HTMLElement {
  if (!items.length) return h('p', { class: 'muted' }, 'Нет обращений.');
  const withOrg = opts.organization ?? true;
  const columns = ['№', 'Поступило', 'Источник', 'Категория', 'Текст', 'Муниципалитет', ...(withOrg ? ['Организация'] : []), 'Статус', 'Срок'];
  const cell = (label: string, attrs: Record<string, string>, ...content: Child[]) => h('td', { 'data-label': label, ...attrs }, ...content);
  return h('table', { class: 'cases' }, h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, columns.map((t) => h('th', { scope: 'col', class: t === 'Текст' ? 'snippet' : '' }, t)))), h('tbody', {}, items.map((c) => {
      const cd = countdown(c.deadlineAt);
      const answered = ['answered', 'rated', 'closed', 'rejected'].includes(c.status);
      return h('tr', { 'data-case': c.id, class: c.overdue ? 'overdue' : '' }, cell('№', {}, h('a', { href: `/cases/${c.id}` }, c.registrationNumber)),
        cell('Поступило', { class: 'nowrap' }, ruDateTime(c.registeredAt)),
        cell('Источник', {}, sourceBadge(c.source),
          c.origin === 'signal' ? h('span', { class: 'badge', title: 'Инцидент мониторинга: срок в часах, ответ публикуется в ветках' }, ' сигнал') : ''),
        cell('Категория', {}, c.category), cell('Текст', { class: 'snippet' }, (c.text ?? '').slice(0, 200)), cell('Муниципалитет', {}, c.municipality ?? '—'),
        withOrg ? cell('Организация', {}, c.organizationName ?? '—') : null, cell('Статус', {}, STATUS_NAMES[c.status] ?? c.status),
        cell('Срок', { class: cd.overdue && !answered ? 'bad' : cd.urgent && !answered ? 'warn' : '' }, answered ? ruDate(c.deadlineAt) : cd.text));
    })));
}

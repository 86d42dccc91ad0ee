/**
 * The inbox page's two views: `signals` (the monitoring team's incidents of posts and comments the monitoring found,
 * client/monitoring.ts) and `appeals` (messages sent to the region waiting for moderation, client/inbox.ts).
 */
import { SOURCES } from '../lib/queues.js';
import { SOURCE_NAMES, type Municipality } from './charts.js';
import { escapeHtml } from './html.js';

export type InboxView = 'signals' | 'appeals';
export const inboxViewOf = (q: Record<string, unknown>): InboxView => (q.view === 'appeals' ? 'appeals' : 'signals');

export function inboxTabs(view: InboxView): string {
  const tab = (v: InboxView, text: string) =>
    `<a href="/inbox?view=${v}"${v === view ? ' aria-current="page" class="tab current"' : ' class="tab"'}>${text}</a>`;
  return `<nav class="tabs" aria-label="Разделы входящих">${tab('signals', 'Сигналы мониторинга')} ${tab('appeals', 'Обращения на модерации')}</nav>`;
}

const options = (list: [string, string][], selected?: string) =>
  list.map(([v, t]) => `<option value="${escapeHtml(v)}"${v === selected ? ' selected' : ''}>${escapeHtml(t)}</option>`).join('');

/** The filters both inboxes share (source, kind, municipality, category, text), their ids prefixed per page. */
function messageFilterFields(prefix: string, q: Record<string, string | undefined>): string {
  return `<span class="fld"><label for="${prefix}-source">Источник</label> <select id="${prefix}-source" name="source"><option value="">Все</option>${
    options(SOURCES.map((s) => [s, SOURCE_NAMES[s] ?? s]), q.source)
  }</select></span>
  <span class="fld"><label for="${prefix}-kind">Тип</label> <select id="${prefix}-kind" name="kind"><option value="">Любой</option>${
    options([['complaint', 'Жалоба'], ['question', 'Вопрос'], ['other', 'Не жалоба']], q.kind)
  }</select></span>
  <label>Муниципалитет <input name="municipality" list="muni-list" value="${escapeHtml(q.municipality ?? '')}"></label>
  <label>Категория <input name="category" list="category-list" value="${escapeHtml(q.category ?? '')}"></label>
  <label>Поиск <input name="q" type="search" value="${escapeHtml(q.q ?? '')}" placeholder="слово в тексте"></label>`;
}

const SORT_NAMES = { urgent: 'Сначала срочные', newest: 'Сначала новые' };

/** An inbox's own status select: its label, its statuses, and the one its API shows unasked. */
interface InboxStatuses {
  label: string;
  options: [string, string][];
  byDefault: string;
}

/**
 * An inbox's filter fields and submit button, their ids prefixed per page: its statuses, the filters both inboxes
 * share, and the order, the API's default first (an unsorted query selects none, so the browser shows the first).
 */
export function inboxFilterFields(prefix: string, q: Record<string, string | undefined>, statuses: InboxStatuses,
  sorts: readonly (keyof typeof SORT_NAMES)[]): string
{
  return `<span class="fld"><label for="${prefix}-status">${statuses.label}</label> <select id="${prefix}-status" name="status">${
    options(statuses.options, q.status ?? statuses.byDefault)
  }</select></span>
  ${messageFilterFields(prefix, q)}
  <span class="fld"><label for="${prefix}-sort">Порядок</label> <select id="${prefix}-sort" name="sort">${
    options(sorts.map((s) => [s, SORT_NAMES[s]]), q.sort)
  }</select></span>
  <button type="submit">Показать</button>`;
}

const STATUSES: [string, string][] = [
  ['open', 'Требуют реакции или ответа'],
  ['new', 'Новые'],
  ['accepted', 'Приняты в работу'],
  ['answered', 'С ответом'],
  ['rejected', 'Отклонённые'],
  ['all', 'Все'],
];

export function monitoringBody(q: Record<string, string | undefined>, municipalities: Municipality[]): string {
  return `
<h1>Мониторинг: сигналы и инциденты</h1>
${inboxTabs('signals')}
<section id="alerts" class="alerts" aria-labelledby="alerts-title" hidden>
  <h2 id="alerts-title">Всплески</h2>
  <ul id="alert-list"></ul>
</section>
<form id="incident-filters" class="filters" role="search" aria-label="Фильтры инцидентов">
  ${inboxFilterFields('m', q, { label: 'Состояние', options: STATUSES, byDefault: 'open' }, ['urgent', 'newest'])}
</form>
<p class="muted">Сигналы — публикации и комментарии, найденные мониторингом. Им ничего не отвечается автоматически: реакция — «Взято в работу» или ответ — только по решению оператора, и только там, где пишет официальное сообщество региона.</p>
<p id="monitoring-status" class="muted" aria-live="polite"></p>
<p id="monitoring-count" class="muted"></p>
<div class="bulk"><button type="button" id="merge-incidents">Объединить отмеченные инциденты</button></div>
<div id="incident-list" class="inbox" role="list" aria-label="Инциденты"></div>
<datalist id="muni-list">${municipalities.map((m) => `<option value="${escapeHtml(m.name)}">`).join('')}</datalist>
<datalist id="category-list"></datalist>`;
}

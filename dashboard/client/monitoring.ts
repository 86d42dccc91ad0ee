// The monitoring team's inbox of signals: one row per incident (size, channels, municipalities, first seen, growth,
// time left, suggested organizations), the team's actions on the incident as a whole, spike alerts, live updates.
import type { SpikeAlertAnswer } from '../../lib/monitoring.js';
import { announce, api, h, highlight, KIND_NAMES, ruDateTime, sourceBadge, STATUS_NAMES, timeLeft } from './_common.js';
import { detached } from './_detached.js';
import { renderIncidentDetail, type Detail } from './_incident-detail.js';

interface Suggestion {
  label: string;
  score: number;
  organizationId: string | null;
  organizationName: string | null;
}
export interface Incident {
  id: string;
  status: 'new' | 'accepted' | 'rejected' | 'answered';
  version: number;
  caseId: string | null;
  registrationNumber: string | null;
  caseStatus: string | null;
  organizationName: string | null;
  rejectionReason: string | null;
  firstReactionAt: string | null;
  answeredAt: string | null;
  kind: string;
  size: number;
  channels: string[];
  municipalities: string[];
  firstSeenAt: string;
  lastSeenAt: string;
  growth: number;
  reactionDueAt: string | null;
  fastTrack: boolean;
  lateSignals: number;
  text: string;
  link: string | null;
  category: string;
  suggestions: Suggestion[];
}
interface Org {
  id: string;
  name: string;
}

const BASE = '/api/v1/dashboard/monitoring';
const INCIDENT_STATUS: Record<string, string> = { new: 'Новый', accepted: 'Принят в работу', rejected: 'Отклонён', answered: 'Ответ опубликован' };
const PROBLEM_WORDS = ['не работает', 'нет воды', 'нет света', 'нет отопления', 'мусор', 'яма', 'авария', 'прорыв', 'опасно', 'не вывозят'];

const form = document.getElementById('incident-filters') as HTMLFormElement;
const list = document.getElementById('incident-list')!;
const status = document.getElementById('monitoring-status');
let items: Incident[] = [];
let orgs: Org[] = [];
let mark = '';
const checked = new Set<string>();
const open = new Set<string>();

function filterQuery(): URLSearchParams {
  const q = new URLSearchParams();
  for (const el of Array.from(form.elements) as HTMLInputElement[]) if (el.name && el.value.trim()) q.set(el.name, el.value.trim());
  return q;
}

async function load(quiet = false) {
  const q = filterQuery();
  history.replaceState(null, '', `/inbox?${q.toString()}`);
  try {
    const data = await api<{ items: Incident[]; total: number; mark: string }>(`${BASE}/incidents?${q.toString()}`);
    items = data.items;
    mark = data.mark;
    // An empty list is no list: a role="list" holding only the «none» note is an ARIA error.
    if (items.length) list.setAttribute('role', 'list');
    else list.removeAttribute('role');
    list.replaceChildren(...(items.length ? items.map(renderIncident) : [h('p', { class: 'muted' }, 'Инцидентов нет.')]));
    for (const id of open) void showDetail(id);
    document.getElementById('monitoring-count')!.textContent = `Показано инцидентов: ${items.length} из ${data.total}.`;
    if (!quiet) announce(status, `Показано инцидентов: ${items.length} из ${data.total}.`);
    await loadAlerts();
    document.body.dataset.monitoringReady = 'true';
  } catch (err) {
    announce(status, (err as Error).message, true);
  }
}

async function act(what: string, fn: () => Promise<unknown>) {
  try {
    await fn();
    announce(status, what);
    await load(true);
  } catch (err) {
    announce(status, `Не удалось: ${(err as Error).message}`, true);
  }
}

const post = (path: string, body: unknown) => api(`${BASE}${path}`, { method: 'POST', body });

/** Organizations with the routing model's suggestions first, and the model itself as a choice. */
function orgSelect(x: Incident): HTMLSelectElement {
  const suggested = x.suggestions.filter((s) => s.organizationId);
  return h('select', { id: `org-${x.id}`, 'aria-label': 'Организация для направления' }, h('option', { value: '' }, 'Выберите организацию…'),
    h('option', { value: 'auto' }, 'Автоматически — по модели маршрутизации'), suggested.length
    ? h('optgroup', { label: 'Предлагает модель' },
      suggested.map((s) => h('option', { value: s.organizationId! }, `${s.organizationName} (${Math.round(s.score * 100)}%)`)))
    : null, h('optgroup', { label: 'Все организации' }, orgs.map((o) => h('option', { value: o.id }, o.name))));
}

function routeBody(sel: HTMLSelectElement, version: number) {
  return sel.value === 'auto' ? { expectedVersion: version, autoRoute: true } : { expectedVersion: version, organizationId: sel.value };
}

function reactionCell(x: Incident): HTMLElement | null {
  if (x.status === 'answered') return h('span', { class: 'ok' }, `ответ опубликован ${x.answeredAt ? ruDateTime(x.answeredAt) : ''}`);
  if (!x.reactionDueAt) return x.firstReactionAt ? h('span', { class: 'ok' }, 'реакция дана') : null;
  const t = timeLeft(x.reactionDueAt);
  return h('span', { class: `left ${t.overdue ? 'bad' : t.urgent ? 'warn' : ''}`, title: `Срок реакции: ${ruDateTime(x.reactionDueAt)}` }, t.text);
}

function caseLine(x: Incident): HTMLElement | null {
  if (!x.caseId) return null;
  return h('p', { class: 'case-line' }, 'Обращение ', h('a', { href: `/cases/${x.caseId}`, class: 'num' }, `№ ${x.registrationNumber}`),
    ` — ${STATUS_NAMES[x.caseStatus ?? ''] ?? x.caseStatus}`, x.organizationName ? `, ${x.organizationName}` : '');
}

function newActions(x: Incident): (HTMLElement | null)[] {
  const sel = orgSelect(x);
  const reason = h('input', { id: `reason-${x.id}`, 'aria-label': 'Причина отклонения', placeholder: 'причина отклонения', maxlength: 2000 });
  const answer = h('textarea', { id: `answer-${x.id}`, 'aria-label': 'Ответ команды мониторинга', rows: 3, maxlength: 4000 });
  return [
    sel,
    h('button', { type: 'button', class: 'primary', 'data-action': 'accept', onclick: () => {
      if (!sel.value) return announce(status, 'Выберите организацию или «Автоматически».', true);
      void act('Инцидент принят и направлен.', () => post(`/incidents/${x.id}/accept`, routeBody(sel, x.version)));
    } }, 'Принять и направить'),
    h('button', { type: 'button', 'data-action': 'accept-only',
      onclick: () => void act('Инцидент принят; направьте его позже.', () => post(`/incidents/${x.id}/accept`, { expectedVersion: x.version })) },
      'Принять без направления'),
    reason,
    h('button', { type: 'button', 'data-action': 'reject', onclick: () => {
      if (reason.value.trim().length < 3) return announce(status, 'Укажите причину отклонения.', true);
      void act('Инцидент отклонён.', () => post(`/incidents/${x.id}/reject`, { expectedVersion: x.version, reason: reason.value.trim() }));
    } }, 'Отклонить'),
    h('details', { class: 'own-answer' }, h('summary', {}, 'Ответить от имени команды'), answer,
      h('button', { type: 'button', 'data-action': 'answer', onclick: () => {
        if (answer.value.trim().length < 10) return announce(status, 'Напишите ответ (не короче 10 символов).', true);
        void act('Ответ опубликован во всех ветках, где пишет сообщество региона.',
          () => post(`/incidents/${x.id}/answer`, { expectedVersion: x.version, text: answer.value.trim() }));
      } }, 'Опубликовать ответ')),
  ];
}

function actionsOf(x: Incident): (HTMLElement | null)[] {
  const interim = (x.status === 'new' || x.status === 'accepted') && !x.firstReactionAt
    ? h('button', { type: 'button', 'data-action': 'interim',
      onclick: () => void act('Опубликовано «Взято в работу».', () => post(`/incidents/${x.id}/interim`, { expectedVersion: x.version })) }, 'Взято в работу') :
    null;
  const details = h('button', { type: 'button', 'data-action': 'details', 'aria-expanded': open.has(x.id) ? 'true' : 'false',
    onclick: () => void toggleDetail(x.id) }, 'Ветки и доставка');
  if (x.status === 'new') return [interim, ...newActions(x), details];
  if (x.status === 'accepted') {
    const sel = orgSelect(x);
    const route = x.caseStatus === 'moderation' ?
      [sel, h('button', { type: 'button', class: 'primary', 'data-action': 'route', onclick: () => {
        if (!sel.value) return announce(status, 'Выберите организацию или «Автоматически».', true);
        void act('Инцидент направлен.', () => post(`/incidents/${x.id}/route`, routeBody(sel, x.version)));
      } }, 'Направить')] :
      [];
    return [interim, ...route, details];
  }
  if (x.status === 'answered' && x.lateSignals > 0) {
    return [
      h('button', { type: 'button', class: 'primary', 'data-action': 'republish', onclick: () =>
        void act('Ответ опубликован в новых ветках.', () => post(`/incidents/${x.id}/republish`, { expectedVersion: x.version })) }, 'Ответить в новых ветках'),
      details,
    ];
  }
  return [details];
}

function renderIncident(x: Incident): HTMLElement {
  const check = h('input', { type: 'checkbox', 'aria-label': `Отметить инцидент для объединения`, checked: checked.has(x.id),
    onchange: (e: Event) => ((e.target as HTMLInputElement).checked ? checked.add(x.id) : checked.delete(x.id)) });
  const suggestions = x.suggestions.length
    ? h('p', { class: 'suggestions muted' }, 'Модель предлагает: ',
      x.suggestions.map((s) => `${s.organizationName ?? s.label} (${Math.round(s.score * 100)}%)`).join('; ')) :
    null;
  return h('article', { class: `item incident${x.fastTrack ? ' fast' : ''}`, role: 'listitem', tabindex: -1, 'data-incident': x.id, 'data-status': x.status,
    'aria-label': `Инцидент: ${x.size} сообщ., ${INCIDENT_STATUS[x.status]}` },
    h('header', { class: 'item-head' }, check, ...x.channels.map(sourceBadge), h('span', { class: `kind kind-${x.kind}` }, KIND_NAMES[x.kind] ?? x.kind),
      h('span', { class: 'size', title: 'Сообщений в инциденте' }, `Сообщений: ${x.size}`),
      x.growth > 0 ? h('span', { class: 'growth', title: 'За последние 6 часов' }, `+${x.growth} за 6 ч`) : null,
      h('span', { class: 'munis' }, x.municipalities.length ? x.municipalities.join(', ') : 'муниципалитет не определён'),
      h('span', { class: 'muted', title: 'Впервые замечен' }, `с ${ruDateTime(x.firstSeenAt)}`), h('span', { class: 'cat' }, x.category), reactionCell(x),
      h('span', { class: 'badge' }, INCIDENT_STATUS[x.status]),
      x.lateSignals > 0 ? h('span', { class: 'warn late' }, `новых после ответа: ${x.lateSignals}`) : null),
    highlight(x.text, [...PROBLEM_WORDS, filterQuery().get('q') ?? '']),
    x.link ? h('a', { href: x.link, target: '_blank', rel: 'noopener noreferrer', class: 'orig' }, 'Оригинал') : null, caseLine(x),
    x.status === 'rejected' ? h('p', { class: 'muted' }, `Причина: ${x.rejectionReason ?? '—'}`) : null, suggestions,
    h('div', { class: 'item-actions' }, ...actionsOf(x)), h('div', { class: 'detail', id: `detail-${x.id}`, hidden: !open.has(x.id) }));
}

async function showDetail(id: string) {
  const box = document.getElementById(`detail-${id}`);
  if (!box) return;
  const d = await api<Detail>(`${BASE}/incidents/${encodeURIComponent(id)}`);
  box.replaceChildren(renderIncidentDetail(d, {
    split: detached((messageId: string) => act('Сообщение выделено в отдельный инцидент.', () => post(`/signals/${messageId}/split`, {}))),
    retry: detached((outboundId: string) => act('Доставка повторяется.', () => post(`/deliveries/${outboundId}/retry`, {}))),
    correct: detached((messageId: string, kind: string) =>
      act('Тип сообщения исправлен; исправление сохранено для обучения модели.', () => post(`/signals/${messageId}/correction`, { field: 'kind', label: kind }))
    ),
  }));
  box.hidden = false;
}

async function toggleDetail(id: string) {
  if (open.has(id)) {
    open.delete(id);
    document.getElementById(`detail-${id}`)!.hidden = true;
    return;
  }
  open.add(id);
  await showDetail(id).catch((err) => announce(status, (err as Error).message, true));
}

async function loadAlerts() {
  const box = document.getElementById('alerts')!;
  const { items: alerts } = await api<{ items: SpikeAlertAnswer[] }>(`${BASE}/alerts?limit=10`);
  box.hidden = alerts.length === 0;
  document.getElementById('alert-list')!.replaceChildren(
    ...alerts.map((a) =>
      h('li', { 'data-alert': a.id }, h('span', { class: 'bad' }, a.kind === 'incident' ? 'Инцидент растёт: ' : 'Тема растёт: '),
        `«${a.category ?? 'без категории'}»${a.municipality ? `, ${a.municipality}` : ''} — ${a.count} сообщ. за ${a.windowHours} ч (обычно ${a.baseline}), ${
          ruDateTime(a.at)
        } `, h('button', { type: 'button', class: 'link', onclick: () =>
          void act('Всплеск отмечен как просмотренный.', () =>
            post(`/alerts/${a.id}/acknowledge`, {})) }, 'Просмотрено'))
    ),
  );
}

async function merge() {
  const ids = items.filter((i) => checked.has(i.id)).map((i) => i.id);
  if (ids.length < 2) return announce(status, 'Отметьте хотя бы два инцидента.', true);
  // The one already in work (or answered) keeps its case: the others join it.
  const target = items.find((i) => checked.has(i.id) && i.status !== 'new')?.id ?? ids[0]!;
  await act('Инциденты объединены.', async () => {
    await post('/incidents/merge', { targetId: target, incidentIds: ids.filter((i) => i !== target) });
    checked.clear();
  });
}

async function start() {
  const [o, facets] = await Promise.all([api<{ items: Org[] }>('/api/v1/organizations?limit=500'), api<{ categories: string[] }>(`${BASE}/facets`)]);
  orgs = o.items;
  document.getElementById('category-list')!.replaceChildren(...facets.categories.map((c) => h('option', { value: c })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  document.getElementById('merge-incidents')!.addEventListener('click', () => void merge());
  await load();
  setInterval(detached(async () => {
    try {
      const m = await api<{ mark: string }>(`${BASE}/mark`);
      if (m.mark !== mark) await load(true);
    } catch {
      // A missed poll is retried by the next one.
    }
  }), 3000);
  // Time left moves even when nothing arrives.
  setInterval(() => void load(true), 60_000);
}
void start();

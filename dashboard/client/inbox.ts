// The monitoring team's inbox: filters and saved views, keyboard moves, corrections, incidents, routing.
import { announce, api, countdown, h, highlight, KIND_NAMES, ruDateTime, ruPercent, sourceBadge, STATUS_NAMES } from './_common.js';
import { detached } from './_detached.js';

interface Item {
  id: string;
  registrationNumber: string;
  status: string;
  version: number;
  source: string;
  link: string | null;
  text: string;
  category: string;
  confidence: number;
  kind: string;
  municipality: string | null;
  incidentId: string;
  mentions: number;
  fastTrack: boolean;
  registeredAt: string;
  deadlineAt: string;
  organizationName?: string | null;
}
interface Org {
  id: string;
  name: string;
}

// Words the team scans for first; the search term is highlighted too.
const PROBLEM_WORDS = ['не работает', 'нет воды', 'нет света', 'нет отопления', 'мусор', 'яма', 'авария', 'прорыв', 'опасно', 'сломан', 'не вывозят',
  'холодно'];
const VIEWS_KEY = 'otklik.inbox.views';

const form = document.getElementById('inbox-filters') as HTMLFormElement;
const list = document.getElementById('inbox-list')!;
const status = document.getElementById('inbox-status');
const viewsSelect = document.getElementById('saved-views') as HTMLSelectElement;
let items: Item[] = [];
let orgs: Org[] = [];
let selected = 0;
let mark = '';
const checked = new Set<string>();

function filterQuery(): URLSearchParams {
  const q = new URLSearchParams();
  for (const el of Array.from(form.elements) as HTMLInputElement[]) if (el.name && el.value.trim()) q.set(el.name, el.value.trim());
  return q;
}

function applyQuery(q: URLSearchParams) {
  for (const el of Array.from(form.elements) as (HTMLInputElement | HTMLSelectElement)[]) {
    // The view stays the appeals' whatever a saved view says.
    if (!el.name || el.name === 'view') continue;
    el.value = q.get(el.name) ?? (el.name === 'status' ? 'moderation' : el.name === 'sort' ? 'newest' : '');
  }
}

async function load(quiet = false) {
  const q = filterQuery();
  history.replaceState(null, '', `/inbox?${q.toString()}`);
  try {
    const data = await api<{ items: Item[]; total: number; mark: string }>(`/api/v1/dashboard/inbox?${q.toString()}`);
    items = data.items;
    mark = data.mark;
    selected = Math.min(selected, Math.max(0, items.length - 1));
    render();
    if (!quiet) announce(status, `Показано ${items.length} из ${data.total}.`);
    document.body.dataset.inboxReady = 'true';
  } catch (err) {
    announce(status, (err as Error).message, true);
  }
}

/** No organization chosen means automatic routing (the routing table, the model, the region's coordinator). */
function orgSelect(id: string): HTMLSelectElement {
  return h('select', { id, 'aria-label': 'Организация для направления' }, h('option', { value: '' }, 'Автоматически (таблица и модель маршрутизации)'),
    orgs.map((o) => h('option', { value: o.id }, o.name)));
}

async function act<T>(item: Item, fn: () => Promise<T>, done: string | ((value: T) => string)) {
  try {
    const value = await fn();
    announce(status, typeof done === 'string' ? done : done(value));
    await load(true);
  } catch (err) {
    announce(status, `Не удалось: ${(err as Error).message}`, true);
  }
}

function renderItem(item: Item, index: number): HTMLElement {
  const cd = countdown(item.deadlineAt);
  const terms = [...PROBLEM_WORDS, filterQuery().get('q') ?? ''];
  const orgSel = orgSelect(`org-${item.id}`);
  const reason = h('input', { id: `reason-${item.id}`, 'aria-label': 'Причина отклонения', placeholder: 'причина отклонения', maxlength: 2000 });
  const category = h('input', { id: `cat-${item.id}`, 'aria-label': 'Исправленная категория', list: 'category-list', value: item.category, maxlength: 200 });
  const check = h('input', { type: 'checkbox', 'aria-label': `Отметить ${item.registrationNumber} для объединения`, checked: checked.has(item.id),
    onchange: (e: Event) => ((e.target as HTMLInputElement).checked ? checked.add(item.id) : checked.delete(item.id)) });
  const moderation = item.status === 'moderation';
  const el = h('article', { class: `item${index === selected ? ' selected' : ''}${item.fastTrack ? ' fast' : ''}`, role: 'listitem', tabindex: -1,
    'data-case': item.id, 'data-status': item.status, 'aria-label': `Сообщение ${item.registrationNumber}` },
    h('header', { class: 'item-head' }, check, sourceBadge(item.source), h('a', { href: `/cases/${item.id}`, class: 'num' }, item.registrationNumber),
      item.link ? h('a', { href: item.link, target: '_blank', rel: 'noopener noreferrer', class: 'orig' }, 'Оригинал') : null,
      h('span', { class: 'muted' }, ruDateTime(item.registeredAt)), h('span', { class: `kind kind-${item.kind}` }, KIND_NAMES[item.kind] ?? item.kind),
      item.fastTrack ? h('span', { class: 'badge warn' }, 'Быстрая задача') : null,
      h('span', { class: 'cat' }, `${item.category} · ${ruPercent(item.confidence, 0)}`), h('span', {}, item.municipality ?? 'муниципалитет не определён'),
      h('span', { class: 'mentions', title: 'Сообщений в инциденте' }, `Упоминаний: ${item.mentions}`),
      h('span', { class: cd.overdue ? 'bad' : cd.urgent ? 'warn' : '' }, cd.text),
      moderation ? null : h('span', { class: 'badge' }, STATUS_NAMES[item.status] ?? item.status),
      !moderation && item.organizationName ? h('span', { class: 'routed-to' }, `→ ${item.organizationName}`) : null), highlight(item.text, terms),
    h('div', { class: 'item-actions' }, moderation ?
      [
        orgSel,
        h('button', { type: 'button', class: 'primary', 'data-action': 'accept', onclick: () => {
          const chosen = orgSel.value || undefined;
          void act(item, async () => {
            const r = await api<{ organizationId: string | null }>(`/api/v1/cases/${item.id}/accept`, { method: 'POST',
              body: { organizationId: chosen, expectedVersion: item.version } });
            return orgs.find((o) => o.id === r.organizationId)?.name;
          }, (to) => `Обращение ${item.registrationNumber} принято и направлено${to ? `: ${to}` : ''}.`);
        } }, 'Принять и направить'),
        reason,
        h('button', { type: 'button', 'data-action': 'reject', onclick: () => {
          if (reason.value.trim().length < 3) return announce(status, 'Укажите причину отклонения.', true);
          void act(item, () => api(`/api/v1/cases/${item.id}/reject`, { method: 'POST', body: { reason: reason.value.trim(), expectedVersion: item.version } }),
            `Обращение ${item.registrationNumber} отклонено.`);
        } }, 'Отклонить'),
      ] :
      null, category,
      h('button', { type: 'button', 'data-action': 'category',
        onclick: () =>
          void act(item, () =>
            api(`/api/v1/dashboard/cases/${item.id}/correction`, { method: 'POST',
              body: { field: 'category', label: category.value.trim(), expectedVersion: item.version } }), 'Категория исправлена.') }, 'Исправить категорию'),
      item.kind !== 'other' ?
        h('button', { type: 'button', 'data-action': 'not-complaint',
          onclick: () =>
            void act(item, () =>
              api(`/api/v1/dashboard/cases/${item.id}/correction`, { method: 'POST', body: { field: 'kind', label: 'other', expectedVersion: item.version } }),
              'Отмечено: не жалоба.') }, 'Не жалоба') :
        null, item.mentions > 1 ?
      h('button', { type: 'button', 'data-action': 'split',
        onclick: () => void act(item, () => api(`/api/v1/dashboard/cases/${item.id}/split`, { method: 'POST' }), 'Сообщение выделено в отдельный инцидент.') },
        'Отделить от инцидента') :
      null, h('a', { href: `/cases/${item.id}` }, 'Открыть')));
  el.addEventListener('click', () => {
    selected = index;
    for (const x of Array.from(list.children)) x.classList.toggle('selected', x === el);
  });
  return el;
}

function render() {
  // An empty list still holds a list item (role=list needs one): the note says there is nothing new.
  list.replaceChildren(...(items.length ? items.map(renderItem) : [h('p', { class: 'muted', role: 'listitem' }, 'Новых сообщений нет.')]));
}

function current(): HTMLElement | undefined {
  return list.children[selected] as HTMLElement | undefined;
}

function move(delta: number) {
  if (!items.length) return;
  selected = Math.max(0, Math.min(items.length - 1, selected + delta));
  for (const [i, x] of Array.from(list.children).entries()) x.classList.toggle('selected', i === selected);
  current()?.focus();
  current()?.scrollIntoView({ block: 'nearest' });
}

document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if (['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName) || e.ctrlKey || e.metaKey || e.altKey) return;
  const item = items[selected];
  const el = current();
  const press = (action: string) => (el?.querySelector(`[data-action="${action}"]`) as HTMLButtonElement | null)?.click();
  switch (e.key) {
    case 'j':
    case 'ArrowDown':
      move(1);
      break;
    case 'k':
    case 'ArrowUp':
      move(-1);
      break;
    case 'o':
    case 'Enter':
      if (item) location.href = `/cases/${item.id}`;
      break;
    case 'a':
      (el?.querySelector('select') as HTMLSelectElement | null)?.focus();
      break;
    case 'r':
      (el?.querySelector('input[id^="reason-"]') as HTMLInputElement | null)?.focus();
      break;
    case 'n':
      press('not-complaint');
      break;
    case 'x':
      (el?.querySelector('input[type="checkbox"]') as HTMLInputElement | null)?.click();
      break;
    case 'm':
      void merge();
      break;
    case '/':
      (form.elements.namedItem('q') as HTMLInputElement).focus();
      break;
    default:
      return;
  }
  e.preventDefault();
});

async function merge() {
  const ids = items.filter((i) => checked.has(i.id)).map((i) => i.id);
  if (ids.length < 2) return announce(status, 'Отметьте хотя бы два сообщения для объединения.', true);
  try {
    const r = await api<{ moved: number }>('/api/v1/dashboard/incidents/merge', { method: 'POST', body: { targetId: ids[0], caseIds: ids.slice(1) } });
    checked.clear();
    announce(status, `Объединено в один инцидент: ${r.moved + 1} сообщ.`);
    await load(true);
  } catch (err) {
    announce(status, `Не удалось: ${(err as Error).message}`, true);
  }
}

// ---- saved views (kept in this browser) ----
function readViews(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(VIEWS_KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}
function renderViews() {
  const views = readViews();
  viewsSelect.replaceChildren(h('option', { value: '' }, '—'), ...Object.keys(views).sort().map((n) => h('option', { value: n }, n)));
}
document.getElementById('save-view')!.addEventListener('click', () => {
  const name = (document.getElementById('view-name') as HTMLInputElement).value.trim();
  if (!name) return announce(status, 'Введите название вида.', true);
  localStorage.setItem(VIEWS_KEY, JSON.stringify({ ...readViews(), [name]: filterQuery().toString() }));
  renderViews();
  viewsSelect.value = name;
  announce(status, `Вид «${name}» сохранён.`);
});
document.getElementById('delete-view')!.addEventListener('click', () => {
  const views = readViews();
  delete views[viewsSelect.value];
  localStorage.setItem(VIEWS_KEY, JSON.stringify(views));
  renderViews();
});
viewsSelect.addEventListener('change', () => {
  const q = readViews()[viewsSelect.value];
  if (q === undefined) return;
  applyQuery(new URLSearchParams(q));
  void load();
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void load();
});
document.getElementById('merge')!.addEventListener('click', () => void merge());

async function start() {
  applyQuery(new URLSearchParams(location.search));
  renderViews();
  const [o, facets] = await Promise.all([
    api<{ items: Org[] }>('/api/v1/organizations?limit=500'),
    api<{ categories: string[] }>('/api/v1/dashboard/inbox/facets'),
  ]);
  orgs = o.items;
  document.getElementById('category-list')!.replaceChildren(...facets.categories.map((c) => h('option', { value: c })));
  await load();
  // New posts appear without a reload: a cheap mark is polled and the list refreshed when it moves.
  setInterval(detached(async () => {
    try {
      const m = await api<{ mark: string }>('/api/v1/dashboard/inbox/mark');
      if (m.mark !== mark) {
        await load(true);
        announce(status, 'Поступили новые сообщения.');
      }
    } catch {
      // A missed poll is retried by the next one.
    }
  }), 3000);
}
void start();

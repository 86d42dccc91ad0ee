// The audit log: who changed what and when, newest first.
import { api, h, ruDateTime } from './_common.js';
import { administeredOrgIds, field, isRegionAdmin, select } from './_admin.js';

interface Entry { id: string; at: string; actor: string; actorName: string | null; entity: string; entityId: string | null; action: string; changes: Record<string, unknown> }

const ENTITY_NAMES: Record<string, string> = { organization: 'Организация', user: 'Сотрудник', settings: 'Настройка', poll: 'Голосование' };
const ACTION_NAMES: Record<string, string> = {
  created: 'создание', updated: 'изменение', confirmed: 'подтверждение готовности', code: 'код маршрутизации', roles: 'роли', set: 'задано', removed: 'удалено',
  status: 'смена статуса',
};

const box = document.getElementById('audit-list')!;
const entity = document.getElementById('audit-entity') as HTMLSelectElement;
const params = new URLSearchParams(location.search);
if (params.get('entity')) entity.value = params.get('entity')!;
const regionAdmin = isRegionAdmin();
/** An organization's administrator reads the history of one of their organizations at a time (the API allows no more). */
let orgChoice: HTMLSelectElement | null = null;

/** The change as text: every value is shown as data, never as markup. */
const changesText = (c: Record<string, unknown>) => Object.entries(c).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('; ');

async function chooseOrganization(): Promise<void> {
  const [mine, all] = await Promise.all([administeredOrgIds(), api<{ items: { id: string; name: string }[] }>('/api/v1/organizations?limit=500')]);
  const options = all.items.filter((o) => mine.has(o.id)).map((o) => [o.id, o.name] as [string, string]);
  const wanted = params.get('entityId');
  orgChoice = select('organizationId', options, options.some(([id]) => id === wanted) ? wanted! : options[0]?.[0] ?? '');
  orgChoice.addEventListener('change', () => void load());
  entity.closest('.filters')!.replaceChildren(field('Организация', orgChoice));
}

async function load() {
  const q = new URLSearchParams({ limit: '200' });
  if (orgChoice) {
    q.set('entity', 'organization');
    q.set('entityId', orgChoice.value);
  } else {
    if (entity.value) q.set('entity', entity.value);
    if (params.get('entityId') && entity.value === params.get('entity')) q.set('entityId', params.get('entityId')!);
  }
  const items = (await api<{ items: Entry[] }>(`/api/v1/audit?${q.toString()}`)).items;
  box.replaceChildren(items.length ? h('table', {},
    h('caption', { class: 'sr-only' }, 'Журнал изменений'),
    h('thead', {}, h('tr', {}, ['Когда', 'Кто', 'Что', 'Действие', 'Изменения'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, items.map((e) => h('tr', {},
      h('td', { class: 'nowrap' }, ruDateTime(e.at)), h('td', {}, e.actorName ?? (e.actor === 'system' ? 'Система' : e.actor)),
      h('td', {}, `${ENTITY_NAMES[e.entity] ?? e.entity}${e.entity === 'settings' && e.entityId ? ` ${e.entityId}` : ''}`),
      h('td', {}, ACTION_NAMES[e.action] ?? e.action), h('td', { class: 'snippet' }, changesText(e.changes))))))
    : h('p', { class: 'muted' }, 'Изменений пока нет.'));
  document.body.dataset.auditReady = String(items.length);
}
entity.addEventListener('change', () => void load());
void (regionAdmin ? Promise.resolve() : chooseOrganization()).then(load).catch((err: Error) => box.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message)));

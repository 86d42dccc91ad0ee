// The audit log: who changed what and when, newest first.
import { api, h, ruDateTime } from './_common.js';

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

/** The change as text: every value is shown as data, never as markup. */
const changesText = (c: Record<string, unknown>) => Object.entries(c).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('; ');

async function load() {
  const q = new URLSearchParams({ limit: '200' });
  if (entity.value) q.set('entity', entity.value);
  if (params.get('entityId') && entity.value === params.get('entity')) q.set('entityId', params.get('entityId')!);
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
void load().catch((err: Error) => box.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message)));

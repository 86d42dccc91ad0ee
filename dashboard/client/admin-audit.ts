// The audit log: who changed what and when, newest first.
import { api, h, ruDateTime } from './_common.js';
import { administeredOrgIds, field, isRegionAdmin, ORG_KIND_NAMES, POLL_STATUS_NAMES, ROLE_NAMES, select } from './_admin.js';
import { describeChanges, type AuditNames } from '../audit-changes.js';

interface Entry {
  id: string;
  at: string;
  actor: string;
  actorName: string | null;
  entity: string;
  entityId: string | null;
  action: string;
  changes: Record<string, unknown>;
}

const ENTITY_NAMES: Record<string, string> = { organization: 'Организация', user: 'Сотрудник', settings: 'Настройка', poll: 'Голосование' };
const ACTION_NAMES: Record<string, string> = {
  created: 'создание',
  updated: 'изменение',
  confirmed: 'подтверждение готовности',
  code: 'код маршрутизации',
  roles: 'роли',
  set: 'задано',
  removed: 'удалено',
  status: 'смена статуса',
};

const box = document.getElementById('audit-list')!;
const entity = document.getElementById('audit-entity') as HTMLSelectElement;
const params = new URLSearchParams(location.search);
if (params.get('entity')) entity.value = params.get('entity')!;
const regionAdmin = isRegionAdmin();
/** An organization's administrator reads the history of one of their organizations at a time (the API allows no more). */
let orgChoice: HTMLSelectElement | null = null;

const names: AuditNames = { organizations: {}, roles: ROLE_NAMES, orgKinds: ORG_KIND_NAMES, pollStatuses: POLL_STATUS_NAMES };
/** Settings by their label on the channels page; the region rules are one setting. */
const settingNames: Record<string, string> = { region: 'Правила региона' };
let orgList: { id: string; name: string }[] = [];
/** Staff and polls by name (a region administrator reads both lists). */
const entityNames: Record<string, Record<string, string>> = { user: {}, poll: {} };

async function loadNames(): Promise<void> {
  orgList = (await api<{ items: { id: string; name: string }[] }>('/api/v1/organizations?limit=500')).items;
  names.organizations = Object.fromEntries(orgList.map((o) => [o.id, o.name]));
  if (!regionAdmin) return;
  const [channels, users, polls] = await Promise.all([
    api<{ settings: { key: string; label: string }[] }>('/api/v1/settings/channels'),
    api<{ items: { id: string; displayName: string }[] }>('/api/v1/users?limit=500'),
    api<{ items: { id: string; title: string }[] }>('/api/v1/polls?limit=500'),
  ]);
  for (const s of channels.settings) settingNames[s.key] = s.label;
  entityNames.user = Object.fromEntries(users.items.map((u) => [u.id, u.displayName]));
  entityNames.poll = Object.fromEntries(polls.items.map((p) => [p.id, p.title]));
}

/** What changed, in words: «Организация «…»», «Настройка «Токен бота»». */
function subjectText(e: Entry): string {
  const what = ENTITY_NAMES[e.entity] ?? e.entity;
  if (e.entity === 'settings' && e.entityId) return `${what} «${settingNames[e.entityId] ?? e.entityId}»`;
  const name = e.entityId ? (e.entity === 'organization' ? names.organizations : entityNames[e.entity])?.[e.entityId] : undefined;
  return name ? `${what} «${name}»` : what;
}

async function chooseOrganization(): Promise<void> {
  const mine = await administeredOrgIds();
  const options = orgList.filter((o) => mine.has(o.id)).map((o) => [o.id, o.name] as [string, string]);
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
  box.replaceChildren(items.length ?
    h('table', {}, h('caption', { class: 'sr-only' }, 'Журнал изменений'),
      h('thead', {}, h('tr', {}, ['Когда', 'Кто', 'Что', 'Действие', 'Изменения'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {},
        items.map((e) =>
          h('tr', {}, h('td', { class: 'nowrap' }, ruDateTime(e.at)), h('td', {}, e.actorName ?? (e.actor === 'system' ? 'Система' : e.actor)),
            h('td', {}, subjectText(e)), h('td', {}, ACTION_NAMES[e.action] ?? e.action), h('td', { class: 'snippet' }, describeChanges(e, names)))
        )))
    : h('p', { class: 'muted' }, 'Изменений пока нет.'));
  document.body.dataset.auditReady = String(items.length);
}
entity.addEventListener('change', () => void load());
void loadNames().then(() => (regionAdmin ? undefined : chooseOrganization())).then(load).catch((err: Error) =>
  box.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message))
);

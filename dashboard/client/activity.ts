// Who is not looking: the organizations with waiting cases and the last time any of their staff opened the desk or a
// case; those nobody has looked at for more than a day first, each with its people.
import { api, h, ruDateTime } from './_common.js';

interface Member {
  userId: string;
  displayName: string;
  roles: string[];
  lastSeenAt: string | null;
}
interface OrgActivity {
  organizationId: string;
  name: string;
  waiting: number;
  nearestDeadlineAt: string | null;
  lastLookAt: string | null;
  idle: boolean;
  members: Member[];
}

const ROLE_NAMES: Record<string, string> = {
  administrator: 'администратор',
  coordinator: 'координатор',
  leader: 'руководитель',
  curator: 'куратор',
  executor: 'исполнитель',
  moderator: 'модератор',
};

const when = (iso: string | null) => (iso ? ruDateTime(iso) : 'ни разу');

function table(items: OrgActivity[]): HTMLElement {
  if (!items.length) return h('p', { class: 'muted' }, 'Таких организаций нет.');
  return h('table', {}, h('caption', { class: 'sr-only' }, 'Активность сотрудников организаций'),
    h('thead', {}, h('tr', {}, ['Организация', 'Ждут ответа', 'Ближайший срок', 'Последний вход', 'Сотрудники'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {},
      items.map((o) =>
        h('tr', { class: o.idle ? 'idle' : '', 'data-organization': o.organizationId },
          h('td', {},
            h('a', { href: `/cases?organizationId=${o.organizationId}&status=routed,assigned,in_progress,draft,on_approval,returned,repeat_review` }, o.name),
            o.idle ? h('div', { class: 'bad' }, 'Никто не смотрит больше суток') : null), h('td', {}, String(o.waiting)),
          h('td', {}, o.nearestDeadlineAt ? ruDateTime(o.nearestDeadlineAt) : '—'), h('td', {}, when(o.lastLookAt)), h('td', {}, o.members.length
            ? h('ul', {}, o.members.map((m) => h('li', {}, `${m.displayName} (${m.roles.map((r) => ROLE_NAMES[r] ?? r).join(', ')}): ${when(m.lastSeenAt)}`)))
            : h('span', { class: 'bad' }, 'нет сотрудников')))
      )));
}

async function load() {
  const onlyIdle = (document.getElementById('only-idle') as HTMLInputElement).checked;
  const list = document.getElementById('activity-list')!;
  const status = document.getElementById('activity-status')!;
  try {
    const data = await api<{ items: OrgActivity[]; total: number }>(`/api/v1/activity/organizations?limit=500${onlyIdle ? '&idle=true' : ''}`);
    status.textContent = `Организаций: ${data.total}`;
    list.replaceChildren(table(data.items));
  } catch (err) {
    list.replaceChildren(h('p', { class: 'error', role: 'alert' }, (err as Error).message));
  }
  document.body.dataset.activityReady = 'true';
}

document.getElementById('only-idle')!.addEventListener('change', () => void load());
void load();

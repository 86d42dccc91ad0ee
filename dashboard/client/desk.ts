// The organizations' desk: per role, the coordinator's incoming list, the executor's assigned list, the leader's
// approval queue and the curator's overview; the notification centre and the alert settings; and the ЛКО readiness
// dialog of ПОС.
import { alertSettings } from './_alert-settings.js';
import { announce, api, casesTable, h, type CaseSummary } from './_common.js';
import { detached } from './_detached.js';
import { notificationCentre } from './_notifications.js';

interface Me {
  user: { id: string; displayName: string };
  roles: { role: string; organizationId: string | null }[];
  organizations: { id: string; name: string; trainingConfirmed: boolean; readyConfirmed: boolean }[];
  confirmationRequired: boolean;
  confirmationOrganizations: string[];
  unreadNotifications: number;
}

const root = document.getElementById('desk')!;

const SECTIONS: { role: string; id: string; title: string; query: string; note: string }[] = [
  { role: 'coordinator', id: 'incoming', title: 'Входящие координатора', query: 'status=routed,repeat_review,returned&sort=deadline',
    note: 'Направленные в организацию: назначьте исполнителя или возьмите в работу.' },
  { role: 'executor', id: 'assigned', title: 'Мои обращения', query: 'assignedToMe=true&status=assigned,in_progress,draft,returned,repeat_review&sort=deadline',
    note: 'Назначенные вам: подготовьте ответ.' },
  { role: 'leader', id: 'approval', title: 'На утверждении', query: 'status=on_approval&sort=deadline', note: 'Ответы, ждущие вашего утверждения.' },
  { role: 'curator', id: 'overview', title: 'Обзор куратора', query: 'limit=200&sort=deadline', note: 'Все обращения курируемых организаций.' },
];

async function section(s: (typeof SECTIONS)[number], manyOrganizations: boolean): Promise<HTMLElement> {
  const body = h('div', {}, h('p', {}, 'Загрузка…'));
  const el = h('section', { class: 'card', id: `desk-${s.id}`, 'aria-labelledby': `h-${s.id}` }, h('h2', { id: `h-${s.id}` }, s.title),
    h('p', { class: 'muted' }, s.note), body);
  try {
    const data = await api<{ items: CaseSummary[]; total: number }>(`/api/v1/cases?${s.query}`);
    const overdue = data.items.filter((c) => c.overdue).length;
    body.replaceChildren(h('p', {}, `Всего: ${data.total}${overdue ? `, просрочено: ${overdue}` : ''}`),
      casesTable(data.items, s.title, { organization: manyOrganizations || s.role === 'curator' }));
  } catch (err) {
    body.replaceChildren(h('p', { class: 'error', role: 'alert' }, (err as Error).message));
  }
  return el;
}

function readiness(me: Me) {
  const dialog = document.getElementById('readiness') as HTMLDialogElement;
  const training = document.getElementById('training-confirmed') as HTMLInputElement;
  const ready = document.getElementById('ready-confirmed') as HTMLInputElement;
  const confirm = document.getElementById('readiness-confirm') as HTMLButtonElement;
  const pending = me.organizations.filter((o) => me.confirmationOrganizations.includes(o.id));
  document.getElementById('readiness-orgs')!.textContent = `Организации: ${pending.map((o) => o.name).join(', ')}`;
  training.checked = pending.every((o) => o.trainingConfirmed);
  ready.checked = pending.every((o) => o.readyConfirmed);
  const sync = () => (confirm.disabled = !(training.checked && ready.checked));
  training.addEventListener('change', sync);
  ready.addEventListener('change', sync);
  sync();
  confirm.addEventListener('click', detached(async () => {
    try {
      for (const o of pending) await api(`/api/v1/organizations/${o.id}/confirm`, { method: 'POST', body: { trainingConfirmed: true, readyConfirmed: true } });
      dialog.close();
      document.body.dataset.readiness = 'confirmed';
    } catch (err) {
      announce(document.getElementById('readiness-error'), (err as Error).message, true);
    }
  }));
  document.getElementById('readiness-close')!.addEventListener('click', () => dialog.close());
  dialog.showModal();
  document.body.dataset.readiness = 'asked';
}

async function start() {
  notificationCentre();
  alertSettings();
  const me = await api<Me>('/api/v1/me');
  const roles = new Set(me.roles.map((r) => r.role));
  const mine = SECTIONS.filter((s) => roles.has(s.role));
  root.replaceChildren(
    h('p', {}, `${me.user.displayName}: ${me.organizations.map((o) => o.name).join(', ') || 'без организации'}`,
      me.unreadNotifications ? h('a', { class: 'badge warn', href: '#notifications' }, `Новых уведомлений: ${me.unreadNotifications}`) : null),
    ...(mine.length
      ? await Promise.all(mine.map((s) => section(s, me.organizations.length > 1)))
      : [h('p', { class: 'muted' }, 'У вас нет ролей в организациях.')]),
  );
  document.body.dataset.deskReady = 'true';
  if (me.confirmationRequired) readiness(me);
}
void start();

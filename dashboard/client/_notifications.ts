// The notification centre of the desk: the user's notices newest first, unread ones marked, each leading to its case;
// read/unread per notice and «all read». Opening a case from a notice marks the notice read.
import { announce, api, h, ruDateTime } from './_common.js';
import { detached } from './_detached.js';

interface Notice {
  id: string;
  caseId: string | null;
  registrationNumber: string | null;
  topic: string | null;
  text: string;
  createdAt: string;
  readAt: string | null;
  url: string | null;
}
interface NoticePage {
  items: Notice[];
  total: number;
  unread: number;
}

const PAGE = 20;
const TOPIC_NAMES: Record<string, string> = {
  routed: 'Направлено в организацию',
  assigned: 'Назначено мне',
  approval: 'На утверждение',
  returned: 'Возвращено',
  deadline: 'Срок подходит',
  overdue: 'Срок истёк',
  repeat_review: 'Повторное рассмотрение',
  escalation: 'Никто не смотрит',
};

const mark = (n: Notice, read: boolean) => api(`/api/v1/notifications/${n.id}/${read ? 'read' : 'unread'}`, { method: 'POST' });

/** One notice: unread ones marked (in words too, for screen readers), its case link, and the read/unread toggle. */
function noticeItem(n: Notice, onToggle: () => void): HTMLLIElement {
  const unread = !n.readAt;
  const toggle = h('button', { type: 'button', class: 'link' }, unread ? 'Отметить прочитанным' : 'Отметить непрочитанным');
  toggle.addEventListener('click', onToggle);
  const open = n.url ? h('a', { href: n.url, 'data-open': n.id }, `Открыть обращение${n.registrationNumber ? ` № ${n.registrationNumber}` : ''}`) : null;
  // Opening the case from an unread notice reads it.
  open?.addEventListener('click', detached(async (e) => {
    if (!unread) return;
    e.preventDefault();
    await mark(n, true).catch(() => undefined);
    location.href = n.url!;
  }));
  return h('li', { class: `notification${unread ? ' unread' : ''}`, 'data-notification': n.id },
    h('div', { class: 'notification-head' }, unread ? h('span', { class: 'badge new' }, 'Новое') : null,
      h('strong', {}, TOPIC_NAMES[n.topic ?? ''] ?? 'Уведомление'), h('time', { datetime: n.createdAt }, ruDateTime(n.createdAt))),
    h('p', { class: 'text' }, n.text), h('div', { class: 'notification-actions' }, open, toggle));
}

export function notificationCentre(): void {
  const list = document.getElementById('notifications-list') as HTMLUListElement;
  const status = document.getElementById('notifications-status');
  const badge = document.getElementById('unread-badge')!;
  const onlyUnread = document.getElementById('only-unread') as HTMLInputElement;
  const more = document.getElementById('notifications-more') as HTMLButtonElement;
  const readAll = document.getElementById('read-all') as HTMLButtonElement;
  let shown = 0;

  const setUnread = (n: number) => {
    badge.hidden = n === 0;
    badge.textContent = `новых: ${n}`;
    readAll.disabled = n === 0;
    document.body.dataset.unread = String(n);
  };

  const item = (n: Notice) =>
    noticeItem(n, detached(async () => {
      try {
        await mark(n, !n.readAt);
        await load(true);
        announce(status, n.readAt ? 'Уведомление отмечено непрочитанным.' : 'Уведомление отмечено прочитанным.');
      } catch (err) {
        announce(status, (err as Error).message, true);
      }
    }));

  async function load(reset: boolean): Promise<void> {
    const offset = reset ? 0 : shown;
    const page = await api<NoticePage>(
      `/api/v1/notifications?limit=${reset ? Math.max(PAGE, shown) : PAGE}&offset=${offset}${onlyUnread.checked ? '&unread=true' : ''}`,
    );
    if (reset) list.replaceChildren();
    list.append(...page.items.map(item));
    shown = offset + page.items.length;
    const total = onlyUnread.checked ? page.unread : page.total;
    more.hidden = shown >= total;
    setUnread(page.unread);
    if (total === 0) announce(status, onlyUnread.checked ? 'Непрочитанных уведомлений нет.' : 'Уведомлений пока нет.');
    else if (reset) announce(status, `Показано ${shown} из ${total}.`);
    document.body.dataset.notificationsReady = 'true';
  }

  const reload = () => load(true).catch((err) => announce(status, (err as Error).message, true));
  onlyUnread.addEventListener('change', () => {
    shown = 0;
    void reload();
  });
  more.addEventListener('click', () => void load(false).catch((err) => announce(status, (err as Error).message, true)));
  readAll.addEventListener('click', detached(async () => {
    try {
      const r = await api<{ marked: number }>('/api/v1/notifications/read-all', { method: 'POST' });
      await load(true);
      announce(status, `Отмечено прочитанными: ${r.marked}.`);
    } catch (err) {
      announce(status, (err as Error).message, true);
    }
  }));
  void reload();
}

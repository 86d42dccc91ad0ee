// Where and about what Otklik alerts the user outside the app: e-mail (the staff card's address), Telegram (linked
// with a one-time code sent to the bot), the topics, and the twice-daily digest.
import { announce, api, h, ruDateTime } from './_common.js';
import { detached } from './_detached.js';

interface Settings {
  email: { enabled: boolean; address: string | null };
  telegram: { enabled: boolean; linked: boolean };
  topics: { topic: string; title: string; enabled: boolean }[];
  digest: boolean;
  digestTimes: string[];
  intervalMinutes: number;
}

const check = (id: string, label: string | Node, checked: boolean, disabled = false) =>
  h('label', { class: 'check' }, h('input', { type: 'checkbox', id, checked, disabled }), label);

function telegramBlock(s: Settings, status: HTMLElement, refresh: () => Promise<void>): HTMLElement {
  const codeText = h('p', { id: 'telegram-code-text', 'aria-live': 'polite' });
  const getCode = h('button', { type: 'button', id: 'telegram-code' }, s.telegram.linked ? 'Привязать другой чат' : 'Получить код для Telegram');
  getCode.addEventListener('click', detached(async () => {
    try {
      const r = await api<{ code: string; command: string; expiresAt: string }>('/api/v1/me/alerts/telegram-code', { method: 'POST' });
      codeText.replaceChildren('Отправьте боту Отклика сообщение ', h('code', {}, r.command), ` до ${ruDateTime(r.expiresAt)}.`);
    } catch (err) {
      announce(status, (err as Error).message, true);
    }
  }));
  const unlink = s.telegram.linked ? h('button', { type: 'button', id: 'telegram-unlink' }, 'Отвязать Telegram') : null;
  unlink?.addEventListener('click', detached(async () => {
    try {
      await api('/api/v1/me/alerts/telegram', { method: 'DELETE' });
      await refresh();
      announce(document.getElementById('alerts-status'), 'Telegram отвязан.');
    } catch (err) {
      announce(status, (err as Error).message, true);
    }
  }));
  return h('div', { class: 'telegram-link' }, getCode, ' ', unlink, codeText);
}

function render(form: HTMLFormElement, s: Settings, refresh: () => Promise<void>): void {
  const status = h('p', { id: 'alerts-status', role: 'status' });
  const emailLabel = s.email.address
    ? `Электронная почта (${s.email.address})`
    : 'Электронная почта — в вашей карточке нет адреса, попросите администратора его указать';
  const telegramLabel = s.telegram.linked ? 'Telegram (чат привязан)' : 'Telegram — сначала привяжите чат кодом';
  form.replaceChildren(
    h('fieldset', {}, h('legend', {}, 'Куда сообщать'), check('alert-email', emailLabel, s.email.enabled && !!s.email.address, !s.email.address),
      check('alert-telegram', telegramLabel, s.telegram.enabled, !s.telegram.linked), telegramBlock(s, status, refresh)),
    h('fieldset', {}, h('legend', {}, 'О чём сообщать'), ...s.topics.map((t) => check(`topic-${t.topic}`, t.title, t.enabled))),
    check('alert-digest', `Сводка дважды в день (${s.digestTimes.join(' и ')}): что ждёт вас и у чего подходит срок`, s.digest),
    h('p', { class: 'muted' }, `Уведомления группируются: не больше одного сообщения в ${s.intervalMinutes} мин.`),
    h('div', {}, h('button', { type: 'submit', class: 'primary' }, 'Сохранить')),
    status,
  );
  form.dataset.ready = 'true';
}

export function alertSettings(): void {
  const form = document.getElementById('alerts-form') as HTMLFormElement;
  let current: Settings | undefined;
  const refresh = async () => {
    current = await api<Settings>('/api/v1/me/alerts');
    render(form, current, refresh);
  };
  form.addEventListener('submit', detached(async (e) => {
    e.preventDefault();
    if (!current) return;
    const checked = (id: string) => (document.getElementById(id) as HTMLInputElement | null)?.checked ?? false;
    try {
      current = await api<Settings>('/api/v1/me/alerts', { method: 'PUT', body: {
        emailEnabled: checked('alert-email') || (!current.email.address && current.email.enabled),
        telegramEnabled: checked('alert-telegram'),
        mutedTopics: current.topics.filter((t) => !checked(`topic-${t.topic}`)).map((t) => t.topic),
        digest: checked('alert-digest'),
      } });
      render(form, current, refresh);
      announce(document.getElementById('alerts-status'), 'Настройки уведомлений сохранены.');
    } catch (err) {
      announce(document.getElementById('alerts-status'), (err as Error).message, true);
    }
  }));
  refresh().catch((err) => form.replaceChildren(h('p', { class: 'error', role: 'alert' }, (err as Error).message)));
}

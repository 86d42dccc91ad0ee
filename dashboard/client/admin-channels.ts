// Channels: each network's settings (secrets write-only), where each value comes from, and what the channel does now.
import { api, h, ruDateTime } from './_common.js';
import { attempt, checkbox, field, input, linesOf, textarea } from './_admin.js';

interface Setting {
  key: string;
  network: string;
  label: string;
  kind: 'text' | 'secret' | 'list' | 'ids' | 'flag';
  apply: 'live' | 'restart';
  env: string;
  help: string;
  value?: unknown;
  set: boolean;
  envSet: boolean;
  envValue?: unknown;
  updatedAt?: string;
  updatedByName?: string | null;
}
interface View {
  networks: { id: string; name: string }[];
  settings: Setting[];
}

const MODE_NAMES: Record<string, string> = { on: 'включён', off: 'выключен', callback: 'включён (Callback API)', longpoll: 'включён (Long Poll)',
  webhook: 'включён (вебхук)', polling: 'включён (опрос)' };
const MODE_KEYS: Record<string, string[]> = { contact_center: ['contact_center'], widget: ['widget'], vk: ['vk', 'vk_outbound', 'vk_search'],
  telegram: ['telegram'] };
const MODE_LABELS: Record<string, string> = { contact_center: 'приём карточек', widget: 'виджет', vk: 'приём событий', vk_outbound: 'ответы',
  vk_search: 'поиск', telegram: 'бот' };

const status = document.getElementById('channels-status');
const box = document.getElementById('channels')!;
const form = document.getElementById('channels-form') as HTMLFormElement;
const controls = new Map<string, { def: Setting; read: () => unknown | undefined; remove?: HTMLInputElement }>();

function source(s: Setting): string {
  if (s.set) return `задано здесь${s.updatedAt ? `, ${ruDateTime(s.updatedAt)}` : ''}${s.updatedByName ? ` (${s.updatedByName})` : ''}`;
  if (s.envSet) return `из переменной окружения ${s.env}`;
  return `не задано (переменная ${s.env})`;
}

function control(s: Setting): HTMLElement {
  const current = s.set ? s.value : s.envValue;
  const restart = s.apply === 'restart' ? h('span', { class: 'warn' }, ' · после перезапуска') : h('span', { class: 'muted' }, ' · сразу');
  let el: HTMLElement;
  let read: () => unknown | undefined;
  let remove: HTMLInputElement | undefined;
  if (s.kind === 'secret') {
    const i = input(s.key, '', { type: 'password', autocomplete: 'off',
      placeholder: s.set || s.envSet ? '•••••• (задан; введите новый, чтобы заменить)' : 'не задан' });
    el = field(s.label, i, s.help);
    read = () => (i.value.trim() ? i.value.trim() : undefined);
  } else if (s.kind === 'flag') {
    const c = checkbox(s.key, current === true);
    el = field(s.label, c, s.help);
    read = () => (c.checked !== (current === true) ? c.checked : undefined);
  } else if (s.kind === 'list' || s.kind === 'ids') {
    const initial = Array.isArray(current) ? current.join('\n') : '';
    const t = textarea(s.key, initial, 3);
    el = field(s.label, t, s.help);
    read = () => {
      if (t.value === initial) return undefined;
      const items = linesOf(t.value.replace(/,/g, '\n'));
      return s.kind === 'ids' ? items.map((x) => Math.abs(Number(x))) : items;
    };
  } else {
    const initial = typeof current === 'string' ? current : '';
    const i = input(s.key, initial, { maxlength: 2000 });
    el = field(s.label, i, s.help);
    read = () => (i.value.trim() !== initial ? i.value.trim() : undefined);
  }
  if (s.set) remove = checkbox(`remove-${s.key}`, false);
  controls.set(s.key, { def: s, read, remove });
  return h('div', { class: 'setting', 'data-setting': s.key }, el, h('p', { class: 'source muted' }, source(s), restart),
    remove ? field('Убрать значение, заданное здесь', remove) : null);
}

async function render(view: View) {
  const health = await fetch('/healthz').then((r) => r.json() as Promise<{ channels?: Record<string, string> }>).catch(() => ({ channels: undefined }));
  controls.clear();
  box.replaceChildren(...view.networks.map((n) => {
    const modes = (MODE_KEYS[n.id] ?? [n.id]).filter((k) => health.channels?.[k]).map((k) =>
      `${MODE_LABELS[k] ?? k}: ${MODE_NAMES[health.channels![k]!] ?? health.channels![k]}`
    );
    return h('section', { class: 'card network', 'data-network': n.id, 'aria-labelledby': `h-net-${n.id}` },
      h('h2', { id: `h-net-${n.id}` }, n.name, modes.length ? h('span', { class: 'mode' }, ` — ${modes.join(', ')}`) : null),
      view.settings.filter((s) => s.network === n.id).map(control));
  }));
  document.body.dataset.channelsReady = 'true';
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const values: Record<string, unknown> = {};
  for (const [key, c] of controls) {
    if (c.remove?.checked) values[key] = null;
    else {
      const v = c.read();
      if (v !== undefined) values[key] = (Array.isArray(v) && v.length === 0) ? null : v === '' ? null : v;
    }
  }
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  void attempt(status, button, async () => {
    if (!Object.keys(values).length) return 'Изменений нет.';
    const view = await api<View>('/api/v1/settings/channels', { method: 'PUT', body: { values } });
    await render(view);
    const restart = Object.keys(values).some((k) => controls.get(k)?.def.apply === 'restart');
    return restart
      ? 'Сохранено. Часть изменений вступит в силу после перезапуска Отклика.'
      : 'Сохранено. Изменения вступают в силу в течение нескольких секунд.';
  });
});

void api<View>('/api/v1/settings/channels').then(render).catch((err: Error) => box.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message)));

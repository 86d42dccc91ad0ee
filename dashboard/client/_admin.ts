// Shared by the administration pages' scripts: labelled form fields, status lines, names of roles and kinds.
import { announce, api, h } from './_common.js';

export const ROLE_NAMES: Record<string, string> = {
  administrator: 'Администратор',
  moderator: 'Модератор (мониторинг)',
  coordinator: 'Координатор',
  executor: 'Исполнитель',
  leader: 'Руководитель',
  curator: 'Куратор',
};
export const ORG_ROLES = ['coordinator', 'executor', 'leader', 'curator', 'administrator'];
export const REGION_ROLES = ['administrator', 'moderator'];

export const ORG_KIND_NAMES: Record<string, string> = {
  region: 'Регион',
  roiv: 'Орган исполнительной власти (РОИВ)',
  omsu: 'Местное самоуправление (ОМСУ)',
  school: 'Школа',
  management_company: 'Управляющая компания',
  institution: 'Учреждение',
  other: 'Другое',
};

export const POLL_STATUS_NAMES: Record<string, string> = {
  draft: 'Черновик',
  published: 'Опубликовано (ещё не открыто)',
  open: 'Идёт голосование',
  closed: 'Завершено',
  results_published: 'Итоги опубликованы',
};

export const isRegionAdmin = () => document.getElementById('admin')?.dataset.regionAdmin === '1';

/** The organizations the signed-in user administers (an organization's administrator manages only these). */
export async function administeredOrgIds(): Promise<Set<string>> {
  const me = await api<{ roles: { role: string; organizationId: string | null }[] }>('/api/v1/me');
  return new Set(me.roles.filter((r) => r.role === 'administrator' && r.organizationId).map((r) => r.organizationId!));
}

let seq = 0;
/** A labelled control: the label names it for screen readers (for=id). */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  if (!control.id) control.id = `f${++seq}`;
  const hintEl = hint ? h('span', { class: 'muted', id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return control instanceof HTMLInputElement && control.type === 'checkbox'
    ? h('label', { class: 'check', for: control.id }, control, label)
    : h('span', { class: 'fld' }, h('label', { for: control.id }, label), control, hintEl);
}

export function input(name: string, value = '', attrs: Record<string, string | number | boolean> = {}): HTMLInputElement {
  const el = h('input', { name, ...attrs }) as HTMLInputElement;
  el.value = value;
  return el;
}

export function checkbox(name: string, checked: boolean): HTMLInputElement {
  const el = h('input', { type: 'checkbox', name }) as HTMLInputElement;
  el.checked = checked;
  return el;
}

export function select(name: string, options: [string, string][], value = ''): HTMLSelectElement {
  const el = h('select', { name }, options.map(([v, t]) => h('option', { value: v }, t))) as HTMLSelectElement;
  el.value = value;
  return el;
}

export function textarea(name: string, value = '', rows = 3): HTMLTextAreaElement {
  const el = h('textarea', { name, rows }) as HTMLTextAreaElement;
  el.value = value;
  return el;
}

/** Lines of a textarea, trimmed, without empty ones. */
export const linesOf = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** Runs a change and says how it went in the page's status line; the button stays disabled while it runs. */
export async function attempt(status: HTMLElement | null, button: HTMLButtonElement | null, run: () => Promise<string>): Promise<boolean> {
  if (button) button.disabled = true;
  try {
    announce(status, await run());
    return true;
  } catch (err) {
    announce(status, `Не удалось: ${(err as Error).message}`, true);
    return false;
  } finally {
    if (button) button.disabled = false;
  }
}

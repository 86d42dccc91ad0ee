// Building blocks of the widget's forms. Text from the server or the citizen is always set as text, never as markup.

/** An element with its attributes (set in the order given) and, when non-empty, its text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const name of Object.keys(attrs)) e.setAttribute(name, attrs[name]!);
  if (text) e.textContent = text;
  return e;
}

/** Appends a label and its control to the form; the label's `for` makes the control reachable by its caption. */
export function field<T extends HTMLElement>(form: HTMLElement, id: string, caption: string, control: T): T {
  control.id = id;
  form.appendChild(el('label', { for: id }, caption));
  form.appendChild(control);
  return control;
}

/** A suffix keeping element ids unique when one page holds several widgets. */
export const idSuffix = (): string => Math.random().toString(36).slice(2, 8);

export interface StatusLine {
  element: HTMLDivElement;
  show(message: string, isError?: boolean): void;
}

/** The line under a form that screen readers announce: progress, errors, the outcome. */
export function statusLine(): StatusLine {
  const element = el('div', { class: 'otklik-status', role: 'status', 'aria-live': 'polite' });
  return {
    element,
    show(message, isError) {
      element.textContent = message;
      element.className = `otklik-status${isError ? ' otklik-error' : ''}`;
    },
  };
}

export interface JsonReply<T> {
  ok: boolean;
  body: T;
}

/** A fetch whose reply is JSON whatever the status; a reply that is not JSON rejects, like a network failure. */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<JsonReply<T>> {
  const response = await fetch(url, init);
  return { ok: response.ok, body: (await response.json()) as T };
}

/** A JSON request; the voter token proves a confirmed identity to the polls API. */
export function jsonRequest(method: string, body?: unknown, voterToken?: string | null): RequestInit {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (voterToken) headers['X-Voter-Token'] = voterToken;
  return { method, headers, body: body ? JSON.stringify(body) : undefined };
}

/** A random UUID, also on plain-http sites and older browsers where crypto.randomUUID is missing. */
export function uuid(): string {
  if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6]! & 15) | 64; // version 4
  b[8] = (b[8]! & 63) | 128; // RFC 4122 variant
  const h = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

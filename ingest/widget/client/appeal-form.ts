// The appeal form: a citizen describes a problem, gives a phone or e-mail for the answer, consents to the processing
// of personal data, sends, and sees the registration number once the workflow has registered the appeal.
import { WIDGET_CATEGORIES } from '../categories.js';
import { el, fetchJson, field, idSuffix, jsonRequest, statusLine, uuid, type StatusLine } from './dom.js';
import { ensureStyle } from './style.js';

interface AppealFields {
  category: HTMLSelectElement;
  text: HTMLTextAreaElement;
  address: HTMLInputElement;
  name: HTMLInputElement;
  phone: HTMLInputElement;
  email: HTMLInputElement;
  /** The honeypot: hidden from people, filled by bots. */
  website: HTMLInputElement;
  consent: HTMLInputElement;
}

/** What the widget API answers: the message's id once accepted, or an error in Russian. */
interface SubmitReply {
  messageId: string;
  error?: string;
}

interface RegistrationReply {
  registrationNumber?: string;
}

/** How many more times (about once a second) the form asks for the registration number before it says it comes later. */
const REGISTRATION_CHECKS = 60;

function appealFields(form: HTMLFormElement, n: string): AppealFields {
  const category = field(form, `otklik-category-${n}`, 'Категория', el('select', { name: 'category' }));
  for (const c of WIDGET_CATEGORIES) category.appendChild(el('option', { value: c }, c));
  const text = field(form, `otklik-text-${n}`, 'Опишите проблему', el('textarea', { name: 'text', maxlength: '5000', required: '' }));
  const address = field(form, `otklik-address-${n}`, 'Адрес', el('input', { type: 'text', name: 'address', maxlength: '1000' }));
  const name = field(form, `otklik-name-${n}`, 'Ваше имя', el('input', { type: 'text', name: 'name', maxlength: '300', autocomplete: 'name' }));
  const phone = field(form, `otklik-phone-${n}`, 'Телефон', el('input', { type: 'tel', name: 'phone', maxlength: '50', autocomplete: 'tel' }));
  const email = field(form, `otklik-email-${n}`, 'Электронная почта', el('input', { type: 'email', name: 'email', maxlength: '300', autocomplete: 'email' }));
  const honeypot = el('div', { class: 'otklik-hp', 'aria-hidden': 'true' });
  const website = el('input', { type: 'text', name: 'website', tabindex: '-1', autocomplete: 'off' });
  honeypot.appendChild(el('label', {}, 'Не заполняйте это поле'));
  honeypot.appendChild(website);
  form.appendChild(honeypot);
  const consentRow = el('div', { class: 'otklik-consent' });
  const consent = el('input', { type: 'checkbox', name: 'consent', id: `otklik-consent-${n}` });
  consentRow.appendChild(consent);
  consentRow.appendChild(el('label', { for: `otklik-consent-${n}` }, 'Я согласен(а) на обработку персональных данных'));
  form.appendChild(consentRow);
  return { category, text, address, name, phone, email, website, consent };
}

/** The first thing the citizen must fix before sending, or undefined (the server checks everything again). */
function problemWith(f: AppealFields): string | undefined {
  if (!f.consent.checked) return 'Нужно согласие на обработку персональных данных.';
  if (f.text.value.trim().length < 10) return 'Опишите проблему подробнее.';
  if (!f.phone.value.trim() && !f.email.value.trim()) return 'Укажите телефон или e-mail для ответа.';
  return undefined;
}

/** The body of POST /api/v1/widget/messages; empty optional fields are left out. */
function submission(f: AppealFields, idempotencyKey: string, org: string) {
  return {
    idempotencyKey,
    org,
    category: f.category.value,
    text: f.text.value,
    address: f.address.value || undefined,
    name: f.name.value || undefined,
    phone: f.phone.value || undefined,
    email: f.email.value || undefined,
    consent: true,
    website: f.website.value || undefined,
  };
}

function showNumber(status: StatusLine, registrationNumber: string): void {
  status.element.className = 'otklik-status';
  status.element.textContent = '';
  status.element.appendChild(document.createTextNode('Ваше обращение зарегистрировано. Номер: '));
  status.element.appendChild(el('span', { class: 'otklik-number' }, registrationNumber));
}

/** Asks once a second until the appeal has its number; a failed request is retried after two seconds. */
async function awaitRegistration(base: string, messageId: string, status: StatusLine, tries: number): Promise<void> {
  let delay: number;
  try {
    const reply = await fetch(`${base}/api/v1/widget/messages/${encodeURIComponent(messageId)}`);
    const state = (await reply.json()) as RegistrationReply;
    if (state.registrationNumber) return showNumber(status, state.registrationNumber);
    if (tries <= 0) return status.show('Обращение принято. Номер регистрации будет направлен вам позже.');
    delay = 1000;
  } catch {
    if (tries <= 0) return;
    delay = 2000;
  }
  setTimeout(() => void awaitRegistration(base, messageId, status, tries - 1), delay);
}

export function renderAppealForm(base: string, org: string, container: HTMLElement): HTMLFormElement {
  ensureStyle();
  const form = el('form', { class: 'otklik-w', novalidate: '' });
  form.appendChild(el('h3', {}, 'Сообщить о проблеме'));
  const fields = appealFields(form, idSuffix());
  const button = el('button', { type: 'submit' }, 'Отправить');
  form.appendChild(button);
  const status = statusLine();
  form.appendChild(status.element);
  // One key per form fill: a double click or a retry after a lost answer is the same message to the server.
  let key = uuid();
  let busy = false;

  async function send(): Promise<void> {
    busy = true;
    button.disabled = true;
    status.show('Отправляем…');
    try {
      const reply = await fetchJson<SubmitReply>(`${base}/api/v1/widget/messages`, jsonRequest('POST', submission(fields, key, org)));
      busy = false;
      button.disabled = false;
      if (!reply.ok) return status.show(reply.body.error || 'Не удалось отправить обращение.', true);
      // The next form fill is a new message; this one kept its key for retries until it was accepted.
      key = uuid();
      fields.text.value = '';
      status.show('Обращение принято, регистрируем…');
      void awaitRegistration(base, reply.body.messageId, status, REGISTRATION_CHECKS);
    } catch {
      busy = false;
      button.disabled = false;
      status.show('Нет связи с сервером. Попробуйте ещё раз.', true);
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (busy) return;
    const problem = problemWith(fields);
    if (problem) return status.show(problem, true);
    void send();
  });
  container.appendChild(form);
  return form;
}

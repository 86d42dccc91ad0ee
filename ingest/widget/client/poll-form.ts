// Poll mode: the poll's questions, a one-time code to the voter's phone or e-mail, then the vote through the public
// polls API (channel 'widget'). The server checks the ballot again; the form only catches the obvious omissions.
import { el, fetchJson, field, idSuffix, jsonRequest, statusLine, type JsonReply, type StatusLine } from './dom.js';
import { ensureStyle } from './style.js';

/** A poll as GET /api/v1/public/polls/:id gives it: the parts the widget shows. */
interface PollQuestion {
  id: string;
  kind: 'single' | 'multiple' | 'scale' | 'text';
  text: string;
  required: boolean;
  scaleMin: number;
  scaleMax: number;
  options: { id: string; text: string }[];
}
interface WidgetPoll {
  title: string;
  description?: string;
  municipalities?: string[];
  minAge?: number | null;
  closesAt?: string | null;
  questions: PollQuestion[];
}

type Answer = { questionId: string; optionIds: string[] } | { questionId: string; value: number } | { questionId: string; text: string };
/** Reads the voter's answer to one question; null when it is not answered. */
type AnswerReader = () => Answer | null;

interface ErrorReply {
  error?: string;
}
interface CodeReply extends ErrorReply {
  challengeId: string;
}
interface VerifyReply extends ErrorReply {
  token: string;
}
interface VoteReply extends ErrorReply {
  message: string;
}

type PollApi = <T>(method: string, path: string, body?: unknown, voterToken?: string | null) => Promise<JsonReply<T>>;

interface Ballot {
  form: HTMLFormElement;
  readers: AnswerReader[];
  municipality: HTMLSelectElement | null;
  age: HTMLInputElement | null;
  contact: HTMLInputElement;
  getCode: HTMLButtonElement;
  code: HTMLInputElement;
  vote: HTMLButtonElement;
}

function choiceQuestion(box: HTMLFieldSetElement, q: PollQuestion, qi: number, n: string): AnswerReader {
  q.options.forEach((o, oi) => {
    const id = `otklik-q${qi}-${oi}-${n}`;
    const row = el('div', { class: 'otklik-consent' });
    row.appendChild(el('input', { type: q.kind === 'single' ? 'radio' : 'checkbox', name: `q${qi}-${n}`, value: o.id, id }));
    row.appendChild(el('label', { for: id }, o.text));
    box.appendChild(row);
  });
  return () => {
    const optionIds = Array.from(box.querySelectorAll<HTMLInputElement>('input:checked'), (i) => i.value);
    return optionIds.length ? { questionId: q.id, optionIds } : null;
  };
}

/** A row of radio buttons, as on the poll page: the same question looks the same wherever it is answered. */
function scaleQuestion(box: HTMLFieldSetElement, q: PollQuestion, qi: number, n: string): AnswerReader {
  const row = el('div', { class: 'otklik-scale' });
  for (let v = q.scaleMin; v <= q.scaleMax; v++) {
    const id = `otklik-q${qi}-v${v}-${n}`;
    row.appendChild(el('input', { type: 'radio', name: `q${qi}-${n}`, value: String(v), id }));
    row.appendChild(el('label', { for: id }, String(v)));
  }
  box.appendChild(row);
  return () => {
    const chosen = box.querySelector<HTMLInputElement>('input:checked');
    return chosen ? { questionId: q.id, value: Number(chosen.value) } : null;
  };
}

function textQuestion(box: HTMLFieldSetElement, q: PollQuestion): AnswerReader {
  const area = el('textarea', { 'aria-label': q.text, maxlength: '5000' });
  box.appendChild(area);
  return () => (area.value.trim() ? { questionId: q.id, text: area.value.trim() } : null);
}

function question(form: HTMLFormElement, q: PollQuestion, qi: number, n: string): AnswerReader {
  const box = el('fieldset', { class: 'otklik-q' });
  box.appendChild(el('legend', {}, q.text + (q.required ? ' *' : '')));
  const read = q.kind === 'single' || q.kind === 'multiple' ?
    choiceQuestion(box, q, qi, n)
    : q.kind === 'scale'
    ? scaleQuestion(box, q, qi, n)
    : textQuestion(box, q);
  form.appendChild(box);
  return read;
}

/**
 * The region's time zone: the server writes it over this marker when it serves widget.js (ingest/widget/script.ts),
 * so the widget prints times as the poll page does wherever the citizen's computer thinks it is.
 */
const REGION_TIME_ZONE = '__OTKLIK_REGION_TIME_ZONE__';

function dateFormat(): Intl.DateTimeFormat {
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' };
  try {
    return new Intl.DateTimeFormat('ru-RU', REGION_TIME_ZONE.indexOf('__') === 0 ? options : { ...options, timeZone: REGION_TIME_ZONE });
  } catch {
    return new Intl.DateTimeFormat('ru-RU', options);
  }
}

/** «14 дек. 2026, 18:00» in the region's zone, as the poll page prints it (Intl alone adds «г.» after the year). */
function closingTime(iso: string): string {
  const parts = dateFormat().formatToParts(new Date(iso));
  const part = (type: string) => parts.find((x) => x.type === type)?.value ?? '';
  return `${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')}`;
}

/** The questions, the municipality and age where the poll asks for them, the code request and the vote button. */
function ballotFields(form: HTMLFormElement, p: WidgetPoll, n: string): Ballot {
  form.appendChild(el('h3', {}, p.title));
  if (p.description) form.appendChild(el('p', {}, p.description));
  form.appendChild(el('p', { class: 'otklik-dates' }, p.closesAt ? `Голосование до ${closingTime(p.closesAt)}` : 'Голосование без даты окончания'));
  const readers = p.questions.map((q, qi) => question(form, q, qi, n));
  let municipality: HTMLSelectElement | null = null;
  if (p.municipalities && p.municipalities.length) {
    municipality = field(form, `otklik-muni-${n}`, 'Ваш муниципалитет', el('select', { name: 'municipality' }));
    municipality.appendChild(el('option', { value: '' }, 'Выберите…'));
    for (const m of p.municipalities) municipality.appendChild(el('option', { value: m }, m));
  }
  let age: HTMLInputElement | null = null;
  if (p.minAge) {
    const row = el('div', { class: 'otklik-consent' });
    age = el('input', { type: 'checkbox', id: `otklik-age-${n}` });
    row.appendChild(age);
    row.appendChild(el('label', { for: `otklik-age-${n}` }, `Мне исполнилось ${p.minAge} лет`));
    form.appendChild(row);
  }
  const contact = field(form, `otklik-contact-${n}`, 'Телефон или e-mail для подтверждения',
    el('input', { type: 'text', name: 'contact', maxlength: '320', autocomplete: 'tel' }));
  const getCode = el('button', { type: 'button' }, 'Получить код');
  form.appendChild(getCode);
  const code = field(form, `otklik-code-${n}`, 'Код из сообщения',
    el('input', { type: 'text', name: 'code', inputmode: 'numeric', maxlength: '6', autocomplete: 'one-time-code' }));
  const vote = el('button', { type: 'submit' }, 'Проголосовать');
  form.appendChild(vote);
  return { form, readers, municipality, age, contact, getCode, code, vote };
}

/** The code request and the vote; a confirmed identity (the voter token) is reused for the next vote in this form. */
function wireVoting(ballot: Ballot, call: PollApi, pollId: string, status: StatusLine): void {
  let challengeId: string | null = null;
  let token: string | null = null;

  async function requestCode(destination: string): Promise<void> {
    ballot.getCode.disabled = true;
    try {
      const reply = await call<CodeReply>('POST', '/api/v1/public/identity/code', { channel: destination.indexOf('@') >= 0 ? 'email' : 'phone', destination });
      ballot.getCode.disabled = false;
      if (!reply.ok) return status.show(reply.body.error || 'Не удалось отправить код.', true);
      challengeId = reply.body.challengeId;
      status.show('Код отправлен. Введите его и нажмите «Проголосовать».');
    } catch {
      ballot.getCode.disabled = false;
      status.show('Нет связи с сервером. Попробуйте ещё раз.', true);
    }
  }

  async function castVote(answers: Answer[]): Promise<void> {
    const { municipality, age, vote } = ballot;
    vote.disabled = true;
    const body = { answers, channel: 'widget', municipality: municipality ? municipality.value : undefined, ageConfirmed: age ? age.checked : undefined };
    try {
      if (!token) {
        const verified = await call<VerifyReply>('POST', '/api/v1/public/identity/verify', { challengeId, code: ballot.code.value.trim() });
        if (!verified.ok) throw new Error(verified.body.error || 'Неверный код');
        token = verified.body.token;
      }
      const reply = await call<VoteReply>('POST', `/api/v1/public/polls/${encodeURIComponent(pollId)}/votes`, body, token);
      vote.disabled = false;
      status.show(reply.ok ? reply.body.message : reply.body.error || 'Голос не принят.', !reply.ok);
    } catch (e) {
      vote.disabled = false;
      status.show(e instanceof Error && e.message ? e.message : 'Нет связи с сервером.', true);
    }
  }

  ballot.getCode.addEventListener('click', () => {
    const destination = ballot.contact.value.trim();
    if (!destination) return status.show('Укажите телефон или e-mail.', true);
    void requestCode(destination);
  });
  ballot.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const answers = ballot.readers.map((read) => read()).filter((a): a is Answer => a !== null);
    if (!answers.length) return status.show('Выберите ответ.', true);
    if (ballot.municipality && !ballot.municipality.value) return status.show('Выберите ваш муниципалитет.', true);
    if (!token && !challengeId) return status.show('Сначала получите код подтверждения.', true);
    void castVote(answers);
  });
}

export function renderPollForm(base: string, pollId: string, container: HTMLElement): HTMLFormElement {
  ensureStyle();
  const n = idSuffix();
  const form = el('form', { class: 'otklik-w otklik-poll', novalidate: '' });
  const status = statusLine();
  const call: PollApi = (method, path, body, voterToken) => fetchJson(base + path, jsonRequest(method, body, voterToken));
  container.appendChild(form);
  form.appendChild(status.element);
  status.show('Загружаем голосование…');
  fetchJson<WidgetPoll & ErrorReply>(`${base}/api/v1/public/polls/${encodeURIComponent(pollId)}`)
    .then((reply) => {
      if (!reply.ok) return status.show(reply.body.error || 'Голосование не найдено.', true);
      form.removeChild(status.element);
      const ballot = ballotFields(form, reply.body, n);
      form.appendChild(status.element);
      status.show('');
      wireVoting(ballot, call, pollId, status);
    })
    .catch(() => status.show('Нет связи с сервером. Попробуйте позже.', true));
  return form;
}

// Client script of the public poll page: confirm identity by a one-time code, vote, watch the results live,
// take part in the discussion. Citizens' and officials' text is always set as text, never as markup.
import type { PublicPoll, ResultsView } from '../polls.js';
import { renderQuestionCharts, resizeAll } from './poll-charts.js';
import { detached } from './_detached.js';

const { poll, resultsVisible } = JSON.parse(document.getElementById('poll-data')!.textContent!) as { poll: PublicPoll; resultsVisible: boolean };
const app = document.getElementById('poll-app')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

async function api(method: string, url: string, body?: unknown): Promise<{ status: number; data: Record<string, unknown> }> {
  try {
    const res = await fetch(url, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
      credentials: 'same-origin' });
    const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: res.status, data };
  } catch {
    return { status: 0, data: { error: 'Нет связи с сервером. Проверьте подключение и попробуйте ещё раз.' } };
  }
}

const message = el('p', { id: 'vote-message', role: 'status', class: 'poll-message' });
function say(text: string, kind: 'ok' | 'error' | 'info' = 'info') {
  message.textContent = text;
  message.className = `poll-message ${kind}`;
  message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

// ---- live results -------------------------------------------------------------------------------------------
let resultsTimer: number | undefined;
async function refreshResults() {
  const r = await api('GET', `/api/v1/public/polls/${poll.id}/results`);
  if (r.status !== 200) return;
  const v = r.data as unknown as ResultsView;
  const section = document.getElementById('poll-results')!;
  section.hidden = false;
  document.getElementById('results-note')!.textContent = `Участников: ${v.voters}. Результаты обновляются автоматически.`;
  renderQuestionCharts(document.getElementById('results-charts')!, v);
  document.body.dataset.resultsVoters = String(v.voters);
}
function showResults() {
  if (!resultsVisible || resultsTimer !== undefined) return;
  void refreshResults();
  resultsTimer = window.setInterval(detached(refreshResults), 2000);
}
window.addEventListener('resize', resizeAll);

// ---- identity -----------------------------------------------------------------------------------------------
let verified = false;
function identityBlock(onDone: () => void): HTMLElement {
  const box = el('section', { class: 'card poll-identity', id: 'identity', 'aria-labelledby': 'identity-title' });
  const channel = el('select', { id: 'identity-channel', 'aria-label': 'Способ подтверждения' }, el('option', { value: 'phone' }, 'Телефон (SMS)'),
    el('option', { value: 'email' }, 'Электронная почта'));
  const destination = el('input', { id: 'identity-destination', type: 'tel', autocomplete: 'tel', inputmode: 'tel', placeholder: '+7 900 000-00-00',
    'aria-label': 'Телефон или e-mail' });
  channel.addEventListener('change', () => {
    const email = channel.value === 'email';
    destination.type = email ? 'email' : 'tel';
    destination.setAttribute('autocomplete', email ? 'email' : 'tel');
    destination.placeholder = email ? 'name@example.ru' : '+7 900 000-00-00';
  });
  const send = el('button', { type: 'button', id: 'identity-send' }, 'Получить код');
  const code = el('input', { id: 'identity-code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', placeholder: '000000',
    'aria-label': 'Код из сообщения' });
  const confirm = el('button', { type: 'button', id: 'identity-confirm' }, 'Подтвердить');
  const step2 = el('div', { class: 'poll-row', hidden: '' }, el('label', { for: 'identity-code' }, 'Код: '), code, confirm);
  const note = el('p', { class: 'muted', id: 'identity-note' }, 'Один человек — один голос. Мы храним только обезличенный отпечаток вашего номера или адреса.');
  let challengeId = '';
  send.addEventListener('click', detached(async () => {
    send.disabled = true;
    const r = await api('POST', '/api/v1/public/identity/code', { channel: channel.value, destination: destination.value });
    send.disabled = false;
    if (r.status !== 201) return say(String(r.data.error ?? 'Не удалось отправить код'), 'error');
    challengeId = String(r.data.challengeId);
    step2.hidden = false;
    code.focus();
    say('Код отправлен. Введите его, чтобы подтвердить личность.', 'info');
  }));
  confirm.addEventListener('click', detached(async () => {
    confirm.disabled = true;
    const r = await api('POST', '/api/v1/public/identity/verify', { challengeId, code: code.value });
    confirm.disabled = false;
    if (r.status !== 200) return say(String(r.data.error ?? 'Не удалось подтвердить код'), 'error');
    verified = true;
    box.replaceChildren(el('p', { class: 'ok', id: 'identity-done' }, 'Личность подтверждена. Теперь можно голосовать.'));
    say('', 'info');
    onDone();
  }));
  box.append(el('h2', { id: 'identity-title' }, 'Подтвердите, что вы — житель'), el('div', { class: 'poll-row' }, channel, destination, send), step2, note);
  return box;
}

// ---- ballot -------------------------------------------------------------------------------------------------
function ballotForm(): HTMLFormElement {
  const form = el('form', { id: 'ballot', class: 'card poll-ballot', novalidate: '' });
  poll.questions.forEach((q, qi) => {
    const fs = el('fieldset', { class: 'poll-question', 'data-question': q.id });
    fs.append(el('legend', {}, `${qi + 1}. ${q.text}${q.required ? '' : ' (необязательно)'}`));
    const name = `q-${q.id}`;
    if (q.kind === 'single' || q.kind === 'multiple') {
      for (const o of q.options) {
        const input = el('input', { type: q.kind === 'single' ? 'radio' : 'checkbox', name, value: o.id, id: `o-${o.id}` });
        fs.append(el('label', { class: 'poll-option', for: `o-${o.id}` }, input, ` ${o.text}`));
      }
      if (q.kind === 'multiple' && q.maxChoices) fs.append(el('p', { class: 'muted' }, `Можно выбрать до ${q.maxChoices} вариантов.`));
    } else if (q.kind === 'scale') {
      const row = el('div', { class: 'poll-scale' });
      for (let v = q.scaleMin; v <= q.scaleMax; v++) {
        row.append(el('label', { class: 'poll-option' }, el('input', { type: 'radio', name, value: String(v) }), ` ${v}`));
      }
      fs.append(row);
    } else {
      fs.append(el('textarea', { name, rows: '3', maxlength: '5000', 'aria-label': q.text }));
      fs.append(el('p', { class: 'muted' }, 'Текстовые ответы публикуются после модерации.'));
    }
    form.append(fs);
  });
  if (poll.municipalities.length) {
    const select = el('select', { id: 'municipality', name: 'municipality', required: '' }, el('option', { value: '' }, 'Выберите муниципалитет'),
      ...poll.municipalities.map((m) => el('option', { value: m }, m)));
    form.append(el('label', { for: 'municipality' }, 'Где вы живёте: '), select);
  }
  if (poll.minAge) {
    form.append(el('label', { class: 'poll-option' }, el('input', { type: 'checkbox', id: 'age', name: 'age' }), ` Мне исполнилось ${poll.minAge} лет`));
  }
  const submit = el('button', { type: 'submit', id: 'vote-submit', class: 'primary' }, 'Проголосовать');
  form.append(submit);
  form.addEventListener('submit', detached(async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const answers = poll.questions.map((q) => {
      const values = data.getAll(`q-${q.id}`).map(String).filter((v) => v.trim() !== '');
      if (q.kind === 'scale') return values.length ? { questionId: q.id, value: Number(values[0]) } : null;
      if (q.kind === 'text') return values.length ? { questionId: q.id, text: values[0] } : null;
      return values.length ? { questionId: q.id, optionIds: values } : null;
    }).filter((a) => a !== null);
    if (answers.length === 0) return say('Выберите ответ хотя бы на один вопрос.', 'error');
    submit.disabled = true;
    const r = await api('POST', `/api/v1/public/polls/${poll.id}/votes`, {
      answers,
      channel: 'page',
      municipality: data.get('municipality') ? String(data.get('municipality')) : undefined,
      ageConfirmed: data.get('age') === 'on',
    });
    if (r.status === 201) {
      form.hidden = true;
      // The vote is in: the identity step has done its work and leaves the page.
      document.getElementById('identity')?.remove();
      say(String(r.data.message ?? 'Спасибо! Ваш голос учтён.'), 'ok');
      showResults();
      return;
    }
    if (r.status === 409) {
      form.hidden = true;
      document.getElementById('identity')?.remove();
      say(String(r.data.error), 'info');
      showResults();
      return;
    }
    submit.disabled = false;
    if (r.status === 401) {
      verified = false;
      document.getElementById('identity')?.remove();
      app.insertBefore(identityBlock(() => {}), form);
    }
    say(String(r.data.error ?? 'Не удалось принять голос, попробуйте ещё раз.'), 'error');
  }));
  return form;
}

// ---- discussion ---------------------------------------------------------------------------------------------
async function loadComments() {
  const box = document.getElementById('comments')!;
  const r = await api('GET', `/api/v1/public/polls/${poll.id}/comments`);
  const items = (r.data.items ?? []) as { id: string; parentId: string | null; authorKind: string; authorName: string; text: string }[];
  const list = el('ul', { class: 'poll-comments' });
  for (const c of items) {
    list.append(
      el('li', { class: c.authorKind === 'official' ? 'official' : 'citizen', 'data-comment': c.id },
        el('strong', {}, c.authorKind === 'official' ? `${c.authorName} (официальный ответ)` : c.authorName), el('p', {}, c.text)),
    );
  }
  const form = el('form', { id: 'comment-form', class: 'poll-comment-form' });
  const text = el('textarea', { name: 'text', rows: '3', maxlength: '5000', 'aria-label': 'Ваш комментарий', placeholder: 'Ваше мнение о предложении' });
  const note = el('p', { class: 'muted', role: 'status' });
  form.append(text, el('button', { type: 'submit' }, 'Отправить комментарий'), note);
  form.addEventListener('submit', detached(async (ev) => {
    ev.preventDefault();
    if (!verified) return void (note.textContent = 'Чтобы комментировать, подтвердите личность выше.');
    const res = await api('POST', `/api/v1/public/polls/${poll.id}/comments`, { text: text.value });
    note.textContent = String(res.status === 201 ? res.data.message : res.data.error);
    if (res.status === 201) text.value = '';
  }));
  box.replaceChildren(items.length ? list : el('p', { class: 'muted' }, 'Комментариев пока нет.'), form);
}

// ---- start --------------------------------------------------------------------------------------------------
async function start() {
  app.append(message);
  if (poll.status !== 'open') {
    say(poll.status === 'published' ? 'Голосование ещё не началось.' : 'Голосование завершено: голоса больше не принимаются.', 'info');
    showResults();
    document.body.dataset.pollReady = 'true';
    return;
  }
  const me = await api('GET', `/api/v1/public/identity/me?pollId=${poll.id}`);
  verified = me.data.verified === true;
  if (me.data.voted === true) {
    say('Вы уже проголосовали в этом голосовании. Спасибо за участие!', 'info');
    showResults();
  } else {
    const form = ballotForm();
    if (!verified) app.append(identityBlock(() => {}));
    app.append(form);
  }
  document.body.dataset.pollReady = 'true';
}
void start();
void loadComments();

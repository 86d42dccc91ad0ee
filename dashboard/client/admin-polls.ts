// Polls: create a draft with its questions and dates, then publish, open, close and publish the results.
import { api, h, ruDateTime } from './_common.js';
import { attempt, checkbox, field, input, linesOf, POLL_STATUS_NAMES, select, textarea } from './_admin.js';

interface Poll {
  id: string;
  title: string;
  status: string;
  version: number;
  opensAt: string | null;
  closesAt: string | null;
  votes?: number;
}

const STATUS_NAMES = POLL_STATUS_NAMES;
/** The next steps of the schedule (workflow/polls/model.ts), with the button each gets. */
const NEXT: Record<string, [string, string][]> = {
  draft: [['published', 'Опубликовать']],
  published: [['open', 'Открыть голосование'], ['draft', 'Вернуть в черновики']],
  open: [['closed', 'Завершить голосование']],
  closed: [['results_published', 'Опубликовать итоги']],
  results_published: [],
};
const KINDS: [string, string][] = [['single', 'Один вариант'], ['multiple', 'Несколько вариантов'], ['scale', 'Шкала'], ['text', 'Свободный ответ']];

const status = document.getElementById('polls-status');
const list = document.getElementById('poll-list')!;
const form = document.getElementById('poll-create') as HTMLFormElement;

function row(p: Poll): HTMLElement {
  const when = [p.opensAt ? `с ${ruDateTime(p.opensAt)}` : '', p.closesAt ? `до ${ruDateTime(p.closesAt)}` : 'без даты окончания'].filter(Boolean).join(' ');
  return h('li', { class: 'org-node', 'data-poll': p.id },
    h('div', { class: 'org-head' }, h('a', { class: 'org-name', href: `/polls/${p.id}` }, p.title), h('span', {}, STATUS_NAMES[p.status] ?? p.status),
      h('span', { class: 'muted' }, when), h('a', { href: `/polls/${p.id}/results` }, 'Итоги')),
    h('div', { class: 'admin-actions' }, (NEXT[p.status] ?? []).map(([to, label]) => {
      const b = h('button', { type: 'button', 'data-to': to, class: to === 'draft' ? '' : 'primary' }, `${label}: ${p.title}`) as HTMLButtonElement;
      b.onclick = () =>
        void attempt(status, b, async () => {
          await api(`/api/v1/polls/${p.id}/status`, { method: 'POST', body: { to, expectedVersion: p.version } });
          await load();
          return `«${p.title}»: ${STATUS_NAMES[to]!.toLowerCase()}.`;
        });
      return b;
    })));
}

async function load() {
  const polls = (await api<{ items: Poll[] }>('/api/v1/polls?limit=200')).items;
  list.replaceChildren(polls.length ? h('ul', { class: 'org-tree' }, polls.map(row)) : h('p', { class: 'muted' }, 'Голосований пока нет.'));
  document.body.dataset.pollsReady = String(polls.length);
}

function questionEditor(n: number): HTMLElement {
  const text = input(`q${n}-text`, '', { maxlength: 1000 });
  const kind = select(`q${n}-kind`, KINDS, 'single');
  const options = textarea(`q${n}-options`, '', 3);
  const required = checkbox(`q${n}-required`, true);
  return h('fieldset', { class: 'question-editor', 'data-question': n }, h('legend', {}, `Вопрос ${n}`), field('Текст вопроса', text),
    h('div', { class: 'row' }, field('Вид ответа', kind), field('Обязательный', required)),
    field('Варианты ответа', options, 'по одному в строке; для шкалы — «от» и «до» двумя строками, например 1 и 5'));
}

/** A date-time field's value as an ISO instant in the browser's zone (the region's, for its staff). */
const instant = (v: string) => (v ? new Date(v).toISOString() : null);

function readQuestions(): unknown[] {
  return Array.from(form.querySelectorAll<HTMLElement>('.question-editor')).map((q) => {
    const n = q.dataset.question;
    const value = (name: string) => (form.elements.namedItem(`q${n}-${name}`) as HTMLInputElement).value;
    const kind = value('kind');
    const options = linesOf(value('options'));
    const base = { kind, text: value('text').trim(), required: (form.elements.namedItem(`q${n}-required`) as HTMLInputElement).checked };
    if (kind === 'scale') return { ...base, scaleMin: Number(options[0] ?? 1), scaleMax: Number(options[1] ?? 5) };
    return kind === 'text' ? base : { ...base, options };
  }).filter((q) => (q as { text: string }).text);
}

function buildForm() {
  const title = input('title', '', { required: true, maxlength: 500 });
  const description = textarea('description', '', 3);
  const opens = input('opensAt', '', { type: 'datetime-local' });
  const closes = input('closesAt', '', { type: 'datetime-local' });
  const municipalities = textarea('municipalities', '', 2);
  const questions = h('div', {}, questionEditor(1));
  const add = h('button', { type: 'button' }, 'Добавить вопрос') as HTMLButtonElement;
  add.onclick = () => questions.append(questionEditor(questions.children.length + 1));
  const save = h('button', { type: 'submit', class: 'primary' }, 'Создать черновик') as HTMLButtonElement;
  form.replaceChildren(field('Название', title), field('Описание', description),
    h('div', { class: 'row' }, field('Начало голосования', opens), field('Окончание голосования', closes)),
    field('Муниципалитеты', municipalities, 'по одному в строке; пусто — весь регион'), questions, h('div', { class: 'admin-actions' }, add, save));
  form.onsubmit = (e) => {
    e.preventDefault();
    void attempt(status, save, async () => {
      await api('/api/v1/polls', { method: 'POST',
        body: { title: title.value.trim(), description: description.value.trim(), opensAt: instant(opens.value), closesAt: instant(closes.value),
          municipalities: linesOf(municipalities.value), questions: readQuestions() } });
      buildForm();
      await load();
      return 'Черновик голосования создан: опубликуйте его, когда он готов.';
    });
  };
}

buildForm();
void load().catch((err: Error) => list.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message)));

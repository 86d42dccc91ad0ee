// Polls: create a draft with its questions, dates, age limit and whether results show while it runs; edit it while it is
// a draft; then publish, open, close and publish the results.
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

/** A draft as the editor reads it back (GET /api/v1/polls/:id). */
interface Draft extends Poll {
  description: string;
  municipalities: string[];
  minAge: number | null;
  liveResults: boolean;
  questions: { kind: string; text: string; required: boolean; scaleMin: number; scaleMax: number; maxChoices: number | null; options: { text: string }[] }[];
}
type DraftQuestion = Draft['questions'][number];

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
    h('div', { class: 'admin-actions' }, p.status === 'draft' ? editButton(p) : null, (NEXT[p.status] ?? []).map(([to, label]) => {
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

function editButton(p: Poll): HTMLButtonElement {
  const b = h('button', { type: 'button' }, `Изменить: ${p.title}`) as HTMLButtonElement;
  b.onclick = () =>
    void attempt(status, b, async () => {
      buildForm(await api<Draft>(`/api/v1/polls/${p.id}`));
      form.querySelector<HTMLInputElement>('input[name="title"]')!.focus();
      return `«${p.title}» открыт для правки: сохраните черновик, когда закончите.`;
    });
  return b;
}

async function load() {
  const polls = (await api<{ items: Poll[] }>('/api/v1/polls?limit=200')).items;
  list.replaceChildren(polls.length ? h('ul', { class: 'org-tree' }, polls.map(row)) : h('p', { class: 'muted' }, 'Голосований пока нет.'));
  document.body.dataset.pollsReady = String(polls.length);
}

/** The options box's text: the options one per line, or a scale's two ends. */
const optionLines = (q: DraftQuestion) => (q.kind === 'scale' ? `${q.scaleMin}\n${q.scaleMax}` : q.options.map((o) => o.text).join('\n'));

function questionEditor(n: number, q?: DraftQuestion): HTMLElement {
  const text = input(`q${n}-text`, q?.text ?? '', { maxlength: 1000 });
  const kind = select(`q${n}-kind`, KINDS, q?.kind ?? 'single');
  const options = textarea(`q${n}-options`, q ? optionLines(q) : '', 3);
  const required = checkbox(`q${n}-required`, q?.required ?? true);
  return h('fieldset', { class: 'question-editor', 'data-question': n, 'data-max-choices': q?.maxChoices ?? '' }, h('legend', {}, `Вопрос ${n}`),
    field('Текст вопроса', text), h('div', { class: 'row' }, field('Вид ответа', kind), field('Обязательный', required)),
    field('Варианты ответа', options, 'по одному в строке; для шкалы — «от» и «до» двумя строками, например 1 и 5'));
}

/** A date-time field's value as an ISO instant in the browser's zone (the region's, for its staff). */
const instant = (v: string) => (v ? new Date(v).toISOString() : null);
/** An instant as a date-time field's value in the browser's zone: the inverse of `instant`. */
function localValue(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function readQuestions(): unknown[] {
  return Array.from(form.querySelectorAll<HTMLElement>('.question-editor')).map((q) => {
    const n = q.dataset.question;
    const value = (name: string) => (form.elements.namedItem(`q${n}-${name}`) as HTMLInputElement).value;
    const kind = value('kind');
    const options = linesOf(value('options'));
    const maxChoices = q.dataset.maxChoices ? { maxChoices: Number(q.dataset.maxChoices) } : {};
    const base = { kind, text: value('text').trim(), required: (form.elements.namedItem(`q${n}-required`) as HTMLInputElement).checked, ...maxChoices };
    if (kind === 'scale') return { ...base, scaleMin: Number(options[0] ?? 1), scaleMax: Number(options[1] ?? 5) };
    return kind === 'text' ? base : { ...base, options };
  }).filter((q) => (q as { text: string }).text);
}

/** The poll form: a new draft, or the draft `editing` (saved in place, PUT). */
function buildForm(editing?: Draft) {
  const title = input('title', editing?.title ?? '', { required: true, maxlength: 500 });
  const description = textarea('description', editing?.description ?? '', 3);
  const opens = input('opensAt', localValue(editing?.opensAt ?? null), { type: 'datetime-local' });
  const closes = input('closesAt', localValue(editing?.closesAt ?? null), { type: 'datetime-local' });
  const municipalities = textarea('municipalities', (editing?.municipalities ?? []).join('\n'), 2);
  const minAge = input('minAge', editing?.minAge ? String(editing.minAge) : '', { type: 'number', min: 1, max: 120, inputmode: 'numeric' });
  const liveResults = checkbox('liveResults', editing?.liveResults ?? true);
  const questions = h('div', {}, (editing?.questions.length ? editing.questions : [undefined]).map((q, i) => questionEditor(i + 1, q)));
  const add = h('button', { type: 'button' }, 'Добавить вопрос') as HTMLButtonElement;
  add.onclick = () => questions.append(questionEditor(questions.children.length + 1));
  const save = h('button', { type: 'submit', class: 'primary' }, editing ? 'Сохранить черновик' : 'Создать черновик') as HTMLButtonElement;
  const cancel = editing ? h('button', { type: 'button' }, 'Отменить правку') as HTMLButtonElement : null;
  if (cancel) cancel.onclick = () => buildForm();
  document.getElementById('h-poll-create')!.textContent = editing ? `Правка черновика «${editing.title}»` : 'Новое голосование';
  form.replaceChildren(field('Название', title), field('Описание', description),
    h('div', { class: 'row' }, field('Начало голосования', opens), field('Окончание голосования', closes)),
    field('Муниципалитеты', municipalities, 'по одному в строке; пусто — весь регион'),
    h('div', { class: 'row' }, field('Возраст участников от', minAge, 'лет; пусто — без ограничения'),
      field('Показывать итоги во время голосования', liveResults)), questions, h('div', { class: 'admin-actions' }, add, save, cancel));
  form.onsubmit = (e) => {
    e.preventDefault();
    void attempt(status, save, async () => {
      const body = { title: title.value.trim(), description: description.value.trim(), opensAt: instant(opens.value), closesAt: instant(closes.value),
        municipalities: linesOf(municipalities.value), minAge: minAge.value ? Number(minAge.value) : null, liveResults: liveResults.checked,
        questions: readQuestions() };
      await api(editing ? `/api/v1/polls/${editing.id}` : '/api/v1/polls', { method: editing ? 'PUT' : 'POST', body });
      buildForm();
      await load();
      return editing ? `Черновик «${body.title}» сохранён.` : 'Черновик голосования создан: опубликуйте его, когда он готов.';
    });
  };
}

buildForm();
void load().catch((err: Error) => list.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message)));

// Region rules: deadlines and their reminders, fast-tracks, federal services, the time zone and the signals' hours; what is not set
// here comes from the file (reminder days: from the environment).
import { api, h } from './_common.js';
import { attempt, field, input, linesOf, textarea } from './_admin.js';

interface FederalService {
  id: string;
  name: string;
  days: number;
  keywords: string[];
}
interface Rules {
  region?: string;
  timezone?: string;
  standardDays?: number;
  fastTrackDays?: number;
  reminderDays?: number[];
  fastTrack?: { categories: string[]; reasons?: string[]; keywords?: string[] };
  federalServices?: FederalService[];
  signals?: { reactionHours?: HourPair; answerHours?: HourPair };
}
interface HourPair {
  default: number;
  fastTrack: number;
}
interface View {
  fromFile: Rules;
  override: Rules | null;
  effective: Rules;
}

const status = document.getElementById('region-status');
const form = document.getElementById('region-form') as HTMLFormElement;

/** Federal services as lines «id; название; дней; слово, слово». */
const servicesText = (list: FederalService[] = []) => list.map((s) => `${s.id}; ${s.name}; ${s.days}; ${s.keywords.join(', ')}`).join('\n');
function parseServices(text: string): FederalService[] {
  return linesOf(text).map((line, i) => {
    const [id, name, days, words] = line.split(';').map((x) => x.trim());
    if (!id || !name || !days || !words) throw new Error(`федеральные службы, строка ${i + 1}: нужно «код; название; дней; ключевые слова»`);
    return { id, name, days: Number(days), keywords: words.split(',').map((w) => w.trim()).filter(Boolean) };
  });
}

/** «3, 1» as days; anything but whole days is the administrator's to fix, said before anything is sent. */
function parseDays(text: string): number[] {
  const days = text.split(',').map((d) => d.trim()).filter(Boolean);
  if (!days.length || days.some((d) => !/^\d{1,2}$/.test(d))) throw new Error('напоминания о сроке: целые числа дней через запятую, например 3, 1');
  return days.map(Number);
}

function render(view: View) {
  const e = view.effective;
  const tz = input('timezone', e.timezone ?? '', { maxlength: 100 });
  const standard = input('standardDays', String(e.standardDays ?? 30), { type: 'number', min: 1, max: 30 });
  const fast = input('fastTrackDays', String(e.fastTrackDays ?? 10), { type: 'number', min: 1, max: 30 });
  const reminders = input('reminderDays', (e.reminderDays ?? [3, 1]).join(', '), { maxlength: 40, size: 12 });
  const hoursInput = (name: string, value: number | undefined, fallback: number) =>
    input(name, String(value ?? fallback), { type: 'number', min: 1, max: 720 });
  const reaction = [hoursInput('reactionDefault', e.signals?.reactionHours?.default, 24),
    hoursInput('reactionFast', e.signals?.reactionHours?.fastTrack, 8)] as const;
  const answer = [hoursInput('answerDefault', e.signals?.answerHours?.default, 72), hoursInput('answerFast', e.signals?.answerHours?.fastTrack, 24)] as const;
  const categories = textarea('categories', (e.fastTrack?.categories ?? []).join('\n'), 3);
  const reasons = textarea('reasons', (e.fastTrack?.reasons ?? []).join('\n'), 3);
  const keywords = textarea('keywords', (e.fastTrack?.keywords ?? []).join('\n'), 8);
  const services = textarea('federalServices', servicesText(e.federalServices), 5);
  const save = h('button', { type: 'submit', class: 'primary' }, 'Сохранить правила региона') as HTMLButtonElement;
  const reset = h('button', { type: 'button' }, 'Вернуть значения из файла') as HTMLButtonElement;
  form.replaceChildren(
    h('p', {}, `Регион: ${e.region ?? '—'}. ${view.override ? 'Часть правил задана здесь.' : 'Сейчас действуют правила из файла config/region.yaml.'}`),
    h('fieldset', {}, h('legend', {}, 'Сроки ответа (календарные дни от регистрации)'),
      h('div', { class: 'row' }, field('Обычный срок', standard), field('Срок быстрой задачи', fast),
        field('Часовой пояс региона', tz, 'например, Asia/Krasnoyarsk'),
        field('Напоминания о сроке, за сколько дней', reminders, 'через запятую, например 3, 1: исполнителю и координатору'))),
    h('fieldset', {}, h('legend', {}, 'Сигналы мониторинга: сроки в часах'),
      h('div', { class: 'row' }, field('Первая реакция', reaction[0]), field('Реакция на быструю задачу', reaction[1]),
        field('Ответ после принятия', answer[0]), field('Ответ на быструю задачу', answer[1]))),
    h('fieldset', {}, h('legend', {}, 'Быстрые задачи: по одному значению в строке'), field('Категории', categories), field('Рубрики', reasons),
      field('Фразы в тексте', keywords, 'например, «нет горячей воды»')),
    h('fieldset', {}, h('legend', {}, 'Федеральные службы'), field('Службы', services, 'строка: код; название; дней (1–15); ключевые слова через запятую')),
    h('div', { class: 'admin-actions' }, save, reset),
  );
  form.onsubmit = (ev) => {
    ev.preventDefault();
    void attempt(status, save, async () => {
      const body = {
        timezone: tz.value.trim() || undefined,
        standardDays: Number(standard.value),
        fastTrackDays: Number(fast.value),
        reminderDays: parseDays(reminders.value),
        fastTrack: { categories: linesOf(categories.value), reasons: linesOf(reasons.value), keywords: linesOf(keywords.value) },
        federalServices: parseServices(services.value),
        signals: {
          reactionHours: { default: Number(reaction[0].value), fastTrack: Number(reaction[1].value) },
          answerHours: { default: Number(answer[0].value), fastTrack: Number(answer[1].value) },
        },
      };
      render(await api<View>('/api/v1/settings/region', { method: 'PUT', body }));
      return 'Правила региона сохранены: они применяются к сообщениям, поступившим с этого момента.';
    });
  };
  reset.onclick = () =>
    void attempt(status, reset, async () => {
      render(await api<View>('/api/v1/settings/region', { method: 'PUT', body: {} }));
      return 'Действуют правила из файла config/region.yaml.';
    });
  document.body.dataset.regionReady = 'true';
}

void api<View>('/api/v1/settings/region').then(render).catch((err: Error) => form.replaceChildren(h('p', { class: 'error', role: 'alert' }, err.message)));

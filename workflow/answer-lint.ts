/**
 * The answer quality check: the ПОС methodical rules for a reply to a citizen (greet them, stay respectful, tell the
 * concrete measures taken, give contacts, attach photo/video when the problem is physical, never a formal
 * non-answer — «отписка»). Pure: the executor and the leader see the warnings, the workflow stores them with the
 * answer. Warnings advise; they never block approval, because only a person can judge the answer.
 */

export type LintCode = 'greeting' | 'tone' | 'measures' | 'contacts' | 'attachments' | 'formal' | 'too_short';

export interface LintWarning {
  code: LintCode;
  message: string;
}

export interface LintInput {
  text: string;
  /** Attachment kinds of the answer (photo, video, document…). */
  attachments?: { kind: string }[];
  /** The citizen's message and its category decide whether the problem is physical. */
  category?: string;
  messageText?: string;
}

// Lower-cased with ё folded to е, so one pattern covers both spellings.
const norm = (s: string) => s.toLowerCase().replace(/ё/g, 'е');

const GREETING = /^\s*(здравствуйте|добрый\s+(день|вечер|утро)|доброе\s+утро|уважаем(ый|ая|ые)|приветствуем)/;

const RUDE = [
  /не\s+ваше\s+дело/, /сами\s+виноват/, /обращайтесь\s+куда\s+хотите/, /не\s+морочьте/, /отстаньте/,
  /прекратите\s+(писать|жаловаться)/, /надоели/, /глуп/, /бред/, /ерунд/, /нечего\s+жаловаться/,
  /ваши\s+проблемы/, /нас\s+не\s+касается/,
];

/** Verbs and phrases that report something done or scheduled with a date: the «concrete measures». */
const MEASURES = [
  // Short participles only (выполнен/-а/-о/-ы, выполненные): «в установленном порядке» must not count as a measure.
  /(?<![а-я])(выполнен|проведен|устранен|отремонтирован|заменен|восстановлен|установлен|вывезен|убран|очищен|организован|проверен|произведен|осуществлен|отключен|подключен|заасфальтирован|покрашен|назначен|составлен|выдан|возобновлен|налажен|демонтирован)(а|о|ы|ные|ная|ное|ный)?(?![а-я])/,
  /(запланирован|включен\s+в\s+план)/,
  /(выезд|обследован|осмотр|проверк)[а-я]*\s+.{0,60}(проведен|состоял|выполнен)/,
];

const CONTACTS = [/\+?\d[\d\s()-]{8,}\d/, /[\w.+-]+@[\w-]+\.[\w.-]+/, /(по\s+телефону|тел\.|телефон)\s*:?\s*\d/];

const FORMAL = [
  /принят[ао]?\s+к\s+сведению/, /в\s+установленном\s+порядке/, /не\s+представляется\s+возможным/,
  /направлен[ао]?\s+в\s+(соответствующ|компетентн)/, /оснований\s+для\s+.{0,40}не\s+имеется/, /нет\s+оснований/,
  /в\s+рамках\s+(своей\s+)?компетенции/, /ваше\s+обращение\s+рассмотрено/, /информируем\s+о\s+рассмотрении/,
  /вопрос\s+находится\s+на\s+контроле/,
];

/** Problems a photo or video can prove solved: roads, yards, buildings, rubbish, lighting, snow… */
const PHYSICAL_WORDS = /(ям[аыу]|выбоин|дорог|тротуар|асфальт|двор|подъезд|крыш|кровл|фасад|мусор|свалк|контейнер|освещен|фонар|снег|налед|сосульк|площадк|труб|канализац|затоп|протек|подвал|лифт|остановк|дерев|газон|лавочк|ограждени|забор)/;
const PHYSICAL_CATEGORIES = /(жкх|дорог|благоустр|транспорт|экология|мусор|строитель)/;

const MIN_LENGTH = 150;

export function isPhysicalProblem(input: Pick<LintInput, 'category' | 'messageText'>): boolean {
  return PHYSICAL_CATEGORIES.test(norm(input.category ?? '')) || PHYSICAL_WORDS.test(norm(input.messageText ?? ''));
}

export function lintAnswer(input: LintInput): LintWarning[] {
  const text = norm(input.text);
  const warnings: LintWarning[] = [];
  const add = (code: LintCode, message: string) => warnings.push({ code, message });

  if (!GREETING.test(text)) {
    add('greeting', 'Начните ответ с приветствия: «Здравствуйте, …» или «Уважаемый(ая) …».');
  }
  const letters = input.text.replace(/[^A-Za-zА-Яа-яЁё]/g, '');
  const upper = letters.replace(/[^A-ZА-ЯЁ]/g, '');
  const shouting = letters.length >= 40 && upper.length / letters.length > 0.5;
  if (RUDE.some((re) => re.test(text)) || shouting || /[!?]{3,}/.test(text)) {
    add('tone', 'Тон ответа должен быть корректным и уважительным: уберите резкие выражения, заглавные буквы и «!!!».');
  }
  const hasMeasures = MEASURES.some((re) => re.test(text));
  if (!hasMeasures) {
    add('measures', 'Опишите конкретные принятые меры: что сделано или будет сделано и в какой срок.');
  }
  if (!CONTACTS.some((re) => re.test(text))) {
    add('contacts', 'Укажите контактные данные: телефон или e-mail ответственного сотрудника.');
  }
  const media = (input.attachments ?? []).some((a) => a.kind === 'photo' || a.kind === 'video');
  if (!media && isPhysicalProblem(input)) {
    add('attachments', 'Проблема связана с объектом или территорией: приложите фото или видео, подтверждающие решение.');
  }
  const formalHits = FORMAL.filter((re) => re.test(text)).length;
  // A stock phrase next to real measures is tolerable; stock phrases instead of measures are the «отписка».
  if (formalHits >= 2 || (formalHits >= 1 && !hasMeasures)) {
    add('formal', 'Ответ похож на формальную отписку: вместо общих фраз объясните по существу, что сделано по обращению.');
  }
  if (input.text.trim().length < MIN_LENGTH) {
    add('too_short', 'Ответ слишком короткий: раскройте суть решения вопроса заявителя.');
  }
  return warnings;
}

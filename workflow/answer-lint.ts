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

/*
 * Two rules ask for one phrase followed by another within N characters («…\s+.{0,N}…»). As regular expressions the
 * whitespace and the window overlap and a backtracking engine retries them from every start, so these are scanned
 * in one pass: whitespace (\s) and line ends (what «.» does not cross) exactly as the expressions meant them.
 */
const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
const isLineEnd = (c: string) => c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
const isLetter = (c: string | undefined) => c !== undefined && c >= 'а' && c <= 'я';

function skipSpaces(text: string, i: number): number {
  while (isSpace(text[i])) i++;
  return i;
}

/** Where `words` (separated by whitespace) end when they start at `at`, or -1. */
function phraseAt(text: string, at: number, words: string[]): number {
  let i = at;
  for (let w = 0; w < words.length; w++) {
    if (w > 0) {
      const next = skipSpaces(text, i);
      if (next === i) return -1;
      i = next;
    }
    if (!text.startsWith(words[w]!, i)) return -1;
    i += words[w]!.length;
  }
  return i;
}

/** After whitespace that starts at `from` (at least one character): does `found(q)` hold within `window` characters of one line? */
function followedWithin(text: string, from: number, window: number, found: (q: number) => boolean): boolean {
  const start = skipSpaces(text, from);
  if (start === from) return false;
  for (let q = start; q <= start + window && q < text.length; q++) {
    if (found(q)) return true;
    if (isLineEnd(text[q]!)) return false;
  }
  return false;
}

/** `first` (words), whitespace, then `target` within `window` characters: «first\s+.{0,window}target». */
export function phraseThenWithin(text: string, first: string[], window: number, target: string[]): boolean {
  for (let at = text.indexOf(first[0]!); at !== -1; at = text.indexOf(first[0]!, at + 1)) {
    const end = phraseAt(text, at, first);
    if (end !== -1 && followedWithin(text, end, window, (q) => phraseAt(text, q, target) !== -1)) return true;
  }
  return false;
}

/** A word holding one of `stems`, whitespace, then one of `targets` within `window` characters: «(stems)[а-я]*\s+.{0,window}(targets)». */
export function wordThenWithin(text: string, stems: string[], window: number, targets: string[]): boolean {
  for (let start = 0; start < text.length;) {
    if (!isLetter(text[start])) {
      start++;
      continue;
    }
    let end = start;
    while (isLetter(text[end])) end++;
    const word = text.slice(start, end);
    if (stems.some((s) => word.includes(s)) && followedWithin(text, end, window, (q) => targets.some((t) => text.startsWith(t, q)))) return true;
    start = end;
  }
  return false;
}

const GREETING = /^\s*(здравствуйте|добрый\s+(день|вечер|утро)|доброе\s+утро|уважаем(ый|ая|ые)|приветствуем)/;

const RUDE = [
  /не\s+ваше\s+дело/,
  /сами\s+виноват/,
  /обращайтесь\s+куда\s+хотите/,
  /не\s+морочьте/,
  /отстаньте/,
  /прекратите\s+(писать|жаловаться)/,
  /надоели/,
  /глуп/,
  /бред/,
  /ерунд/,
  /нечего\s+жаловаться/,
  /ваши\s+проблемы/,
  /нас\s+не\s+касается/,
];

/** Verbs and phrases that report something done or scheduled with a date: the «concrete measures». */
const MEASURES = [
  // Short participles only (выполнен/-а/-о/-ы, выполненные): «в установленном порядке» must not count as a measure.
  /(?<![а-я])(выполнен|проведен|устранен|отремонтирован|заменен|восстановлен|установлен|вывезен|убран|очищен|организован|проверен|произведен|осуществлен|отключен|подключен|заасфальтирован|покрашен|назначен|составлен|выдан|возобновлен|налажен|демонтирован)(а|о|ы|ные|ная|ное|ный)?(?![а-я])/,
  /(запланирован|включен\s+в\s+план)/,
  // «выезд… / обследование / осмотр / проверка …проведен(а) / состоялся / выполнен» within 60 characters of a line.
  { test: (text: string) => wordThenWithin(text, ['выезд', 'обследован', 'осмотр', 'проверк'], 60, ['проведен', 'состоял', 'выполнен']) },
];

// Each is only tested for a match, so one character on either side of the @ is as good as the whole address and
// leaves nothing to backtrack over.
const CONTACTS = [/\+?\d[\d\s()-]{8,}\d/, /[\w.+-]@[\w-]+\.[\w.-]/, /(по\s+телефону|тел\.|телефон)\s*(?::\s*)?\d/];

const FORMAL = [
  /принят[ао]?\s+к\s+сведению/,
  /в\s+установленном\s+порядке/,
  /не\s+представляется\s+возможным/,
  /направлен[ао]?\s+в\s+(соответствующ|компетентн)/,
  /нет\s+оснований/,
  // «оснований для … не имеется», up to 40 characters of a line in between.
  { test: (text: string) => phraseThenWithin(text, ['оснований', 'для'], 40, ['не', 'имеется']) },
  /в\s+рамках\s+(своей\s+)?компетенции/,
  /ваше\s+обращение\s+рассмотрено/,
  /информируем\s+о\s+рассмотрении/,
  /вопрос\s+находится\s+на\s+контроле/,
];

/** Problems a photo or video can prove solved: roads, yards, buildings, rubbish, lighting, snow… */
const PHYSICAL_WORDS =
  /(ям[аыу]|выбоин|дорог|тротуар|асфальт|двор|подъезд|крыш|кровл|фасад|мусор|свалк|контейнер|освещен|фонар|снег|налед|сосульк|площадк|труб|канализац|затоп|протек|подвал|лифт|остановк|дерев|газон|лавочк|ограждени|забор)/;
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

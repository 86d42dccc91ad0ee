import { hashString } from './features.js';
import { mulberry32 } from './linear.js';
import type { TrainRow } from './train-model.js';

/**
 * Weak labels for the complaint detector (complaint / question / other) built from unlabelled VK data; see
 * classify/COMPLAINT.md for how it was built and what its figures mean. The rules are deliberately conservative:
 * a comment no rule is sure about is left out rather than guessed.
 */
export type ComplaintLabel = 'complaint' | 'question' | 'other';

export interface ComplaintRow extends TrainRow {
  label: ComplaintLabel;
  /** `test` rows come from held-out VK threads; `train` from the rest and from portal appeals. */
  group: 'train' | 'test';
  origin: 'vk-post' | 'vk-page-reply' | 'vk-comment' | 'portal';
}

// Problem vocabulary: damage, dirt, outages, inaction, repetition ("опять", "до сих пор"), illegal trade and ads,
// and the bitter phrasing people use about neglect ("убожество", "конь не валялся", "сколько можно"). Kept as a few
// plain alternations by theme rather than one: each stays small enough for the ReDoS check to prove it linear.
const COMPLAINT_CUES = [
  /не работа|сломал|сломан|разбит|выбоин|колдобин|лужа|лужи|аварийн|заброшен|не горит|темно|испортил/,
  /мусор|грязь|грязн|не убира|не убран|не убрал|не чист|не вывоз|не вывез|свалк|зарос|бурьян|крысы|тараканы|плесень|вонь|воняет|запах|требует уборки/,
  /протека|затопи|нет (?:воды|света|тепла|отоплени|горячей|холодной)|отоплени[ея] нет|не топ|плохо топ|не грею|холодно|отключ|шум[ит]|сугроб|сосульк|наледь|гололед|теч[её]т|прорвал/,
  /невозможно|безобраз|ужас|кошмар|убожеств|жалоб|до сих пор|уже (?:неделю|месяц|год|второй|третий|[0-9]+)|опять|снова|сколько можно|когда уже|конь не валялся|не наблюдается/,
  /обман|мошенн|нарушени|незаконн|самовол|торгу[ею]т|торговл|заклеен|реклам[аоуы]? бордел|бомж|не отвечают|игнорир|бездейств|равнодуш|отписк|хамств|грубо|не приехал|не пришел|не починил|не отремонтир/,
  /прошу (?:убрать|принять меры|разобраться|навести)|просьба (?:убрать|принять)/,
  /(?<![а-я])ям[аыу](?![а-я])/,
  // «почему не убираете / чистят / приходите»: the whole next word must end as a verb in the present tense.
  /почему не [а-я]+(?![а-я])(?<=[а-я](?:ете|ите|ут|ют|ят|ат))/,
];
const QUESTION_START = /^(?:\[user\][,\s]*|\[club\d+\|[^\]]*\][,\s]*)?(?:(?:добрый (?:день|вечер)|здравствуйте|доброе утро)[!.,\s]*)?(?:подскажите|скажите|уточните|а как|как |где |когда |можно ли|будет ли|будут ли|есть ли|остались ли|почему|куда|кто |сколько|что делать|какие|какой|какая|к кому|а можно|можно |а будет|а есть|а где|а когда)/;
// Information requests anywhere in the text (after a greeting or an introduction).
const INFO_REQUEST = /подскажите|скажите,? пожалуйста|уточните|как (?:узнать|попасть|записаться|получить|забронировать)|где (?:можно|узнать|получить)|куда (?:обращаться|обратиться)|к кому (?:можно )?обратиться|будет ли|будут ли|можно ли|есть ли|остались ли/;
// Rhetorical or argumentative questions: sarcasm at the page or at other users, not a request for information.
const RHETORICAL = /что за |неужели|разве |а вы |вы (?:сами|видели|считаете)|это что|шутка|серьезно\?|серьёзно\?/;
const THANKS_CUES = /спасибо|благодар|поздравл|с праздником|с днем|с днём|молодц|отличн|здорово|прекрасн|замечательн|класс|красот|(?<![а-я])ура(?![а-я])|умнички|браво|понравил|восторг|чудесн|шикарн/;
// Stock replies of the page itself (its author is often not recorded): greeting plus administrative phrasing,
// or phrases only the page uses.
const OFFICIAL_REPLY = /^\[user\][,\s]*(?:добрый день|здравствуйте|доброе утро|добрый вечер)[\s\S]*(?:сообщаем|информ|обращени|направлен|ознаком|администрац|муниципальн|по вопросу|уточните|благодарим|напишите в личные|в сообщения сообщества|обратиться)/;
const OFFICIAL_PHRASES = /вам (?:нужно|необходимо|следует) обратиться|можете ознакомиться|предлагаем вам ознакомиться|ваш вопрос передан|направили запрос|вернемся к вам|благодарим за (?:понимание|обращение)|для решения вашего вопроса|по вашему обращению|публиковали новость|не располагаем|просим прекратить|уважаемые жители/;
const ADDRESSED_TO_USER = /^\[user\]/;

export function heuristicLabel(text: string): ComplaintLabel | null {
  const t = text.toLowerCase().replace(/ё/g, 'е').trim();
  if (t.length === 0) return null;
  if (OFFICIAL_REPLY.test(t) || OFFICIAL_PHRASES.test(t)) return 'other';
  const complaint = COMPLAINT_CUES.some((re) => re.test(t));
  const thanks = THANKS_CUES.test(t);
  const toUser = ADDRESSED_TO_USER.test(t);
  const hasMark = t.includes('?');
  const info = QUESTION_START.test(t) || INFO_REQUEST.test(t);
  const rhetorical = RHETORICAL.test(t);
  if (complaint && !(thanks && !hasMark && t.length < 80)) {
    // Arguments between users borrow problem words ("ужас", "опять"); only a long reply is taken as a report.
    if (toUser && t.length < 120) return null;
    return 'complaint';
  }
  if (rhetorical) return toUser ? 'other' : null;
  // A question to the page or the authority; a question mark in a reply to another user is usually banter.
  if (info && !thanks) return 'question';
  if (hasMark && !thanks && !toUser && t.length < 200) return 'question';
  if (thanks && !hasMark) return 'other';
  // Replies between users without a request or a problem are conversation the inbox must pass over.
  if (toUser && !hasMark) return 'other';
  // Short cue-less chatter ("Готово", "Я тоже", "+") is traffic the detector must pass over as other.
  if (!hasMark && t.length < 40) return 'other';
  return null;
}

function isTest(key: string): boolean {
  return hashString(key) % 5 === 0;
}

export function buildComplaintData(
  vk: Record<string, string>[],
  portalTexts: string[],
  options: { portalSample?: number; seed?: number } = {},
): { rows: ComplaintRow[]; stats: Record<string, number> } {
  const rows: ComplaintRow[] = [];
  const stats: Record<string, number> = {};
  const count = (key: string) => (stats[key] = (stats[key] ?? 0) + 1);
  const seen = new Set<string>();
  for (const record of vk) {
    const text = (record.text ?? '').trim();
    const key = text.toLowerCase();
    if (!text || seen.has(key)) continue;
    seen.add(key);
    // Thread key: a post and its comments stay on one side of the split.
    const thread = `${record.page ?? ''}|${record.post_id || record.item_id || ''}`;
    const group = isTest(thread) ? 'test' : 'train';
    if (record.type === 'post') {
      rows.push({ text, label: 'other', group, origin: 'vk-post' });
      count('vk-post:other');
      continue;
    }
    if (record.author_kind === 'page') {
      rows.push({ text, label: 'other', group, origin: 'vk-page-reply' });
      count('vk-page-reply:other');
      continue;
    }
    const label = heuristicLabel(text);
    if (!label) {
      count('vk-comment:unlabelled');
      continue;
    }
    rows.push({ text, label, group, origin: 'vk-comment' });
    count(`vk-comment:${label}`);
  }
  const rand = mulberry32(options.seed ?? 7);
  const pool = portalTexts.filter((text) => text.trim().length >= 20);
  const want = Math.min(options.portalSample ?? 3000, pool.length);
  for (let i = 0; i < want; i++) {
    const j = i + Math.floor(rand() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    rows.push({ text: pool[i]!, label: 'complaint', group: 'train', origin: 'portal' });
    count('portal:complaint');
  }
  return { rows, stats };
}

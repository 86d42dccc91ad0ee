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
const QUESTION_START =
  /^(?:\[user\][,\s]*|\[club\d+\|[^\]]*\][,\s]*)?(?:(?:добрый (?:день|вечер)|здравствуйте|доброе утро)[!.,\s]*)?(?:подскажите|скажите|уточните|а как|как |где |когда |можно ли|будет ли|будут ли|есть ли|остались ли|почему|куда|кто |сколько|что делать|какие|какой|какая|к кому|а можно|можно |а будет|а есть|а где|а когда)/;
// Information requests anywhere in the text (after a greeting or an introduction).
const INFO_REQUEST =
  /подскажите|скажите,? пожалуйста|уточните|как (?:узнать|попасть|записаться|получить|забронировать)|где (?:можно|узнать|получить)|куда (?:обращаться|обратиться)|к кому (?:можно )?обратиться|будет ли|будут ли|можно ли|есть ли|остались ли/;
// Rhetorical or argumentative questions: sarcasm at the page or at other users, not a request for information.
const RHETORICAL = /что за |неужели|разве |а вы |вы (?:сами|видели|считаете)|это что|шутка|серьезно\?|серьёзно\?/;
const THANKS_CUES =
  /спасибо|благодар|поздравл|с праздником|с днем|с днём|молодц|отличн|здорово|прекрасн|замечательн|класс|красот|(?<![а-я])ура(?![а-я])|умнички|браво|понравил|восторг|чудесн|шикарн/;
// Stock replies of the page itself (its author is often not recorded): greeting plus administrative phrasing,
// or phrases only the page uses.
const OFFICIAL_REPLY =
  /^\[user\][,\s]*(?:добрый день|здравствуйте|доброе утро|добрый вечер)[\s\S]*(?:сообщаем|информ|обращени|направлен|ознаком|администрац|муниципальн|по вопросу|уточните|благодарим|напишите в личные|в сообщения сообщества|обратиться)/;
const OFFICIAL_PHRASES =
  /вам (?:нужно|необходимо|следует) обратиться|можете ознакомиться|предлагаем вам ознакомиться|ваш вопрос передан|направили запрос|вернемся к вам|благодарим за (?:понимание|обращение)|для решения вашего вопроса|по вашему обращению|публиковали новость|не располагаем|просим прекратить|уважаемые жители/;
const ADDRESSED_TO_USER = /^\[(?:user\]|id\d)/;

/** What the weak-label rules see in a text (lower-cased, ё→е); shared by the rules and the detector's cues. */
interface RuleFacts {
  t: string;
  official: boolean;
  complaint: boolean;
  thanks: boolean;
  toUser: boolean;
  hasMark: boolean;
  info: boolean;
  rhetorical: boolean;
}

function ruleFacts(text: string): RuleFacts {
  const t = text.toLowerCase().replace(/ё/g, 'е').trim();
  return {
    t,
    official: OFFICIAL_REPLY.test(t) || OFFICIAL_PHRASES.test(t),
    complaint: COMPLAINT_CUES.some((re) => re.test(t)),
    thanks: THANKS_CUES.test(t),
    toUser: ADDRESSED_TO_USER.test(t),
    hasMark: t.includes('?'),
    info: QUESTION_START.test(t) || INFO_REQUEST.test(t),
    rhetorical: RHETORICAL.test(t),
  };
}

export function heuristicLabel(text: string): ComplaintLabel | null {
  return labelOf(ruleFacts(text));
}

function labelOf(f: RuleFacts): ComplaintLabel | null {
  const { t, complaint, thanks, toUser, hasMark, info, rhetorical } = f;
  if (t.length === 0) return null;
  if (f.official) return 'other';
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

/**
 * The rule groups that fire on a text (problem vocabulary, an information request, a rhetorical question, thanks,
 * the page's stock phrasing) and the label the rules give (`label-…`, `label-none`): cues for the detector, which
 * learns from hand labels how far to trust each.
 */
export function ruleCues(text: string): string[] {
  const f = ruleFacts(text);
  const fired = (['official', 'complaint', 'thanks', 'info', 'rhetorical'] as const).filter((k) => f[k]);
  return [...fired, `label-${labelOf(f) ?? 'none'}`];
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
  for (const text of samplePortal(portalTexts, options.portalSample ?? 3000, options.seed ?? 7)) {
    rows.push({ text, label: 'complaint', group: 'train', origin: 'portal' });
    count('portal:complaint');
  }
  return { rows, stats };
}

/** A seeded sample of `want` portal appeals (texts of at least 20 characters), in draw order. */
export function samplePortal(portalTexts: readonly string[], want: number, seed: number): string[] {
  const rand = mulberry32(seed);
  const pool = portalTexts.filter((text) => text.trim().length >= 20);
  const n = Math.min(want, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
}

import { ruleCues } from './complaint-data.js';

/**
 * Cues the complaint detector derives from a comment's text alone and feeds to the model as context tokens (block 2
 * of the features): its length, whom it addresses, where its question mark is, emphatic punctuation, whether it is
 * little more than an address, and which weak-label rule groups fire. Word and character n-grams cannot see these
 * (a bare «Марата 14» has no problem word; «?» is not a token), and with a few thousand hand-labelled comments a
 * handful of dense cues generalises better than n-grams alone (cross-validation: macro-F1 0.783 without them, 0.824
 * with). The live system computes them from the text, so they need nothing beyond what `otklik classify --text` gets.
 * The set is frozen under its name once a shipped model uses it: a changed cue makes a new set.
 */
export const COMPLAINT_CUE_SET = 'complaint-cues-v1';

// VK writes a reply's addressee first: `[id1|Имя], …` (the shared dataset shows users as `[USER]`), the page or a
// committee as `[club1|Name]` / `[public1|Name]`.
const TO_USER = /^\s*\[(?:USER\]|id\d)/;
const TO_PAGE = /^\s*\[(?:club|public)\d/;
const MENTION = /\[(?:USER|(?:id|club|public|event)\d+\|[^\][]*)\]/g;
// A house number after a capitalised word or a street abbreviation: «Марата 14», «Коллонтай 16,к1», «ул. Рылеева, д. 9».
const ADDRESS =
  /[А-ЯЁ][а-яё]+\.?,?\s{1,3}\d{1,3}(?![\d.:])|(?<![а-яё])(?:ул|пр|пер|наб|д|дом)\.?\s{0,2}\d{1,3}(?![\d.:])|(?<![а-яё])(?:улиц[аеы]|переул|набережн|проспект|бульвар|шоссе|площад)/u;
const WORD = /[\p{L}\d]+/gu;
// «Me too» reports under a thread of the same problem: «тоже 177 округ», «и у нас так было», «такая же ситуация».
const ME_TOO = /(?<![а-яё])(?:тоже|также|так же|такая же|такое же|та же|то же|и у (?:нас|меня)|и мы|аналогичн)(?![а-яё])/;
// A public service's booking or site that failed: no places, nothing arrived, the link does not work, closed early.
const SERVICE_FAILURE =
  /мест нет|нет мест|не приш[лё]|не пришл|не получ|не работа|не открыва|не гру[зж]|не успе|не смог|не могу|не удалось|закончил|заверш|сбой|ошибк|недействител|отмен[иеё]н/;
// A question put to the other readers rather than to the authority: «Кто-нибудь ходил?», «у кого есть лишние?».
const ASKS_USERS = /(?<![а-яё])(?:кто[- ]?(?:нибудь|то)|у кого|кто ходил|кто был|кто знает|никто не)(?![а-яё])/;
// A demand to the authority in the imperative plural, not a request for information: «Верните площадку», «уберите».
const DEMAND =
  /(?<![а-яё])(?:верните|уберите|почистите|обновите|поставьте|замените|отремонтируйте|примите меры|разберитесь|наведите|сделайте|установите|вывезите|проверьте|накажите|запретите|обратите внимание)(?![а-яё])/;

function lengthBucket(n: number): string {
  if (n < 15) return 'a';
  if (n < 40) return 'b';
  if (n < 80) return 'c';
  if (n < 200) return 'd';
  if (n < 500) return 'e';
  return 'f';
}

function questionMark(text: string): string {
  const at = text.lastIndexOf('?');
  if (at < 0) return 'no';
  return text.slice(at + 1).trim().length <= 3 ? 'end' : 'mid';
}

/** The cue tokens of one text, as context entries (`cue.len=b`, …); keys never clash with a caller's context. */
export function complaintCues(text: string): Record<string, string> {
  const body = text.replace(MENTION, ' ').trim();
  const address = ADDRESS.test(body);
  const cues: Record<string, string> = {
    'cue.len': lengthBucket(body.length),
    'cue.to': TO_USER.test(text) ? 'user' : TO_PAGE.test(text) ? 'page' : 'none',
    'cue.q': questionMark(body),
    'cue.excl': /[!?]{2}/.test(body) ? 'y' : 'n',
    // Words are counted only for a text with an address: the Unicode scan is a third of the cues' cost.
    'cue.addr': address ? ((body.match(WORD)?.length ?? 0) <= 6 ? 'bare' : 'in') : 'no',
  };
  const lower = body.toLowerCase().replace(/ё/g, 'е');
  if (ME_TOO.test(lower)) cues['cue.metoo'] = 'y';
  if (SERVICE_FAILURE.test(lower)) cues['cue.failure'] = 'y';
  if (ASKS_USERS.test(lower)) cues['cue.askusers'] = 'y';
  if (DEMAND.test(lower)) cues['cue.demand'] = 'y';
  const rules = ruleCues(text);
  for (const cue of rules) cues[`cue.rule.${cue}`] = 'y';
  // Pairs a linear model cannot form itself: a problem put as a question, thanks with a problem still left.
  if (rules.includes('complaint') && (rules.includes('info') || cues['cue.q'] !== 'no')) cues['cue.pair'] = 'problem-question';
  else if (rules.includes('complaint') && rules.includes('thanks')) cues['cue.pair'] = 'problem-thanks';
  return cues;
}

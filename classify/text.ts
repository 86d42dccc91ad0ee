import PorterStemmerRu from 'natural/lib/natural/stemmers/porter_stemmer_ru.js';
import AggressiveTokenizerRu from 'natural/lib/natural/tokenizers/aggressive_tokenizer_ru.js';
import stopwordsRu from 'natural/lib/natural/util/stopwords_ru.js';

/**
 * Placeholder tokens replace personal data and noise. They are plain Latin words so that natural's tokenizer
 * keeps them and the stemmer (Cyrillic only) leaves them alone; the model still learns "has a phone number".
 */
export const PLACEHOLDER = {
  url: 'urltok',
  email: 'emailtok',
  phone: 'phonetok',
  mask: 'masktok',
  emoji: 'emojitok',
  user: 'usertok',
  mention: 'mentiontok',
  number: 'numtok',
} as const;

const PLACEHOLDER_SET: ReadonlySet<string> = new Set(Object.values(PLACEHOLDER));
export function isPlaceholder(token: string): boolean {
  return PLACEHOLDER_SET.has(token);
}

const ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  laquo: '«',
  raquo: '»',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  bdquo: '„',
  ldquo: '“',
  rdquo: '”',
  lsquo: '‘',
  rsquo: '’',
  shy: '',
  laquo_: '«',
  times: '×',
  deg: '°',
  numero: '№',
};

const RE_TAG = /<\/?[a-zA-Z!][^<>]*>/g;
const RE_ENTITY = /&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g;
const RE_URL = /(?:https?:\/\/|www\.)[^\s<>"«»]+|(?<![\p{L}\d@.])(?:vk\.com|t\.me|ok\.ru)\/[^\s<>"«»]*/giu;
// The look-behind lets a match start only where a run of address characters starts: without it every character
// of a long run was a start that scanned the whole run again (20,000 letters before an @ took a minute and a half).
const RE_EMAIL = /(?<![\p{L}\d._%+-])[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.\p{L}{2,}/gu;
// Russian numbers as people type them: +7 (391) 200-00-00, 8 913 123 45 67, 89131234567, and 6–7 digit city numbers 20-00-00.
const RE_PHONE =
  /(?<![\d\p{L}])(?:(?:\+7|8)[\s\u00a0\-–(]*\d{3,5}[\s\u00a0\-–)]*\d{1,3}[\s\u00a0\-–]*\d{2}[\s\u00a0\-–]*\d{2}|\d{1,3}[-–]\d{2}[-–]\d{2})(?!\d)/gu;
// Portal and VK exports mask personal data as XXX (Latin or Cyrillic capitals).
const RE_MASK = /(?<![\p{L}\d])[XХ]{2,}(?![\p{L}\d])/gu;
// A person's mention, `[id1|Имя]` as VK writes it or `[USER]` as the shared dataset exports it, is one placeholder:
// the name is personal data, and the models learn from the dataset, where names are gone. The name stops at the next
// [ as well: an unclosed "[id1|" must not make every later "[id1|" scan to the end.
const RE_VK_USER = /\[USER\]|\[id\d+\|[^\][]*\]/g;
// A community's mention keeps its name: whom a comment addresses (the page, a committee) is a useful signal.
const RE_VK_MENTION = /\[(?:club|public|event)\d+\|([^\][]*)\]/g;
const RE_EMOJI = /\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic})*/gu;
// Cheap pre-check so that the emoji regex (a Unicode property scan) runs only on texts that can contain one.
const RE_MAYBE_EMOJI = /[\u2100-\u2bff\u3030\u303d\u3297\u3299\ud83c-\ud83e]/;
const RE_DIGITS2 = /\d[\s\-–()]*\d/;

function decodeEntity(_m: string, body: string): string {
  if (body[0] === '#') {
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
  }
  const named = ENTITIES[body.toLowerCase()];
  return named ?? ' ';
}

/**
 * Removes markup and replaces personal data with placeholders. Returns text in its original case:
 * masks (XXX) must be recognised before lower-casing makes them look like ordinary letters.
 * Each regex runs only when a cheap character check says it can match, because this is the hot path of `classify`.
 */
export function cleanText(raw: string): string {
  let s = raw;
  if (s.indexOf('<') !== -1) s = s.replace(RE_TAG, ' ');
  if (s.indexOf('&') !== -1) s = s.replace(RE_ENTITY, decodeEntity);
  if (s.indexOf('[') !== -1) s = s.replace(RE_VK_USER, ` ${PLACEHOLDER.user} `).replace(RE_VK_MENTION, ` ${PLACEHOLDER.mention} $1 `);
  if (s.indexOf('http') !== -1 || s.indexOf('www.') !== -1 || s.indexOf('.com/') !== -1 || s.indexOf('.me/') !== -1 || s.indexOf('.ru/') !== -1) {
    s = s.replace(RE_URL, ` ${PLACEHOLDER.url} `);
  }
  if (s.indexOf('@') !== -1) s = s.replace(RE_EMAIL, ` ${PLACEHOLDER.email} `);
  if (RE_DIGITS2.test(s)) s = s.replace(RE_PHONE, ` ${PLACEHOLDER.phone} `);
  if (s.indexOf('XX') !== -1 || s.indexOf('ХХ') !== -1) s = s.replace(RE_MASK, ` ${PLACEHOLDER.mask} `);
  if (RE_MAYBE_EMOJI.test(s)) s = s.replace(RE_EMOJI, ` ${PLACEHOLDER.emoji} `);
  return s;
}

/** Lower-case and fold ё→е: people write ё inconsistently and the stemmer folds it anyway. */
export function normalizeCase(s: string): string {
  const lower = s.toLowerCase();
  return lower.indexOf('ё') === -1 ? lower : lower.replace(/ё/g, 'е');
}

const tokenizer = new AggressiveTokenizerRu();

/** natural's AggressiveTokenizerRu, kept as the reference the fast scanner below is tested against. */
export function tokenizeNatural(normalized: string): string[] {
  return tokenizer.tokenize(normalized);
}

/** The characters natural's tokenizer keeps: /[a-zа-яё0-9]/i. */
function isWordCode(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 0x0430 && c <= 0x044f) || c === 0x0451 ||
    (c >= 65 && c <= 90) || (c >= 0x0410 && c <= 0x042f) || c === 0x0401
  );
}

/**
 * Words of already lower-cased text, split on anything that is not a Latin/Cyrillic letter or digit. Same tokens
 * as natural's AggressiveTokenizerRu, but one scan with substrings instead of two regex replaces, a split and a
 * filter: tokenizing was a fifth of the classify hot path.
 */
export function tokenize(normalized: string): string[] {
  const out: string[] = [];
  const n = normalized.length;
  let start = -1;
  for (let i = 0; i < n; i++) {
    if (isWordCode(normalized.charCodeAt(i))) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push(normalized.substring(start, i));
      start = -1;
    }
  }
  if (start >= 0) out.push(normalized.substring(start, n));
  return out;
}

// natural's own tokenizeAndStem compares tokens with this list before lower-casing, so "В" or "На" slip through;
// we lower-case first and compare here.
export const STOP_WORDS: ReadonlySet<string> = new Set(stopwordsRu.words.map((w) => normalizeCase(w)));

const STEM_CACHE_LIMIT = 400_000;
const stemCache = new Map<string, string>();

function hasCyrillic(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 0x0430 && c <= 0x044f) return true;
  }
  return false;
}

/**
 * Porter stem of a lower-case word, cached: natural's stemmer runs a dozen regexes per word, and Russian appeal
 * vocabulary is small enough (a few hundred thousand word forms) that a Map turns it into one lookup.
 */
export function stemWord(word: string): string {
  const cached = stemCache.get(word);
  if (cached !== undefined) return cached;
  const stem = hasCyrillic(word) ? PorterStemmerRu.stem(word) : word;
  if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
  stemCache.set(word, stem);
  return stem;
}

export function stemCacheSize(): number {
  return stemCache.size;
}

export function isAllDigits(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return word.length > 0;
}

export interface AnalyzeOptions {
  /** Drop natural's Russian stop words from the stem sequence (words stay for character n-grams). */
  removeStopWords?: boolean;
}

export interface AnalyzedText {
  /** Lower-cased surface words; bare numbers are replaced by `numtok` (house numbers carry no topic). */
  words: string[];
  /** Stems of `words`, minus stop words if asked. */
  stems: string[];
}

export function analyze(raw: string, options: AnalyzeOptions = {}): AnalyzedText {
  const tokens = tokenize(normalizeCase(cleanText(raw)));
  const words: string[] = new Array(tokens.length);
  const stems: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const w = isAllDigits(t) ? PLACEHOLDER.number : t;
    words[i] = w;
    if (options.removeStopWords && STOP_WORDS.has(w)) continue;
    stems.push(stemWord(w));
  }
  return { words, stems };
}

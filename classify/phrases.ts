import { cleanText, normalizeCase, stemWord, tokenize } from './text.js';

/** Stems of a phrase or text, in order; the common currency for keyword and gazetteer matching. */
export function stemsOf(text: string): string[] {
  return tokenize(normalizeCase(cleanText(text))).map(stemWord);
}

/** Stands between the stems of two sentences: never a stem (the tokenizer keeps letters and digits only). */
export const SENTENCE_BREAK = '.';

/** Stems of a text with SENTENCE_BREAK between its sentences: a phrase is looked for within one sentence. */
export function sentenceStemsOf(text: string): string[] {
  const out: string[] = [];
  for (const sentence of normalizeCase(cleanText(text)).split(/[.!?;\n…]+/)) {
    const stems = tokenize(sentence).map(stemWord);
    if (stems.length === 0) continue;
    if (out.length) out.push(SENTENCE_BREAK);
    out.push(...stems);
  }
  return out;
}

/** «не» binds to the word after it («не работает»): order matters there, and only there. */
const NEGATION = 'не';
/** The conditional particle: «упало бы» says it did not happen. */
const CONDITIONAL = 'бы';

/** A phrase as units that may come in any order; a unit of two stems («не» + word) must be adjacent in that order. */
type Unit = readonly string[];

interface CompiledPhrase<T> {
  units: Unit[];
  /** Longest span, in tokens, all units may cover: the phrase's own length plus two. */
  window: number;
  value: T;
  phrase: string;
}

function unitsOf(stems: string[]): Unit[] {
  const units: Unit[] = [];
  for (let i = 0; i < stems.length; i++) {
    if (stems[i] === NEGATION && i + 1 < stems.length) units.push([NEGATION, stems[++i]!]);
    else units.push([stems[i]!]);
  }
  return units;
}

/** Where each stem occurs, and which sentence each position is in. */
interface TextIndex {
  stems: readonly string[];
  positions: Map<string, number[]>;
  sentence: number[];
}

function indexOf(stems: readonly string[]): TextIndex {
  const positions = new Map<string, number[]>();
  const sentence: number[] = [];
  let s = 0;
  stems.forEach((stem, i) => {
    if (stem === SENTENCE_BREAK) s++;
    sentence.push(s);
    const list = positions.get(stem);
    if (list) list.push(i);
    else positions.set(stem, [i]);
  });
  return { stems, positions, sentence };
}

/**
 * Where a unit occurs: its start positions, ascending, and where each occurrence ends. «не» may stand one word
 * before the word it negates («мусор не регулярно вывозится») but never across a sentence.
 */
const NONE = { starts: [] as number[], end: new Map<number, number>() };

function unitOccurrences(u: Unit, ix: TextIndex): { starts: number[]; end: Map<number, number> } {
  const first = ix.positions.get(u[0]!);
  if (!first) return NONE;
  const end = new Map<number, number>();
  if (u.length === 1) {
    for (const p of first) end.set(p, p);
    return { starts: first, end };
  }
  for (const p of first) {
    const at = ix.stems[p + 1] === u[1] ? p + 1 : ix.stems[p + 2] === u[1] && ix.stems[p + 1] !== SENTENCE_BREAK ? p + 2 : -1;
    if (at >= 0) end.set(p, at);
  }
  return { starts: [...end.keys()], end };
}

/** The start in a sorted list closest to p (binary search: linear overall even on long repetitive texts). */
function nearest(sorted: number[], p: number): number | undefined {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < p) lo = mid + 1;
    else hi = mid;
  }
  const after = sorted[lo];
  const before = lo > 0 ? sorted[lo - 1] : undefined;
  if (after === undefined) return before;
  if (before === undefined) return after;
  return p - before <= after - p ? before : after;
}

/** Whether all units occur in one sentence within the phrase's window, in any order, and not in the conditional mood. */
function matches<T>(p: CompiledPhrase<T>, ix: TextIndex): boolean {
  const occurrences: ReturnType<typeof unitOccurrences>[] = [];
  for (const u of p.units) {
    // Most phrases miss their first word: nothing more is computed for them.
    const o = unitOccurrences(u, ix);
    if (o.starts.length === 0) return false;
    occurrences.push(o);
  }
  // Anchor on the rarest unit; every other unit takes its occurrence nearest to the anchor.
  const anchor = occurrences.reduce((best, o, i) => (o.starts.length < occurrences[best]!.starts.length ? i : best), 0);
  for (const at of occurrences[anchor]!.starts) {
    let lo = at;
    let hi = occurrences[anchor]!.end.get(at)!;
    let ok = true;
    for (let i = 0; i < p.units.length && ok; i++) {
      if (i === anchor) continue;
      const q = nearest(occurrences[i]!.starts, at)!;
      lo = Math.min(lo, q);
      hi = Math.max(hi, occurrences[i]!.end.get(q)!);
      ok = ix.sentence[q] === ix.sentence[at] && hi - lo + 1 <= p.window;
    }
    if (ok && ix.stems[hi + 1] !== CONDITIONAL && !ix.stems.slice(lo, hi + 1).includes(CONDITIONAL)) return true;
  }
  return false;
}

/**
 * Keyword phrases matched on stems, so a configured "нет горячей воды" also finds «горячей воды нет уже неделю» and
 * "не работает светофор" finds «светофор на углу не работает», in any case form and word order, without each region
 * listing every inflection. A phrase matches when all its words occur in one sentence within a window of (phrase
 * length + 2) tokens; «не» must stand before the word it negates (at most one word between), and «…упало бы»
 * (conditional) is no report.
 */
export class PhraseMatcher<T> {
  private readonly phrases: CompiledPhrase<T>[] = [];

  add(phrase: string, value: T): this {
    const stems = stemsOf(phrase);
    if (stems.length > 0) this.phrases.push({ units: unitsOf(stems), window: stems.length + 2, value, phrase });
    return this;
  }

  /** All phrases found in the given text stems (sentenceStemsOf), in the order they were added. */
  matchStems(textStems: readonly string[]): { value: T; phrase: string }[] {
    if (this.phrases.length === 0) return [];
    const ix = indexOf(textStems);
    return this.phrases.filter((p) => matches(p, ix)).map((p) => ({ value: p.value, phrase: p.phrase }));
  }

  match(text: string): { value: T; phrase: string }[] {
    return this.matchStems(sentenceStemsOf(text));
  }
}

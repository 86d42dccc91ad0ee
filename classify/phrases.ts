import { cleanText, normalizeCase, stemWord, tokenize } from './text.js';

/** Stems of a phrase or text, in order; the common currency for keyword and gazetteer matching. */
export function stemsOf(text: string): string[] {
  return tokenize(normalizeCase(cleanText(text))).map(stemWord);
}

/**
 * Keyword phrases matched on stems, so a configured "нет отопления" also finds "отопления нет уже неделю" word
 * for word ("нет", "отоплен") in any case form, without each region listing every inflection.
 * A phrase matches when all its stems occur in order within a window of (phrase length + 2) tokens.
 */
export class PhraseMatcher<T> {
  private readonly phrases: { stems: string[]; value: T; phrase: string }[] = [];

  add(phrase: string, value: T): this {
    const stems = stemsOf(phrase);
    if (stems.length > 0) this.phrases.push({ stems, value, phrase });
    return this;
  }

  /** All phrases found in the given text stems, in the order they were added. */
  matchStems(textStems: readonly string[]): { value: T; phrase: string }[] {
    const out: { value: T; phrase: string }[] = [];
    if (this.phrases.length === 0) return out;
    const positions = new Map<string, number[]>();
    textStems.forEach((s, i) => {
      const list = positions.get(s);
      if (list) list.push(i);
      else positions.set(s, [i]);
    });
    for (const p of this.phrases) if (matchesInOrder(p.stems, positions)) out.push({ value: p.value, phrase: p.phrase });
    return out;
  }

  match(text: string): { value: T; phrase: string }[] {
    return this.matchStems(stemsOf(text));
  }
}

function matchesInOrder(stems: readonly string[], positions: Map<string, number[]>): boolean {
  const first = positions.get(stems[0]!);
  if (!first) return false;
  const window = stems.length + 2;
  for (const start of first) {
    let at = start;
    let ok = true;
    for (let j = 1; j < stems.length; j++) {
      const next = positions.get(stems[j]!)?.find((p) => p > at && p < start + window);
      if (next === undefined) {
        ok = false;
        break;
      }
      at = next;
    }
    if (ok) return true;
  }
  return false;
}

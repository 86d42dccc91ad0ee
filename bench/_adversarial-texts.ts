/**
 * Hostile texts for the classify path: long runs of one character class, and of the pieces that the e-mail, URL,
 * phone, mention, mask and markup patterns look for, so that a pattern which backtracks over a run shows up as a
 * per-character time that grows with the length. Shared by `npm run bench -- classify` (timed) and
 * test/security/redos.test.ts (which records the regexes that run on them; tests never time anything).
 */

/** `unit` repeated until the text is `length` characters long (cut at the end), then `tail`. */
function run(unit: string, length: number, tail = ''): string {
  const body = unit.repeat(Math.ceil((length - tail.length) / unit.length)).slice(0, Math.max(0, length - tail.length));
  return body + tail;
}

export interface AdversarialText {
  name: string;
  text: string;
}

/** The hostile texts at one length (in UTF-16 code units, as the 20,000-character limit counts them). */
export function adversarialTexts(length: number): AdversarialText[] {
  const cases: [string, string, string?][] = [
    // The report: a run of Cyrillic letters and one @ (the e-mail pattern tried every start of the run).
    ['cyrillic+@', 'а', '@'],
    ['latin+@', 'a', '@'],
    ['cyrillic', 'а'],
    ['digits', '7'],
    ['digits+@', '7', '@'],
    ['hyphens', '-'],
    ['dots', '.'],
    ['at-signs', '@'],
    ['dot-at', '.@'],
    ['label-dot', 'а.'],
    ['at-label-dot', '@а.а'],
    ['email-no-tld', 'а@а'],
    ['punctuation', '!?.,;:-–—()"«»'],
    ['spaces', ' '],
    ['tabs+newline', '\t', '\n'],
    ['phone-digits', '8 913 '],
    ['phone-separators', '1-'],
    ['plus7', '+7 ('],
    ['url-prefix', 'www.'],
    ['url-scheme', 'http://'],
    ['vk-mention', '[id0|'],
    ['markup', '<a'],
    ['entities', '&#1'],
    ['masks', 'XХ'],
    ['emoji', '🙂'],
    ['zwj', '\u200d🙂\ufe0f'],
    ['words', 'мусор '],
  ];
  return cases.map(([name, unit, tail]) => ({ name, text: run(unit, length, tail) }));
}

/** Lengths the bench measures: the widget's limit is 5,000 characters, a 122 card's and the queue's 20,000. */
export const ADVERSARIAL_LENGTHS = [1_000, 5_000, 20_000] as const;

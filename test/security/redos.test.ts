/**
 * Every regular expression that can run on citizens' (or staff's) text must take linear time: one backtracking
 * pattern let a 20,000-character call card block the server for a minute and a half. Each pattern is judged by
 * recheck, a ReDoS checker that proves (automaton) or searches for (fuzzing) an input on which it backtracks
 * super-linearly. Patterns are found in the sources by the TypeScript compiler, so a new one is checked without
 * anyone listing it; patterns built at run time must be listed below with representative instances.
 *
 * recheck explores a pattern within time budgets of its own (10 s a pattern, 1 s an attack). They only bound its
 * search: a pattern it does not judge safe at first is judged again alone with ten times the budgets, so a busy
 * machine cannot fail the test and nothing here compares times. Nothing in this file measures time either.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, type Diagnostics } from 'recheck';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { adversarialTexts } from '../../bench/_adversarial-texts.js';
import { classifyMessage } from '../../classify/classify-message.js';
import { loadClassifier } from '../../classify/load-classifier.js';
import { loadGazetteer } from '../../classify/municipality.js';
import { placePattern } from '../../classify/routing-data.js';
import { cleanText, PLACEHOLDER, tokenize } from '../../classify/text.js';
import { highlightPattern } from '../../dashboard/client/_common.js';
import { callCardSchema } from '../../ingest/contact-center.js';
import { widgetSubmissionSchema } from '../../ingest/widget/router.js';
import { compilePath } from '../../lib/hot-routes.js';
import { createLogger } from '../../lib/logger.js';
import type { IncomingMessage } from '../../lib/queues.js';
import { lintAnswer } from '../../workflow/answer-lint.js';
import { emailAddress } from '../../workflow/polls/destination.js';
import { inventory, regexesOf, type FoundRegex } from './regex-inventory.js';

const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SLOW = 900_000;
const PATIENT = { timeout: 120_000, attackTimeout: 10_000, incubationTimeout: 2_500, seedingTimeout: 1_000 } as const;

/** At most two checks at once: recheck's own budgets are wall-clock, so it must not compete with itself. */
function limiter(concurrency: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
const first = limiter(2);
const again = limiter(1);

const verdicts = new Map<string, Promise<Diagnostics>>();
function verdict(source: string, flags: string): Promise<Diagnostics> {
  // `y` (String#split adds it) only pins where a match starts: the pattern's cost per start is the same.
  const f = flags.replace('y', '');
  const key = `${f}/${source}`;
  let d = verdicts.get(key);
  if (!d) {
    d = first(() => check(source, f)).then((quick) => (quick.status === 'safe' ? quick : again(() => check(source, f, PATIENT))));
    verdicts.set(key, d);
  }
  return d;
}

function explain(r: FoundRegex, d: Diagnostics): string {
  const head = `${r.where}: /${r.source}/${r.flags} is ${d.status}`;
  if (d.status === 'vulnerable') return `${head} (${d.complexity.summary}; attack ${d.attack.pattern})`;
  if (d.status === 'unknown') return `${head} (${d.error.kind}${'message' in d.error ? `: ${d.error.message}` : ''})`;
  return head;
}

/** The patterns recheck does not judge safe, explained; empty when all are linear. */
async function unsafe(patterns: FoundRegex[]): Promise<string[]> {
  const judged = await Promise.all(patterns.map(async (r) => ({ r, d: await verdict(r.source, r.flags) })));
  return judged.filter(({ d }) => d.status !== 'safe').map(({ r, d }) => explain(r, d));
}

/**
 * A pattern that only ever sees text without line breaks behaves exactly as with the `s` flag (`.` then matches
 * everything it is given), and is judged so: natural's stemmer splits a word with `^(.*?[vowel])(.*)$`, which
 * backtracks only before a line break, and it is handed single words of letters and digits.
 */
const withoutLineBreaks = (r: FoundRegex): FoundRegex => (r.flags.includes('s') ? r : { ...r, flags: `${r.flags}s` });
const LINE_BREAK = /[\n\r\u2028\u2029]/;

const asFound = (re: RegExp, where: string): FoundRegex => ({ source: re.source, flags: re.flags, where });

const found = inventory(root);
const require = createRequire(import.meta.url);
const naturalRegexes = found.naturalModules.flatMap((spec) => {
  const file = require.resolve(spec);
  return regexesOf(file, fs.readFileSync(file, 'utf8'), spec).literals;
});
const fromNatural = new Set(naturalRegexes.map((r) => `${r.flags}/${r.source}`));

/**
 * Patterns built at run time, by the function that builds them, with instances standing for what they get:
 * the real place names of the gazetteer, search terms staff type, and the hot routes' paths.
 */
const DYNAMIC: Record<string, () => Promise<RegExp[]>> = {
  'classify/routing-data.ts#placePattern': async () => {
    const g = await loadGazetteer(path.join(root, 'config/gazetteer/krasnoyarsk-krai.json'));
    const names = g.municipalities.flatMap((m) => [m.name, m.adjective ?? '', ...m.settlements, ...(m.aliases ?? [])]);
    // The patterns differ only in their literal stem: the longest names, names with punctuation and hostile ones stand for all.
    const usable = [...new Set(names)].filter((n) => n.trim().length >= 6).sort((a, b) => b.length - a.length);
    const picked = [...usable.slice(0, 3), ...usable.filter((n) => /[^\p{L}]/u.test(n)).slice(0, 5), usable.at(-1)!];
    return [...picked, 'Невский район', 'а'.repeat(200), 'a+b*(c)?[d]{2}\\'].map(placePattern).filter((p): p is RegExp => p !== undefined);
  },
  'dashboard/client/_common.ts#highlightPattern': async () =>
    [
      ['яма', 'дорога'],
      ['аа', 'ааа', 'аааа', 'ааааа'],
      ['a+', '(x)', '[id1|', '.*', '\\d+'],
      ['мусор контейнер', 'ул. Ленина, 5'],
    ].map(highlightPattern).filter((p): p is RegExp => p !== undefined),
  'lib/hot-routes.ts#compilePath': async () => ['/api/v1/public/polls/:id/votes', '/api/v1/a/:x/b/:y', '/x.y/:z'].map((p) => compilePath(p).pattern),
};

describe('regular expressions stay linear (recheck)', () => {
  it("finds the project's patterns by parsing its sources", () => {
    // A broken walk would check nothing and pass: the sources hold well over a hundred patterns.
    expect(found.files).toBeGreaterThan(100);
    expect(found.literals.length).toBeGreaterThan(100);
    expect(found.literals.some((r) => r.where.startsWith('classify/text.ts:') && r.source.includes('@'))).toBe(true);
  });

  it('every regex literal and literal `new RegExp` in the sources', async () => {
    expect(await unsafe(found.literals)).toEqual([]);
  }, SLOW);

  it('every pattern built at run time is listed here, and its instances are linear', async () => {
    const sites = [...new Set(found.dynamic.map((d) => d.key))].sort();
    expect(sites, `dynamic RegExp sites: ${found.dynamic.map((d) => d.where).join(', ')}; add each to DYNAMIC with representative instances`)
      .toEqual(Object.keys(DYNAMIC).sort());
    const instances: FoundRegex[] = [];
    for (const [key, build] of Object.entries(DYNAMIC)) {
      const built = await build();
      expect(built.length, key).toBeGreaterThan(0);
      instances.push(...built.map((re) => asFound(re, key)));
    }
    expect(await unsafe(instances)).toEqual([]);
  }, SLOW);

  it("the patterns of libraries that read citizens' text: natural's Russian stemmer, zod's formats", async () => {
    expect(found.naturalModules).toContain('natural/lib/natural/stemmers/porter_stemmer_ru.js');
    const third: FoundRegex[] = naturalRegexes.map(withoutLineBreaks);
    // …because what reaches natural is a token of ours: letters and digits only.
    expect(tokenize('а\nб\r\nв\u2028г д').every((t) => !LINE_BREAK.test(t))).toBe(true);
    expect(third.length).toBeGreaterThan(10);
    const formats = { 'z.email': z.email(), 'z.uuid': z.uuid(), 'z.iso.datetime': z.iso.datetime({ offset: true }), 'z.iso.date': z.iso.date() };
    for (const [name, schema] of Object.entries(formats)) {
      const pattern = (schema as unknown as { _zod: { def: { pattern?: RegExp } } })._zod.def.pattern;
      expect(pattern, name).toBeInstanceOf(RegExp);
      third.push(asFound(pattern!, name));
    }
    expect(await unsafe(third)).toEqual([]);
  }, SLOW);
});

describe('hostile texts through the real paths', () => {
  /** Runs `fn` and returns every regex it executed (String#replace, #split, #match, RegExp#test all go through exec). */
  function regexesRunBy(fn: () => void): FoundRegex[] {
    const seen = new Map<string, { re: FoundRegex; lineBreaks: boolean }>();
    const exec = RegExp.prototype.exec;
    RegExp.prototype.exec = function recorded(this: RegExp, input: string) {
      const key = `${this.flags}/${this.source}`;
      const before = seen.get(key);
      const lineBreaks = (before?.lineBreaks ?? false) || exec.call(LINE_BREAK, String(input)) !== null;
      seen.set(key, { re: before?.re ?? asFound(this, 'run'), lineBreaks });
      return exec.call(this, input);
    };
    try {
      fn();
    } finally {
      RegExp.prototype.exec = exec;
    }
    // natural's patterns are judged as above as long as nothing gave them a line break (hostile texts had them).
    return [...seen.values()].map(({ re, lineBreaks }) => (!lineBreaks && fromNatural.has(`${re.flags}/${re.source}`) ? withoutLineBreaks(re) : re));
  }

  let classified = 0;
  afterAll(() => {
    process.stdout.write(`redos: ${classified} hostile messages classified, ${verdicts.size} patterns judged\n`);
  });

  it("the issue's widget message is no e-mail address, and every regex its classification runs is linear", async () => {
    const deps = await loadClassifier({
      modelsDir: path.join(root, 'models'),
      gazetteerPath: path.join(root, 'config/gazetteer/krasnoyarsk-krai.json'),
      regionConfigPath: path.join(root, 'config/region.yaml'),
    }, createLogger('silent'));
    const issueText = `${'а'.repeat(4999)}@`;
    expect(cleanText(issueText)).toBe(issueText);
    expect(cleanText(`${'а'.repeat(50)} ivan.petrov@mail.ru`)).toContain(PLACEHOLDER.email);

    const texts = [issueText, ...adversarialTexts(2_000).map((t) => t.text)];
    const ran = regexesRunBy(() => {
      for (const [i, text] of texts.entries()) {
        for (const source of ['vk', 'widget'] as const) {
          const message: IncomingMessage = {
            messageId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            source,
            externalId: `hostile-${i}`,
            receivedAt: '2026-11-20T09:00:00+07:00',
            text,
            authorHash: 'hostile-author',
            contact: {},
            place: { address: text.slice(0, 1000) },
            attachments: [],
            provenance: {},
            raw: null,
          };
          const out = classifyMessage(message, deps);
          expect(out.classification.category).toBeTruthy();
          classified++;
        }
        // What staff and citizens type elsewhere: an answer under the quality check, the fields of a widget form and
        // a call card (zod's formats), a poll voter's e-mail.
        lintAnswer({ text, messageText: text, category: 'ЖКХ' });
        widgetSubmissionSchema.safeParse({ idempotencyKey: text.slice(0, 36), org: 'x', category: 'Другое', text: text.slice(0, 5000),
          email: text.slice(0, 300), consent: true });
        callCardSchema.safeParse({ callId: 'c', receivedAt: text.slice(0, 40), text });
        emailAddress(text);
      }
    });
    // The e-mail pattern of the cleaner and natural's stemmer are among what ran: the recording saw the real path.
    expect(ran.some((r) => r.source.includes('@') && r.flags.includes('u'))).toBe(true);
    expect(ran.some((r) => r.source.includes('ость'))).toBe(true);
    expect(await unsafe(ran)).toEqual([]);
  }, SLOW);
});

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { cleanText, normalizeCase, stemWord, tokenize } from './text.js';

export const gazetteerSchema = z.object({
  format: z.literal('otklik.gazetteer'),
  formatVersion: z.literal(1),
  region: z.string(),
  source: z.string().optional(),
  notes: z.string().optional(),
  municipalities: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().min(1),
      kind: z.enum(['city_okrug', 'municipal_district', 'municipal_okrug']),
      /** Adjective of a district/okrug name, matched only when «район»/«округ» follows. */
      adjective: z.string().optional(),
      /** Nouns naming the municipality itself (Таймыр, Эвенкия). */
      aliases: z.array(z.string()).optional(),
      center: z.string().optional(),
      settlements: z.array(z.string()),
      /** Settlement names that are also common words: matched only after «п.», «пос.», «г.», «с.»… */
      markerOnly: z.array(z.string()).optional(),
    }),
  ),
});

export type Gazetteer = z.infer<typeof gazetteerSchema>;

export interface MunicipalityMatch {
  municipality: string;
  municipalityId: string;
  settlement?: string;
  confidence: number;
}

export interface MunicipalityDetector {
  detect(text: string, address?: string): MunicipalityMatch | null;
}

export async function loadGazetteer(path: string): Promise<Gazetteer> {
  return gazetteerSchema.parse(JSON.parse(await readFile(path, 'utf8')));
}

interface Candidate {
  words: string[];
  stems: string[];
  municipality: number;
  settlement?: string;
  kind: 'settlement' | 'district' | 'alias';
  markerOnly: boolean;
  /** Noun names must not match adjectives: «Норильская улица» is not Норильск. */
  nounOnly: boolean;
}

// Words after which a following name is a settlement ("г. Канск", "пос. Солнечный", "ЗАТО Железногорск").
const SETTLEMENT_MARKERS = new Set(['г', 'гор', 'город', 'городе', 'города', 'городу', 'п', 'пос', 'поселок', 'поселке', 'поселка', 'пгт', 'с', 'село', 'селе', 'села', 'д', 'дер', 'деревня', 'деревне', 'рп', 'зато', 'ст', 'станция']);
// A name right after these is a street or road named after the place, not the place.
const STREET_BEFORE = new Set(['ул', 'улица', 'улице', 'улицы', 'пр', 'просп', 'проспект', 'проспекте', 'пер', 'переулок', 'переулке', 'б', 'бульвар', 'бульваре', 'ш', 'шоссе', 'наб', 'набережная', 'набережной', 'пл', 'площадь', 'площади', 'проезд', 'тракт', 'тракте', 'мкр', 'микрорайон']);
const STREET_AFTER = new Set(['ул', 'улица', 'улице', 'улицы', 'улицу', 'проспект', 'проспекте', 'переулок', 'переулке', 'шоссе', 'тракт', 'тракте', 'тракта', 'набережная', 'набережной', 'площадь', 'площади', 'проезд']);
// "Красноярский край", "Красноярского края" name the region, not the city.
const REGION_AFTER = new Set(['край', 'края', 'краю', 'краем', 'крае', 'краевой', 'краевого', 'краевую', 'краевом']);
const DISTRICT_FOLLOWER_STEMS = new Set(['район', 'округ', 'мо', 'мр', 'ммр']);
const ADJECTIVE_ENDING = /(?:ский|ская|ское|ские|ского|ской|ских|скую|ским|скими|скому|цкий|цкая|цкое|цкого|цкой)$/;

function words(text: string): string[] {
  return tokenize(normalizeCase(cleanText(text)));
}

const KEY_LENGTH = 4;
const keyOf = (word: string) => word.slice(0, KEY_LENGTH);

/**
 * The Porter stemmer is built for common words and treats place names unevenly («Талнах» → «талн» but
 * «Талнахе» → «талнах»), so a word also matches when it is the name plus a short case ending, or the name
 * minus its final vowel plus one («Берёзовка» → «Берёзовке»).
 */
function wordMatches(token: string, tokenStem: string, name: string, nameStem: string): boolean {
  if (tokenStem === nameStem || token === name) return true;
  if (token.startsWith(name) && token.length - name.length <= 3) return true;
  const last = name[name.length - 1]!;
  if ('аяоеыиуюь'.includes(last)) {
    const base = name.slice(0, -1);
    return base.length >= 3 && token.startsWith(base) && token.length - base.length <= 3;
  }
  return false;
}

/**
 * Finds the municipality of Krasnoyarsk krai (or any region with a gazetteer in the same format) named in an
 * appeal. Names are compared as Porter stems, so «в Норильске», «Емельяновского района», «из Ачинска» match
 * their dictionary forms; street names («ул. Норильская») and the region itself («Красноярский край») are not
 * taken for places. The address, when given, outweighs the text: people mention other towns in passing.
 */
export function createMunicipalityDetector(gazetteer: Gazetteer): MunicipalityDetector {
  const g = gazetteerSchema.parse(gazetteer);
  const byKey = new Map<string, Candidate[]>();
  const addCandidate = (c: Candidate) => {
    const key = keyOf(c.words[0]!);
    const list = byKey.get(key);
    if (list) list.push(c);
    else byKey.set(key, [c]);
  };
  g.municipalities.forEach((m, index) => {
    const settle = (name: string, markerOnly: boolean) => {
      const w = words(name);
      if (w.length === 0) return;
      addCandidate({ words: w, stems: w.map(stemWord), municipality: index, settlement: name, kind: 'settlement', markerOnly, nounOnly: !ADJECTIVE_ENDING.test(w[w.length - 1]!) });
    };
    for (const s of m.settlements) settle(s, false);
    for (const s of m.markerOnly ?? []) settle(s, true);
    for (const a of m.aliases ?? []) {
      const w = words(a);
      if (w.length > 0) addCandidate({ words: w, stems: w.map(stemWord), municipality: index, kind: 'alias', markerOnly: false, nounOnly: false });
    }
    if (m.adjective) {
      const w = words(m.adjective);
      if (w.length > 0) addCandidate({ words: w, stems: w.map(stemWord), municipality: index, kind: 'district', markerOnly: false, nounOnly: false });
    }
  });
  for (const list of byKey.values()) list.sort((a, b) => b.stems.length - a.stems.length);

  interface Hit {
    municipality: number;
    settlement?: string;
    score: number;
  }

  const scan = (text: string, fromAddress: boolean): Hit[] => {
    const w = words(text);
    const stems = w.map(stemWord);
    const hits: Hit[] = [];
    for (let i = 0; i < w.length; i++) {
      const candidates = byKey.get(keyOf(w[i]!));
      if (!candidates) continue;
      const prev = i > 0 ? w[i - 1]! : '';
      if (STREET_BEFORE.has(prev)) continue;
      let best: { c: Candidate; end: number; score: number } | undefined;
      for (const c of candidates) {
        let ok = true;
        for (let j = 0; j < c.stems.length && ok; j++) {
          const t = w[i + j];
          ok = t !== undefined && wordMatches(t, stems[i + j]!, c.words[j]!, c.stems[j]!);
        }
        if (!ok) continue;
        const end = i + c.stems.length;
        const next = w[end] ?? '';
        if (REGION_AFTER.has(next)) continue;
        // «Норильская улица» is a street; «Красноярск, ул. Ленина» is a town followed by its street.
        if (STREET_AFTER.has(next) && ADJECTIVE_ENDING.test(w[end - 1]!)) continue;
        const marked = SETTLEMENT_MARKERS.has(prev);
        let score: number;
        let matchedEnd = end;
        if (c.kind === 'district') {
          // «Емельяновский район», «Емельяновского муниципального района», «Берёзовский р-н», «… МО».
          let k = end;
          if (w[k] !== undefined && stems[k]!.startsWith('муниципальн')) k++;
          const follower = stems[k];
          if (follower === undefined) continue;
          if (DISTRICT_FOLLOWER_STEMS.has(follower)) matchedEnd = k + 1;
          else if (follower === 'р' && w[k + 1] === 'н') matchedEnd = k + 2;
          else continue;
          score = 0.9;
        } else if (c.kind === 'alias') {
          score = 0.85;
        } else {
          if (c.markerOnly && !marked) continue;
          if (c.nounOnly && ADJECTIVE_ENDING.test(w[end - 1]!)) continue;
          score = marked ? 0.9 : 0.8;
        }
        if (!best || matchedEnd - i > best.end - i) best = { c, end: matchedEnd, score };
      }
      if (!best) continue;
      hits.push({ municipality: best.c.municipality, ...(best.c.settlement ? { settlement: best.c.settlement } : {}), score: Math.min(0.99, best.score + (fromAddress ? 0.05 : 0)) });
      i = best.end - 1;
    }
    return hits;
  };

  return {
    detect(text: string, address?: string): MunicipalityMatch | null {
      const addressHits = address ? scan(address, true) : [];
      const textHits = scan(text, false);
      // With an address, its places decide; the text only reinforces the municipalities the address names.
      const hits = addressHits.length > 0 ? [...addressHits, ...textHits.filter((h) => addressHits.some((a) => a.municipality === h.municipality))] : textHits;
      if (hits.length === 0) return null;
      const totals = new Map<number, { sum: number; max: number; settlements: Map<string, number> }>();
      for (const h of hits) {
        const t = totals.get(h.municipality) ?? { sum: 0, max: 0, settlements: new Map<string, number>() };
        t.sum += h.score;
        t.max = Math.max(t.max, h.score);
        if (h.settlement) t.settlements.set(h.settlement, (t.settlements.get(h.settlement) ?? 0) + h.score);
        totals.set(h.municipality, t);
      }
      let bestId = -1;
      let best: { sum: number; max: number; settlements: Map<string, number> } | undefined;
      let all = 0;
      for (const [id, t] of totals) {
        all += t.sum;
        if (!best || t.sum > best.sum || (t.sum === best.sum && t.max > best.max)) {
          best = t;
          bestId = id;
        }
      }
      const m = g.municipalities[bestId]!;
      let settlement: string | undefined;
      let settlementScore = 0;
      for (const [s, score] of best!.settlements) {
        if (score > settlementScore) {
          settlement = s;
          settlementScore = score;
        }
      }
      const confidence = Math.round(best!.max * (best!.sum / all) * 1000) / 1000;
      return { municipality: m.name, municipalityId: m.id, ...(settlement ? { settlement } : {}), confidence };
    },
  };
}

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
const SETTLEMENT_MARKERS = new Set(['г', 'гор', 'город', 'городе', 'города', 'городу', 'п', 'пос', 'поселок', 'поселке', 'поселка', 'пгт', 'с', 'село', 'селе',
  'села', 'д', 'дер', 'деревня', 'деревне', 'рп', 'зато', 'ст', 'станция']);
// A name right after these is a street or road named after the place, not the place.
const STREET_BEFORE = new Set(['ул', 'улица', 'улице', 'улицы', 'пр', 'просп', 'проспект', 'проспекте', 'пер', 'переулок', 'переулке', 'б', 'бульвар',
  'бульваре', 'ш', 'шоссе', 'наб', 'набережная', 'набережной', 'пл', 'площадь', 'площади', 'проезд', 'тракт', 'тракте', 'мкр', 'микрорайон']);
const STREET_AFTER = new Set(['ул', 'улица', 'улице', 'улицы', 'улицу', 'проспект', 'проспекте', 'переулок', 'переулке', 'шоссе', 'тракт', 'тракте', 'тракта',
  'набережная', 'набережной', 'площадь', 'площади', 'проезд']);
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

type CandidateIndex = Map<string, Candidate[]>;

/** Every name of the gazetteer as a candidate, keyed by the first letters of its first word; longest names first. */
function candidateIndex(gazetteer: Gazetteer): CandidateIndex {
  const byKey: CandidateIndex = new Map();
  const add = (candidate: Candidate) => {
    const key = keyOf(candidate.words[0]!);
    const list = byKey.get(key);
    if (list) list.push(candidate);
    else byKey.set(key, [candidate]);
  };
  gazetteer.municipalities.forEach((municipality, index) => {
    const named = (name: string, kind: Candidate['kind'], markerOnly: boolean) => {
      const nameWords = words(name);
      if (nameWords.length === 0) return;
      const nounOnly = kind === 'settlement' && !ADJECTIVE_ENDING.test(nameWords[nameWords.length - 1]!);
      add({ words: nameWords, stems: nameWords.map(stemWord), municipality: index, ...(kind === 'settlement' ? { settlement: name } : {}), kind, markerOnly,
        nounOnly });
    };
    for (const settlement of municipality.settlements) named(settlement, 'settlement', false);
    for (const settlement of municipality.markerOnly ?? []) named(settlement, 'settlement', true);
    for (const alias of municipality.aliases ?? []) named(alias, 'alias', false);
    if (municipality.adjective) named(municipality.adjective, 'district', false);
  });
  for (const list of byKey.values()) list.sort((a, b) => b.stems.length - a.stems.length);
  return byKey;
}

interface Hit {
  municipality: number;
  settlement?: string;
  score: number;
}

/** A text's words and their stems, as scanned. */
interface Scanned {
  words: string[];
  stems: string[];
}

/** The places named in a text, in order; a longer name wins over a shorter one starting at the same word. */
function scan(byKey: CandidateIndex, text: string, fromAddress: boolean): Hit[] {
  const textWords = words(text);
  const scanned: Scanned = { words: textWords, stems: textWords.map(stemWord) };
  const hits: Hit[] = [];
  for (let i = 0; i < textWords.length; i++) {
    const candidates = byKey.get(keyOf(textWords[i]!));
    if (!candidates) continue;
    const prev = i > 0 ? textWords[i - 1]! : '';
    if (STREET_BEFORE.has(prev)) continue;
    let best: { candidate: Candidate; end: number; score: number } | undefined;
    for (const candidate of candidates) {
      const match = matchAt(scanned, i, candidate, SETTLEMENT_MARKERS.has(prev));
      if (match && (!best || match.end - i > best.end - i)) best = { candidate, ...match };
    }
    if (!best) continue;
    const { municipality, settlement } = best.candidate;
    hits.push({ municipality, ...(settlement ? { settlement } : {}), score: Math.min(0.99, best.score + (fromAddress ? 0.05 : 0)) });
    i = best.end - 1;
  }
  return hits;
}

/** Whether `candidate` is named at word `start`: where its match ends and how sure it is, or undefined. */
function matchAt(text: Scanned, start: number, candidate: Candidate, marked: boolean): { end: number; score: number } | undefined {
  for (let j = 0; j < candidate.stems.length; j++) {
    const word = text.words[start + j];
    if (word === undefined || !wordMatches(word, text.stems[start + j]!, candidate.words[j]!, candidate.stems[j]!)) return undefined;
  }
  const end = start + candidate.stems.length;
  const next = text.words[end] ?? '';
  if (REGION_AFTER.has(next)) return undefined;
  // «Норильская улица» is a street; «Красноярск, ул. Ленина» is a town followed by its street.
  const adjective = ADJECTIVE_ENDING.test(text.words[end - 1]!);
  if (STREET_AFTER.has(next) && adjective) return undefined;
  if (candidate.kind === 'district') {
    const districtEnd = districtWordEnd(text, end);
    return districtEnd === undefined ? undefined : { end: districtEnd, score: 0.9 };
  }
  if (candidate.kind === 'alias') return { end, score: 0.85 };
  if (candidate.markerOnly && !marked) return undefined;
  if (candidate.nounOnly && adjective) return undefined;
  return { end, score: marked ? 0.9 : 0.8 };
}

/**
 * A district adjective names the district only when «район» or «округ» follows: «Емельяновский район»,
 * «Емельяновского муниципального района», «Берёзовский р-н», «… МО». Returns where that word ends.
 */
function districtWordEnd(text: Scanned, at: number): number | undefined {
  let follows = at;
  if (text.words[follows] !== undefined && text.stems[follows]!.startsWith('муниципальн')) follows++;
  const follower = text.stems[follows];
  if (follower === undefined) return undefined;
  if (DISTRICT_FOLLOWER_STEMS.has(follower)) return follows + 1;
  if (follower === 'р' && text.words[follows + 1] === 'н') return follows + 2;
  return undefined;
}

interface Tally {
  sum: number;
  max: number;
  settlements: Map<string, number>;
}

/** The municipality with the highest summed score (ties: the surest single hit) and its most named settlement. */
function decide(gazetteer: Gazetteer, hits: Hit[]): MunicipalityMatch {
  const totals = new Map<number, Tally>();
  for (const hit of hits) {
    const tally = totals.get(hit.municipality) ?? { sum: 0, max: 0, settlements: new Map<string, number>() };
    tally.sum += hit.score;
    tally.max = Math.max(tally.max, hit.score);
    if (hit.settlement) tally.settlements.set(hit.settlement, (tally.settlements.get(hit.settlement) ?? 0) + hit.score);
    totals.set(hit.municipality, tally);
  }
  let bestId = -1;
  let best: Tally | undefined;
  let all = 0;
  for (const [id, tally] of totals) {
    all += tally.sum;
    if (!best || tally.sum > best.sum || (tally.sum === best.sum && tally.max > best.max)) {
      best = tally;
      bestId = id;
    }
  }
  const municipality = gazetteer.municipalities[bestId]!;
  let settlement: string | undefined;
  let settlementScore = 0;
  for (const [name, score] of best!.settlements) {
    if (score > settlementScore) {
      settlement = name;
      settlementScore = score;
    }
  }
  const confidence = Math.round(best!.max * (best!.sum / all) * 1000) / 1000;
  return { municipality: municipality.name, municipalityId: municipality.id, ...(settlement ? { settlement } : {}), confidence };
}

/**
 * Finds the municipality of Krasnoyarsk krai (or any region with a gazetteer in the same format) named in an
 * appeal. Names are compared as Porter stems, so «в Норильске», «Емельяновского района», «из Ачинска» match
 * their dictionary forms; street names («ул. Норильская») and the region itself («Красноярский край») are not
 * taken for places. The address, when given, outweighs the text: people mention other towns in passing.
 */
export function createMunicipalityDetector(gazetteer: Gazetteer): MunicipalityDetector {
  const parsed = gazetteerSchema.parse(gazetteer);
  const byKey = candidateIndex(parsed);
  return {
    detect(text: string, address?: string): MunicipalityMatch | null {
      const addressHits = address ? scan(byKey, address, true) : [];
      const textHits = scan(byKey, text, false);
      // With an address, its places decide; the text only reinforces the municipalities the address names.
      const hits = addressHits.length > 0 ? [...addressHits, ...textHits.filter((h) => addressHits.some((a) => a.municipality === h.municipality))] : textHits;
      return hits.length === 0 ? null : decide(parsed, hits);
    },
  };
}

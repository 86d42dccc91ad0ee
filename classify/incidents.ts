import { FNV_OFFSET, FNV_PRIME, fnvUpdate, hashString, mix32 } from './features.js';
import { cleanText, isAllDigits, isPlaceholder, normalizeCase, stemWord, STOP_WORDS, tokenize } from './text.js';

/**
 * Groups appeals about the same incident (one burst pipe reported by forty residents, a VK post and its reposts)
 * with MinHash + LSH over stem shingles. Only appeals of the same municipality within the time window are
 * compared, and candidates from LSH are confirmed with the exact Jaccard similarity of their shingle sets.
 */
export interface IncidentItem {
  id: string;
  text: string;
  municipality: string;
  at: Date | string | number;
}

export interface IncidentAssignment {
  incidentId: string;
  isNew: boolean;
  /** Jaccard similarity to the closest earlier appeal in the window (0 when there was none). */
  similarity: number;
}

export interface IncidentIndexOptions {
  windowHours?: number;
  /** Minimum Jaccard similarity of shingle sets to join an incident. */
  threshold?: number;
  /** LSH layout: bands × rows MinHash values. 16×4 makes pairs above ~0.5 Jaccard candidates with high probability. */
  bands?: number;
  rows?: number;
  /** Most appeals kept at once: a storm of posts must not grow the classifier's memory without bound. */
  maxEntries?: number;
  /** Most appeals kept per LSH bucket: forty thousand reposts of one post are compared with the latest few, not all. */
  maxBucket?: number;
}

interface Entry {
  id: string;
  incidentId: string;
  municipality: string;
  at: number;
  shingles: Uint32Array;
  keys: Uint32Array;
  /** The search that last compared this entry: one number instead of a per-search Set of ids. */
  stamp: number;
}

/** Bigram shingles start from another seed than unigrams (any fixed value; this one is FNV's prime, 0x01000193). */
const SEED_BIGRAM = FNV_PRIME;

/** Sorted unique hashes of stem unigrams and bigrams; stop words and placeholders (phones, masks) are left out. */
export function shingles(text: string): Uint32Array {
  const stems: string[] = [];
  for (const word of tokenize(normalizeCase(cleanText(text)))) {
    if (STOP_WORDS.has(word) || isPlaceholder(word) || isAllDigits(word)) continue;
    stems.push(stemWord(word));
  }
  const set = new Set<number>();
  for (let i = 0; i < stems.length; i++) {
    set.add(hashString(stems[i]!));
    if (i > 0) set.add(mix32(fnvUpdate(fnvUpdate(SEED_BIGRAM, stems[i - 1]!) ^ 0x20, stems[i]!)));
  }
  return Uint32Array.from(set).sort();
}

export function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

function toMillis(at: Date | string | number): number {
  const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) throw new Error(`invalid incident time: ${String(at)}`);
  return ms;
}

/** A candidate this similar is the same text give or take a word: no closer one is worth looking for. */
const NEAR_IDENTICAL = 0.9;
/**
 * Exact comparisons per appeal at most. A true duplicate shares most of the 16 bands, so it turns up among the first
 * candidates; the cap keeps a busy municipality's look-up at tens of microseconds.
 */
const MAX_COMPARED = 48;

export class IncidentIndex {
  private readonly windowMs: number;
  private readonly threshold: number;
  private readonly bands: number;
  private readonly rows: number;
  private readonly seeds: Uint32Array;
  private readonly maxEntries: number;
  private readonly maxBucket: number;
  /** Insertion order is arrival order, so the first entry is the one to drop when the index is full. */
  private readonly entries = new Map<string, Entry>();
  /** LSH buckets hold the entries themselves, oldest first: a candidate costs no id look-up. */
  private readonly buckets = new Map<number, Entry[]>();
  private searches = 0;
  private latest = -Infinity;
  private oldest = Infinity;

  constructor(options: IncidentIndexOptions = {}) {
    this.windowMs = (options.windowHours ?? 72) * 3_600_000;
    this.threshold = options.threshold ?? 0.5;
    this.bands = options.bands ?? 16;
    this.rows = options.rows ?? 4;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.maxBucket = options.maxBucket ?? 16;
    this.seeds = new Uint32Array(this.bands * this.rows);
    for (let i = 0; i < this.seeds.length; i++) this.seeds[i] = mix32(0x9e3779b9 + i * 0x85ebca6b);
  }

  get size(): number {
    return this.entries.size;
  }

  private signature(textShingles: Uint32Array): Uint32Array {
    const sig = new Uint32Array(this.seeds.length).fill(0xffffffff);
    for (const x of textShingles) {
      for (let i = 0; i < this.seeds.length; i++) {
        const h = mix32(x ^ this.seeds[i]!);
        if (h < sig[i]!) sig[i] = h;
      }
    }
    return sig;
  }

  /** Numbers, not strings, to keep an entry small; a rare collision is caught by the municipality and Jaccard checks. */
  private bandKeys(municipality: string, sig: Uint32Array): Uint32Array {
    const keys = new Uint32Array(this.bands);
    const place = fnvUpdate(FNV_OFFSET, municipality);
    for (let b = 0; b < this.bands; b++) {
      let h = mix32(place ^ Math.imul(b + 1, 0x9e3779b1));
      for (let r = 0; r < this.rows; r++) h = Math.imul(h ^ sig[b * this.rows + r]!, FNV_PRIME);
      keys[b] = mix32(h);
    }
    return keys;
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry.id);
    for (const key of entry.keys) {
      const bucket = this.buckets.get(key);
      if (!bucket) continue;
      const at = bucket.indexOf(entry);
      if (at >= 0) bucket.splice(at, 1);
      if (bucket.length === 0) this.buckets.delete(key);
    }
  }

  /** Drops appeals older than the window before `now`; called by `add`, public for periodic sweeps. */
  evict(now: number = this.latest): number {
    const cutoff = now - this.windowMs;
    if (this.oldest >= cutoff) return 0;
    let removed = 0;
    let oldest = Infinity;
    for (const entry of this.entries.values()) {
      if (entry.at < cutoff) {
        this.remove(entry);
        removed++;
      } else if (entry.at < oldest) {
        oldest = entry.at;
      }
    }
    this.oldest = oldest;
    return removed;
  }

  add(item: IncidentItem): IncidentAssignment {
    const at = toMillis(item.at);
    if (at > this.latest) this.latest = at;
    this.evict();
    const municipality = normalizeCase(item.municipality.trim());
    const itemShingles = shingles(item.text);
    if (itemShingles.length === 0) return { incidentId: item.id, isNew: true, similarity: 0 };
    const keys = this.bandKeys(municipality, this.signature(itemShingles));
    const { best, similarity } = this.closest(municipality, at, itemShingles, keys);
    // One- and two-word texts ("Мусор", "снег на дороге") share too little to tell two incidents apart: only an
    // identical text joins them.
    const needed = itemShingles.length < 3 ? 1 : this.threshold;
    const joined = best !== undefined && similarity >= needed;
    const incidentId = joined ? best!.incidentId : item.id;
    if (at >= this.latest - this.windowMs && !this.entries.has(item.id)) {
      this.insert({ id: item.id, incidentId, municipality, at, shingles: itemShingles, keys, stamp: 0 });
    }
    return { incidentId, isNew: !joined, similarity: Math.round(similarity * 1000) / 1000 };
  }

  /**
   * The most similar earlier appeal of the municipality within the window among the LSH candidates. Each candidate
   * is compared once; a near-identical one (a repost) ends the search, and buckets keep only their newest members,
   * so a storm of reposts costs a few comparisons per appeal instead of one per earlier repost.
   */
  private closest(municipality: string, at: number, itemShingles: Uint32Array, keys: Uint32Array): { best: Entry | undefined; similarity: number } {
    let best: Entry | undefined;
    let bestSim = 0;
    const stamp = ++this.searches;
    let compared = 0;
    search: for (const key of keys) {
      const bucket = this.buckets.get(key);
      if (!bucket) continue;
      for (const candidate of bucket) {
        if (candidate.stamp === stamp) continue;
        if (compared >= MAX_COMPARED) break search;
        compared++;
        candidate.stamp = stamp;
        if (candidate.municipality !== municipality || Math.abs(candidate.at - at) > this.windowMs) continue;
        const sim = jaccard(itemShingles, candidate.shingles);
        if (sim > bestSim || (sim === bestSim && best && candidate.at < best.at)) {
          bestSim = sim;
          best = candidate;
          if (sim >= NEAR_IDENTICAL) break search;
        }
      }
    }
    return { best, similarity: bestSim };
  }

  private insert(entry: Entry): void {
    this.entries.set(entry.id, entry);
    for (const key of entry.keys) {
      const bucket = this.buckets.get(key);
      if (!bucket) {
        this.buckets.set(key, [entry]);
        continue;
      }
      // Two bands of one signature can share a key: an entry is in a bucket once.
      if (bucket[bucket.length - 1] === entry) continue;
      bucket.push(entry);
      // The bucket forgets its oldest member; the incident lives on through the newer ones it joined.
      if (bucket.length > this.maxBucket) bucket.shift();
    }
    if (entry.at < this.oldest) this.oldest = entry.at;
    if (this.entries.size > this.maxEntries) this.remove(this.entries.values().next().value!);
  }
}

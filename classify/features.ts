import { grow } from './buffers.js';
import { analyze, isPlaceholder, normalizeCase } from './text.js';

/**
 * How a text becomes a sparse vector. Stored inside every model file, so a model is always read back with the
 * exact settings it was trained with.
 */
export interface FeatureConfig {
  /** log2 of the hashed feature space. 2^20 keeps collisions rare for a few hundred thousand live n-grams. */
  hashBits: number;
  /** Longest word n-gram over stems (1 = unigrams only, 2 = plus bigrams). */
  wordNgrams: number;
  /** Character n-grams inside word boundaries (the word padded with a space on each side); 0 disables them. */
  charMin: number;
  charMax: number;
  removeStopWords: boolean;
  sublinearTf: boolean;
  /** Each block (stems, characters, context) is L2-normalised on its own and then scaled by its weight. */
  wordWeight: number;
  charWeight: number;
  contextWeight: number;
  /** Hashed features seen in fewer training documents are dropped: they are mostly typos and personal names. */
  minDf: number;
  /**
   * Conjunction features (block 3): each context value crossed with each stem (1) or with each stem and stem bigram
   * (2); 0 or absent = none. They let a linear model learn place × topic interactions (e.g. which district body
   * handles roads). Optional so that files written before the option existed read back unchanged.
   */
  crossContext?: number;
  /** Weight of the conjunction block (default 1). */
  crossWeight?: number;
  /**
   * Name of a cue set (classify/cue-sets.ts) whose cues, derived from the text, join the context block: e.g. the
   * complaint detector's length, addressee and rule cues. Absent = none. Applied by trainModel and LinearTextModel,
   * not by FeatureExtractor, which sees them as ordinary context.
   */
  cues?: string;
}

export const DEFAULT_FEATURES: FeatureConfig = {
  hashBits: 20,
  wordNgrams: 2,
  // 3..5 scored the same as 2..5 on every anchor and makes a quarter fewer features to look up per text.
  charMin: 3,
  charMax: 5,
  removeStopWords: false,
  sublinearTf: true,
  wordWeight: 1,
  charWeight: 1,
  contextWeight: 1,
  minDf: 2,
};

export const BLOCKS = 4;
const EMPTY = new Int32Array(0);
/** FNV-1a's offset basis and prime; the offset basis doubles as the seed of stem unigrams. */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 16777619;
const SEED_WORD1 = FNV_OFFSET;
const SEED_WORD2 = 0x050c5d1f;
const SEED_WORD3 = 0x1b873593;
const SEED_CHAR = 0x3c6ef372;
const SEED_CTX = 0x5bd1e995;
const SEED_CROSS = 0x27d4eb2f;

/** FNV-1a over UTF-16 code units, continuing from `h`: lets bigrams hash without building "a b" strings. */
export function fnvUpdate(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/** murmur3 finaliser: FNV's low bits are weak, and we keep only the low bits. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashString(s: string): number {
  return mix32(fnvUpdate(SEED_WORD1, s));
}

/** FNV state after hashing a bigram's first stem and the separator; the second stem continues from it. */
export function bigramPrefix(a: string): number {
  return Math.imul(fnvUpdate(SEED_WORD2, a) ^ 0x20, FNV_PRIME);
}

/** The context token for a column value, e.g. `ctx:district=невский`. */
export function contextToken(key: string, value: string): string {
  return `ctx:${normalizeCase(key.trim())}=${normalizeCase(value.trim())}`;
}

/** FNV state after hashing a context token and a separator; a crossed stem (or bigram) continues from it. */
export function crossPrefix(key: string, value: string): number {
  return Math.imul(fnvUpdate(SEED_CROSS, contextToken(key, value)) ^ 0x1f, FNV_PRIME);
}

/** Bucket of context × stem, from `crossPrefix`. */
export function crossStemHash(prefix: number, stem: string): number {
  return mix32(fnvUpdate(prefix, stem));
}

/** Bucket of context × stem bigram "a b", from `crossPrefix`. */
export function crossBigramHash(prefix: number, a: string, b: string): number {
  return mix32(fnvUpdate(Math.imul(fnvUpdate(prefix, a) ^ 0x20, FNV_PRIME), b));
}

/**
 * Turns one text into unique hashed buckets with term counts, per block (buckets appear in first-seen order).
 * The buffers are reused between calls (valid until the next `extract`): allocation per text would dominate the
 * classify hot path. Counting uses a generation-stamped table over the whole hash space instead of sorting, and the
 * character n-grams of each distinct word are cached, because the same few thousand words make up most appeals.
 */
export class FeatureExtractor {
  readonly config: FeatureConfig;
  private readonly mask: number;
  // Allocated on the first extract(): a model keeps an extractor only for its hash functions, and 2 × 4 MB of
  // counting tables per loaded model would be wasted there.
  private stamp = EMPTY;
  private tally = EMPTY;
  private generation = 0;
  buckets = new Int32Array(1024);
  counts = new Int32Array(1024);
  /** blockEnd[b] = end index (exclusive) of block b in `buckets`/`counts`; block b starts at blockEnd[b-1] or 0. */
  readonly blockEnd = new Int32Array(BLOCKS);
  private readonly charCache = new Map<string, Int32Array>();
  private charScratch = new Int32Array(256);
  private size = 0;

  constructor(config: FeatureConfig) {
    this.config = config;
    this.mask = (1 << config.hashBits) - 1;
  }

  private startBlock(): void {
    if (this.stamp.length === 0) {
      this.stamp = new Int32Array(1 << this.config.hashBits);
      this.tally = new Int32Array(1 << this.config.hashBits);
    }
    if (this.generation === 0x7fffffff) {
      this.stamp.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }

  private add(bucket: number): void {
    if (this.stamp[bucket] === this.generation) {
      this.tally[bucket]!++;
      return;
    }
    this.stamp[bucket] = this.generation;
    this.tally[bucket] = 1;
    if (this.size === this.buckets.length) {
      this.buckets = grow(this.buckets, this.size + 1);
      this.counts = grow(this.counts, this.size + 1);
    }
    this.buckets[this.size++] = bucket;
  }

  private endBlock(b: number, from: number): void {
    for (let i = from; i < this.size; i++) this.counts[i] = this.tally[this.buckets[i]!]!;
    this.blockEnd[b] = this.size;
  }

  stemBucket(s: string): number {
    return mix32(fnvUpdate(SEED_WORD1, s)) & this.mask;
  }

  bigramBucket(a: string, b: string): number {
    return mix32(fnvUpdate(bigramPrefix(a), b)) & this.mask;
  }

  trigramBucket(a: string, b: string, c: string): number {
    let h = Math.imul(fnvUpdate(SEED_WORD3, a) ^ 0x20, FNV_PRIME);
    h = Math.imul(fnvUpdate(h, b) ^ 0x20, FNV_PRIME);
    return mix32(fnvUpdate(h, c)) & this.mask;
  }

  contextBucket(key: string, value: string): number {
    return mix32(fnvUpdate(SEED_CTX, contextToken(key, value))) & this.mask;
  }

  /** Hashed character n-grams of one word (with boundary spaces), cached per word. */
  charBuckets(w: string): Int32Array {
    const cached = this.charCache.get(w);
    if (cached) return cached;
    const needed = this.charBucketBound(w);
    if (needed > this.charScratch.length) this.charScratch = new Int32Array(needed * 2);
    const n = this.charBucketsInto(w, this.charScratch, 0);
    const result = this.charScratch.slice(0, n);
    if (this.charCache.size >= 200_000) this.charCache.clear();
    this.charCache.set(w, result);
    return result;
  }

  /** Room `charBucketsInto` needs for word `w`. */
  charBucketBound(w: string): number {
    return (w.length + 2) * this.config.charMax;
  }

  /** Writes the word's character n-gram buckets to out[at…] without caching; returns how many were written. */
  charBucketsInto(w: string, out: Int32Array, at: number): number {
    const { charMin: minN, charMax: maxN } = this.config;
    const len = w.length + 2;
    let n = at;
    for (let i = 0; i < len; i++) {
      let h = SEED_CHAR;
      const lim = Math.min(maxN, len - i);
      for (let k = 0; k < lim; k++) {
        const p = i + k;
        const code = p === 0 || p === len - 1 ? 32 : w.charCodeAt(p - 1);
        h ^= code;
        h = Math.imul(h, FNV_PRIME);
        if (k + 1 >= minN) out[n++] = mix32(h ^ (k + 1)) & this.mask;
      }
    }
    return n - at;
  }

  /** Returns the total number of (block, bucket) entries. */
  extract(text: string, context?: Record<string, string>): number {
    const { words, stems } = analyze(text, { removeStopWords: this.config.removeStopWords });
    this.size = 0;
    this.addStemNgrams(stems);
    this.addCharNgrams(words);
    this.addContext(context);
    this.addCrossed(context, stems);
    return this.size;
  }

  /** Block 0: stem n-grams. */
  private addStemNgrams(stems: string[]): void {
    const order = this.config.wordNgrams;
    this.startBlock();
    let prev1 = '';
    let prev2 = '';
    for (let i = 0; i < stems.length; i++) {
      const stem = stems[i]!;
      this.add(this.stemBucket(stem));
      if (order >= 2 && i >= 1) this.add(this.bigramBucket(prev1, stem));
      if (order >= 3 && i >= 2) this.add(this.trigramBucket(prev2, prev1, stem));
      prev2 = prev1;
      prev1 = stem;
    }
    this.endBlock(0, 0);
  }

  /** Block 1: character n-grams of surface words, padded with spaces like scikit-learn's char_wb. */
  private addCharNgrams(words: string[]): void {
    this.startBlock();
    const from = this.size;
    if (this.config.charMax > 0) {
      for (const word of words) {
        if (isPlaceholder(word)) continue;
        const grams = this.charBuckets(word);
        for (let j = 0; j < grams.length; j++) this.add(grams[j]!);
      }
    }
    this.endBlock(1, from);
  }

  /** Block 2: context columns as special tokens. */
  private addContext(context: Record<string, string> | undefined): void {
    this.startBlock();
    const from = this.size;
    if (context) {
      for (const key of Object.keys(context)) {
        const value = context[key];
        if (value === undefined || value.trim() === '') continue;
        this.add(this.contextBucket(key, value));
      }
    }
    this.endBlock(2, from);
  }

  /** Block 3: context × stem (and × stem bigram) conjunctions. */
  private addCrossed(context: Record<string, string> | undefined, stems: string[]): void {
    this.startBlock();
    const from = this.size;
    const cross = this.config.crossContext ?? 0;
    if (cross > 0 && context) {
      for (const key of Object.keys(context)) {
        const value = context[key];
        if (value === undefined || value.trim() === '') continue;
        const prefix = crossPrefix(key, value);
        for (let i = 0; i < stems.length; i++) {
          this.add(crossStemHash(prefix, stems[i]!) & this.mask);
          if (cross >= 2 && i >= 1) this.add(crossBigramHash(prefix, stems[i - 1]!, stems[i]!) & this.mask);
        }
      }
    }
    this.endBlock(3, from);
  }
}

export function blockWeights(cfg: FeatureConfig): [number, number, number, number] {
  return [cfg.wordWeight, cfg.charWeight, cfg.contextWeight, cfg.crossWeight ?? 1];
}

/** Term frequency as weighted: 1 + ln tf when sublinear (a word said five times is not five times the topic). */
export function termWeight(tf: number, sublinear: boolean): number {
  return sublinear ? 1 + Math.log(tf) : tf;
}

/** Smoothed IDF as in scikit-learn, so figures stay comparable with the TF-IDF baselines. */
export function idfFromDf(df: ArrayLike<number>, nDocs: number): Float32Array {
  const idf = new Float32Array(df.length);
  for (let i = 0; i < df.length; i++) idf[i] = Math.log((1 + nDocs) / (1 + df[i]!)) + 1;
  return idf;
}

/**
 * Weighs extracted buckets into (column, value) pairs: vocabulary lookup, sublinear TF × IDF, per-block L2 norm.
 * Buckets missing from the vocabulary are dropped before normalising, in training and prediction alike, so a
 * model scores a text exactly as it scored its training rows. `start` is where the text's entries begin and
 * blockEnd[b] the absolute end of block b. Returns the number of pairs written (outCols/outVals need room for
 * blockEnd[BLOCKS - 1] - start entries).
 */
export function weighBuckets(
  cfg: FeatureConfig,
  buckets: Int32Array,
  counts: Int32Array,
  start: number,
  blockEnd: ArrayLike<number>,
  lookup: Int32Array,
  idf: Float32Array,
  outCols: Int32Array,
  outVals: Float32Array,
): number {
  const weights = blockWeights(cfg);
  let out = 0;
  let from = start;
  for (let block = 0; block < BLOCKS; block++) {
    const end = blockEnd[block]!;
    const blockStart = out;
    let squares = 0;
    for (let i = from; i < end; i++) {
      const col = lookup[buckets[i]!]!;
      if (col < 0) continue;
      const value = termWeight(counts[i]!, cfg.sublinearTf) * idf[col]!;
      outCols[out] = col;
      outVals[out++] = value;
      squares += value * value;
    }
    if (squares > 0) {
      const scale = weights[block]! / Math.sqrt(squares);
      for (let i = blockStart; i < out; i++) outVals[i] = outVals[i]! * scale;
    }
    from = end;
  }
  return out;
}

/** weighBuckets over the extractor's last extraction. */
export function weigh(ex: FeatureExtractor, lookup: Int32Array, idf: Float32Array, outCols: Int32Array, outVals: Float32Array): number {
  return weighBuckets(ex.config, ex.buckets, ex.counts, 0, ex.blockEnd, lookup, idf, outCols, outVals);
}

import { grow } from './buffers.js';
import type { WeightArray } from './codec.js';
import { bigramPrefix, blockWeights, crossBigramHash, crossPrefix, crossStemHash, FeatureExtractor, fnvUpdate, idfFromDf, mix32, termWeight,
  type FeatureConfig } from './features.js';
import type { ModelParts } from './model-file.js';
import { cleanText, isAllDigits, isPlaceholder, normalizeCase, PLACEHOLDER, stemWord, STOP_WORDS, tokenize } from './text.js';

/**
 * Everything the hot path needs about one distinct surface word. Its character n-gram columns live in the scorer's
 * `colPool` [colStart, colEnd) and their summed IDF × weight per label in `partPool` [part, part + nLabels): two
 * growing arrays instead of two small typed arrays per word, whose headers would cost more than their data.
 */
interface WordEntry {
  stem: string;
  /** A stop word when the model drops them: it still contributes character n-grams. */
  stop: boolean;
  stemCol: number;
  bigramState: number;
  colStart: number;
  colEnd: number;
  /** Σ idf × weight over the word's columns, per label, in integer weight units (scaled at the end like the rest). */
  part: number;
  /** Σ idf² over the word's columns. */
  charSquares: number;
}

/** Distinct surface words kept per model (≈ 35 MiB at the limit; the 22 k benchmark texts hold ~40 k). Restarts when full. */
const WORD_CACHE_LIMIT = 100_000;

/**
 * Raw one-vs-rest margins of a linear model over hashed TF-IDF features: the classify hot path.
 *
 * It works on vocabulary columns instead of hash buckets: each distinct word's character n-grams are looked up once
 * and cached as columns, and term counting uses stamp arrays the size of the vocabulary (cache-friendly) instead of
 * the whole hash space. It emits the same features in the same order as FeatureExtractor + weighBuckets, which
 * training uses, so the numbers are the same (README: "Prediction fast path").
 */
export class MarginScorer {
  private readonly features: FeatureConfig;
  private readonly nLabels: number;
  private readonly lookup: Int32Array;
  private readonly idf: Float32Array;
  private readonly weights: WeightArray;
  private readonly scales: Float64Array;
  private readonly bias: Float32Array;
  private readonly hasher: FeatureExtractor;
  private readonly mask: number;
  private readonly blockWeight: [number, number, number, number];
  /** Per-label sums of the block being scored, and the margins being built (returned, reused). */
  private readonly acc: Float64Array;
  private readonly scores: Float64Array;
  /** Distinct columns of the block being filled, in first-seen order. */
  private list = new Int32Array(1024);
  private listLen = 0;
  /** Per vocabulary column: [generation, count] of the block being filled. */
  private readonly seen: Int32Array;
  private generation = 0;
  private readonly words = new Map<string, WordEntry>();
  private colPool = new Int32Array(1 << 16);
  private colLen = 0;
  private partPool = new Float64Array(1 << 14);
  private partLen = 0;
  /** The current text's words, in order. */
  private readonly entries: (WordEntry | undefined)[] = [];

  constructor(parts: Pick<ModelParts, 'features' | 'labels' | 'vocabBuckets' | 'vocabDf' | 'nDocs' | 'weights' | 'bias'>) {
    this.features = parts.features;
    this.nLabels = parts.labels.length;
    this.lookup = buildLookup(parts.features.hashBits, parts.vocabBuckets);
    this.idf = idfFromDf(parts.vocabDf, parts.nDocs);
    this.weights = parts.weights.values;
    this.scales = parts.weights.scales;
    this.bias = parts.bias;
    this.hasher = new FeatureExtractor(parts.features);
    this.mask = (1 << parts.features.hashBits) - 1;
    this.blockWeight = blockWeights(parts.features);
    this.acc = new Float64Array(this.nLabels);
    this.scores = new Float64Array(this.nLabels);
    this.seen = new Int32Array(parts.vocabBuckets.length * 2);
  }

  /** Margins in label order. The returned array is reused by the next call. */
  margins(text: string, context?: Record<string, string>): Float64Array {
    const tokens = tokenize(normalizeCase(cleanText(text)));
    // Cleared only between texts: entries of the text being scored point into the pools.
    if (this.words.size >= WORD_CACHE_LIMIT) this.clearWordCache();
    const nLabels = this.nLabels;
    const scores = this.scores;
    for (let k = 0; k < nLabels; k++) scores[k] = 0;
    const nWords = this.scoreStemBlock(tokens);
    // Block 1: character n-grams of surface words (see scoreCharBlock).
    this.startBlock();
    if (nWords > 0) this.scoreCharBlock(nWords, this.blockWeight[1]);
    this.scoreContextBlock(context);
    const cross = this.features.crossContext ?? 0;
    if (cross > 0 && context) this.scoreCrossBlock(context, nWords, cross);
    const entries = this.entries;
    for (let i = 0; i < nWords; i++) entries[i] = undefined;
    for (let k = 0; k < nLabels; k++) scores[k] = this.bias[k]! + scores[k]! * this.scales[k]!;
    return scores;
  }

  /**
   * Block 0: stem n-grams. Each word's stem, unigram column and the FNV state of the bigram prefix come from the
   * per-word cache, so a bigram costs one short FNV continuation and one lookup. Fills `entries`; returns the count.
   */
  private scoreStemBlock(tokens: string[]): number {
    const lookup = this.lookup;
    const mask = this.mask;
    const order = this.features.wordNgrams;
    const entries = this.entries;
    this.startBlock();
    let prev1: WordEntry | undefined;
    let prev2: WordEntry | undefined;
    let nWords = 0;
    for (let i = 0; i < tokens.length; i++) {
      const word = this.wordEntry(tokens[i]!);
      entries[nWords++] = word;
      if (word.stop) continue;
      this.addCol(word.stemCol);
      if (order >= 2 && prev1) this.addCol(lookup[mix32(fnvUpdate(prev1.bigramState, word.stem)) & mask]!);
      if (order >= 3 && prev2) this.addCol(lookup[this.hasher.trigramBucket(prev2.stem, prev1!.stem, word.stem)]!);
      prev2 = prev1;
      prev1 = word;
    }
    this.scoreBlock(this.blockWeight[0]);
    return nWords;
  }

  /** Block 2: context columns as special tokens. */
  private scoreContextBlock(context: Record<string, string> | undefined): void {
    this.startBlock();
    if (context) {
      for (const key of Object.keys(context)) {
        const value = context[key];
        if (value === undefined || value.trim() === '') continue;
        this.addCol(this.lookup[this.hasher.contextBucket(key, value)]!);
      }
    }
    this.scoreBlock(this.blockWeight[2]);
  }

  /** Block 3: context × stem (× stem bigram) conjunctions, over the same stems (stop words skipped) as block 0. */
  private scoreCrossBlock(context: Record<string, string>, nWords: number, cross: number): void {
    const lookup = this.lookup;
    const mask = this.mask;
    const entries = this.entries;
    this.startBlock();
    for (const key of Object.keys(context)) {
      const value = context[key];
      if (value === undefined || value.trim() === '') continue;
      const prefix = crossPrefix(key, value);
      let prev: WordEntry | undefined;
      for (let i = 0; i < nWords; i++) {
        const word = entries[i]!;
        if (word.stop) continue;
        this.addCol(lookup[crossStemHash(prefix, word.stem) & mask]!);
        if (cross >= 2 && prev) this.addCol(lookup[crossBigramHash(prefix, prev.stem, word.stem) & mask]!);
        prev = word;
      }
    }
    this.scoreBlock(this.blockWeight[3]);
  }

  private startBlock(): void {
    if (this.generation === 0x7fffffff) {
      this.seen.fill(0);
      this.generation = 0;
    }
    this.generation++;
    this.listLen = 0;
  }

  /** Counts a vocabulary column in the current block; `seen` interleaves (generation, count) so one access does both. */
  private addCol(col: number): void {
    if (col < 0) return;
    const at = col << 1;
    const seen = this.seen;
    if (seen[at] === this.generation) {
      seen[at + 1]!++;
      return;
    }
    seen[at] = this.generation;
    seen[at + 1] = 1;
    if (this.listLen === this.list.length) this.list = grow(this.list, this.listLen + 1);
    this.list[this.listLen++] = col;
  }

  /**
   * Adds the block just filled to `scores`: sublinear TF × IDF, L2-normalised to the block weight (as weighBuckets
   * does for training). The norm is a scalar, so the dot product runs on unnormalised values and is scaled once.
   */
  private scoreBlock(weight: number): void {
    const n = this.listLen;
    if (n === 0) return;
    const sublinear = this.features.sublinearTf;
    const idf = this.idf;
    const list = this.list;
    this.acc.fill(0);
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const col = list[i]!;
      const tf = this.countOf(col);
      const value = tf === 1 ? idf[col]! : termWeight(tf, sublinear) * idf[col]!;
      squares += value * value;
      this.addWeightRow(this.acc, 0, col, value);
    }
    this.addScaled(weight / Math.sqrt(squares));
  }

  /**
   * Block 1. Each word carries its n-grams' summed IDF × weight vector and squared IDF, so the block costs one
   * vector addition per word; only n-grams that occur more than once in the text (shared endings, repeated words)
   * need the sublinear-TF correction, which is the exact difference.
   */
  private scoreCharBlock(nWords: number, weight: number): void {
    const nLabels = this.nLabels;
    const acc = this.acc;
    const entries = this.entries;
    const colPool = this.colPool;
    const partPool = this.partPool;
    acc.fill(0);
    let squares = 0;
    for (let i = 0; i < nWords; i++) {
      const word = entries[i]!;
      if (word.colEnd === word.colStart) continue;
      const part = word.part;
      for (let k = 0; k < nLabels; k++) acc[k] = acc[k]! + partPool[part + k]!;
      squares += word.charSquares;
      for (let j = word.colStart; j < word.colEnd; j++) this.addCol(colPool[j]!);
    }
    if (squares === 0) return;
    this.addScaled(weight / Math.sqrt(this.correctRepeats(squares)));
  }

  /**
   * The words' cached sums count an n-gram seen tf times as tf × idf × w; sublinear TF wants termWeight(tf) × idf × w.
   * Adds the difference for every repeated n-gram of the block to `acc`; returns `squares` corrected the same way.
   */
  private correctRepeats(squares: number): number {
    const sublinear = this.features.sublinearTf;
    const idf = this.idf;
    const list = this.list;
    for (let i = 0; i < this.listLen; i++) {
      const col = list[i]!;
      const tf = this.countOf(col);
      if (tf === 1) continue;
      const weighted = termWeight(tf, sublinear);
      const colIdf = idf[col]!;
      squares += (weighted * weighted - tf) * colIdf * colIdf;
      const delta = (weighted - tf) * colIdf;
      if (delta !== 0) this.addWeightRow(this.acc, 0, col, delta);
    }
    return squares;
  }

  /** How often the block being filled has seen vocabulary column `col` (valid for the columns in `list`). */
  private countOf(col: number): number {
    return this.seen[(col << 1) + 1]!;
  }

  /** target[at + k] += factor × weight(col, k) for every label k: the one multiply-add of a weight row. */
  private addWeightRow(target: Float64Array, at: number, col: number, factor: number): void {
    const weights = this.weights;
    const nLabels = this.nLabels;
    const base = col * nLabels;
    for (let k = 0; k < nLabels; k++) target[at + k] = target[at + k]! + factor * weights[base + k]!;
  }

  /** scores += acc × scale. */
  private addScaled(scale: number): void {
    const acc = this.acc;
    const scores = this.scores;
    for (let k = 0; k < this.nLabels; k++) scores[k] = scores[k]! + acc[k]! * scale;
  }

  /** Everything about one surface word the hot path needs, computed once per distinct word. */
  private wordEntry(token: string): WordEntry {
    const cached = this.words.get(token);
    if (cached) return cached;
    const word = isAllDigits(token) ? PLACEHOLDER.number : token;
    const stop = this.features.removeStopWords && STOP_WORDS.has(word);
    const stem = stemWord(word);
    const colStart = this.colLen;
    const colEnd = this.features.charMax > 0 && !isPlaceholder(word) ? this.charColumns(word, colStart) : colStart;
    let part = 0;
    let charSquares = 0;
    if (colEnd > colStart) {
      part = this.partLen;
      charSquares = this.sumCharColumns(colStart, colEnd, part);
      this.partLen = part + this.nLabels;
    }
    this.colLen = colEnd;
    const entry: WordEntry = { stem, stop, stemCol: this.lookup[this.hasher.stemBucket(stem)]!, bigramState: bigramPrefix(stem), colStart, colEnd, part,
      charSquares };
    this.words.set(token, entry);
    return entry;
  }

  /** Writes the word's in-vocabulary character n-gram columns to colPool[colStart…]; returns their end. */
  private charColumns(word: string, colStart: number): number {
    const bound = this.hasher.charBucketBound(word);
    if (colStart + bound > this.colPool.length) this.colPool = grow(this.colPool, colStart + bound);
    const colPool = this.colPool;
    const n = this.hasher.charBucketsInto(word, colPool, colStart);
    // Buckets become vocabulary columns in place; out-of-vocabulary n-grams are dropped.
    let colEnd = colStart;
    for (let j = colStart; j < colStart + n; j++) {
      const col = this.lookup[colPool[j]!]!;
      if (col >= 0) colPool[colEnd++] = col;
    }
    return colEnd;
  }

  /** partPool[part…part + nLabels) = Σ idf × weight over colPool[colStart, colEnd); returns Σ idf². */
  private sumCharColumns(colStart: number, colEnd: number, part: number): number {
    const nLabels = this.nLabels;
    if (part + nLabels > this.partPool.length) this.partPool = grow(this.partPool, part + nLabels);
    const partPool = this.partPool;
    const colPool = this.colPool;
    let squares = 0;
    partPool.fill(0, part, part + nLabels);
    for (let j = colStart; j < colEnd; j++) {
      const col = colPool[j]!;
      const colIdf = this.idf[col]!;
      squares += colIdf * colIdf;
      this.addWeightRow(partPool, part, col, colIdf);
    }
    return squares;
  }

  private clearWordCache(): void {
    this.words.clear();
    this.colLen = 0;
    this.partLen = 0;
  }
}

/** Hash bucket → vocabulary column (-1 when the bucket is not in the vocabulary). */
function buildLookup(hashBits: number, buckets: Int32Array): Int32Array {
  const lookup = new Int32Array(1 << hashBits).fill(-1);
  for (let col = 0; col < buckets.length; col++) lookup[buckets[col]!] = col;
  return lookup;
}

import { grow } from './buffers.js';
import { BLOCKS, FeatureExtractor, idfFromDf, weighBuckets, type FeatureConfig } from './features.js';
import type { SparseRows } from './linear.js';

/** Training rows → TF-IDF matrix: hashed buckets per row, the vocabulary (buckets in at least minDf rows), weighting. */

/** Per-row hashed buckets and counts, kept between the vocabulary pass and the weighting pass. */
interface Extracted {
  buckets: Int32Array;
  counts: Int32Array;
  rowStart: Int32Array;
  /** BLOCKS absolute ends per row. */
  blockEnds: Int32Array;
}

export interface TrainingMatrix {
  rows: SparseRows;
  /** Hash bucket of each column, ascending. */
  vocabBuckets: Int32Array;
  /** Rows each column occurs in. */
  vocabDf: Int32Array;
}

/** `onRow(done)` is told every 2,000 rows and at the end. */
export function buildTrainingMatrix(
  rows: readonly { text: string; context?: Record<string, string> }[],
  cfg: FeatureConfig,
  onRow: (done: number) => void,
): TrainingMatrix {
  const extracted = extractAll(rows, cfg, onRow);
  const df = documentFrequencies(extracted, rows.length, 1 << cfg.hashBits);
  const { lookup, vocabBuckets, vocabDf } = vocabulary(df, cfg.minDf);
  return { rows: weighRows(extracted, rows.length, cfg, lookup, idfFromDf(vocabDf, rows.length)), vocabBuckets, vocabDf };
}

function extractAll(rows: readonly { text: string; context?: Record<string, string> }[], cfg: FeatureConfig, onRow: (done: number) => void): Extracted {
  const extractor = new FeatureExtractor(cfg);
  let buckets = new Int32Array(1 << 16);
  let counts = new Int32Array(1 << 16);
  const rowStart = new Int32Array(rows.length + 1);
  const blockEnds = new Int32Array(rows.length * BLOCKS);
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const total = extractor.extract(row.text, row.context);
    if (at + total > buckets.length) {
      buckets = grow(buckets, at + total);
      counts = grow(counts, at + total);
    }
    buckets.set(extractor.buckets.subarray(0, total), at);
    counts.set(extractor.counts.subarray(0, total), at);
    rowStart[i] = at;
    for (let block = 0; block < BLOCKS; block++) blockEnds[i * BLOCKS + block] = at + extractor.blockEnd[block]!;
    at += total;
    if ((i + 1) % 2000 === 0 || i + 1 === rows.length) onRow(i + 1);
  }
  rowStart[rows.length] = at;
  return { buckets: buckets.subarray(0, at), counts: counts.subarray(0, at), rowStart, blockEnds };
}

/** Per hash bucket: how many rows contain it. */
function documentFrequencies(extracted: Extracted, nRows: number, hashSpace: number): Int32Array {
  const df = new Int32Array(hashSpace);
  const lastRow = new Int32Array(hashSpace).fill(-1);
  for (let i = 0; i < nRows; i++) {
    for (let p = extracted.rowStart[i]!; p < extracted.rowStart[i + 1]!; p++) {
      const bucket = extracted.buckets[p]!;
      if (lastRow[bucket] !== i) {
        lastRow[bucket] = i;
        df[bucket]!++;
      }
    }
  }
  return df;
}

/** The buckets seen in at least minDf rows become columns, in bucket order; `lookup` maps bucket → column or -1. */
function vocabulary(df: Int32Array, minDf: number): { lookup: Int32Array; vocabBuckets: Int32Array; vocabDf: Int32Array } {
  const lookup = new Int32Array(df.length).fill(-1);
  let size = 0;
  for (let bucket = 0; bucket < df.length; bucket++) if (df[bucket]! >= minDf) lookup[bucket] = size++;
  const vocabBuckets = new Int32Array(size);
  const vocabDf = new Int32Array(size);
  for (let bucket = 0; bucket < df.length; bucket++) {
    const col = lookup[bucket]!;
    if (col >= 0) {
      vocabBuckets[col] = bucket;
      vocabDf[col] = df[bucket]!;
    }
  }
  return { lookup, vocabBuckets, vocabDf };
}

/** TF-IDF rows over the vocabulary, weighed by weighBuckets exactly as prediction weighs a text. */
function weighRows(extracted: Extracted, nRows: number, cfg: FeatureConfig, lookup: Int32Array, idf: Float32Array): SparseRows {
  const dim = idf.length;
  const rowPtr = new Int32Array(nRows + 1);
  const cols = new Int32Array(extracted.buckets.length);
  const vals = new Float32Array(extracted.buckets.length);
  // A bucket hit by two blocks (a hash collision between a stem and a character n-gram) must become one entry
  // with the summed value, or the solver's squared row norms would be wrong; prediction sums them anyway.
  const slot = new Int32Array(dim).fill(-1);
  let scratchCols = new Int32Array(4096);
  let scratchVals = new Float32Array(4096);
  let at = 0;
  for (let i = 0; i < nRows; i++) {
    const start = extracted.rowStart[i]!;
    const len = extracted.rowStart[i + 1]! - start;
    if (len > scratchCols.length) {
      scratchCols = new Int32Array(len);
      scratchVals = new Float32Array(len);
    }
    const blockEnd = extracted.blockEnds.subarray(i * BLOCKS, i * BLOCKS + BLOCKS);
    const pairs = weighBuckets(cfg, extracted.buckets, extracted.counts, start, blockEnd, lookup, idf, scratchCols, scratchVals);
    const rowBegin = at;
    for (let j = 0; j < pairs; j++) {
      const col = scratchCols[j]!;
      const earlier = slot[col]!;
      if (earlier >= rowBegin) {
        vals[earlier] = vals[earlier]! + scratchVals[j]!;
      } else {
        slot[col] = at;
        cols[at] = col;
        vals[at++] = scratchVals[j]!;
      }
    }
    rowPtr[i + 1] = at;
  }
  return { n: nRows, dim, rowPtr, cols: cols.subarray(0, at), vals: vals.subarray(0, at) };
}

import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES, FeatureExtractor, contextToken, hashString, idfFromDf, weigh, type FeatureConfig } from './features.js';

const cfg = (over: Partial<FeatureConfig> = {}): FeatureConfig => ({ ...DEFAULT_FEATURES, hashBits: 18, ...over });

function blockSizes(ex: FeatureExtractor): number[] {
  return [ex.blockEnd[0]!, ex.blockEnd[1]! - ex.blockEnd[0]!, ex.blockEnd[2]! - ex.blockEnd[1]!];
}

describe('FeatureExtractor', () => {
  it('emits stem unigrams and bigrams with counts', () => {
    const ex = new FeatureExtractor(cfg({ charMax: 0 }));
    ex.extract('Мусор мусор во дворе');
    // unigrams: мусор, во, двор (мусор twice); bigrams: мусор_мусор, мусор_во, во_двор
    expect(blockSizes(ex)).toEqual([6, 0, 0]);
    const counts = Array.from(ex.counts.subarray(0, ex.blockEnd[0]!));
    expect(counts.sort()).toEqual([1, 1, 1, 1, 1, 2]);
  });

  it('emits character n-grams of 2..5 inside padded word boundaries', () => {
    const ex = new FeatureExtractor(cfg({ wordNgrams: 1, charMin: 2, charMax: 5 }));
    ex.extract('яма');
    // " яма " has 5 chars: n=2: 4, n=3: 3, n=4: 2, n=5: 1 → 10 distinct n-grams
    expect(blockSizes(ex)).toEqual([1, 10, 0]);
  });

  it('puts context columns into their own block as ctx:key=value tokens', () => {
    const ex = new FeatureExtractor(cfg());
    ex.extract('яма', { district: 'Невский', empty: '  ' });
    expect(blockSizes(ex)[2]).toBe(1);
    expect(contextToken(' District ', 'НЕВСКИЙ ')).toBe('ctx:district=невский');
  });

  it('is deterministic across extractor instances (the model file relies on it)', () => {
    const a = new FeatureExtractor(cfg());
    const b = new FeatureExtractor(cfg());
    const n = a.extract('Не горит фонарь у подъезда №3');
    b.extract('Не горит фонарь у подъезда №3');
    expect(Array.from(a.buckets.subarray(0, n))).toEqual(Array.from(b.buckets.subarray(0, n)));
    expect(hashString('двор')).toBe(hashString('двор'));
    expect(hashString('двор')).not.toBe(hashString('дворе'));
  });
});

describe('weigh', () => {
  it('L2-normalises each block to its weight and drops unknown buckets', () => {
    const config = cfg({ charWeight: 0.5 });
    const ex = new FeatureExtractor(config);
    const total = ex.extract('Яма на дороге, яма!');
    // Vocabulary: every extracted bucket except the first stem bucket.
    const lookup = new Int32Array(1 << config.hashBits).fill(-1);
    let V = 0;
    for (let i = 1; i < total; i++) if (lookup[ex.buckets[i]!] === -1) lookup[ex.buckets[i]!] = V++;
    const idf = idfFromDf(new Int32Array(V).fill(1), 10);
    const cols = new Int32Array(total);
    const vals = new Float32Array(total);
    const n = weigh(ex, lookup, idf, cols, vals);
    expect(n).toBe(total - 1);
    const wordEnd = ex.blockEnd[0]! - 1;
    const norm = (from: number, to: number) => Math.sqrt(Array.from(vals.subarray(from, to)).reduce((s, v) => s + v * v, 0));
    expect(norm(0, wordEnd)).toBeCloseTo(1, 5);
    expect(norm(wordEnd, n)).toBeCloseTo(0.5, 5);
  });

  it('gives repeated terms sublinear weight', () => {
    const config = cfg({ charMax: 0, wordNgrams: 1 });
    const ex = new FeatureExtractor(config);
    ex.extract('снег снег снег снег лед');
    const lookup = new Int32Array(1 << config.hashBits).fill(-1);
    lookup[ex.buckets[0]!] = 0;
    lookup[ex.buckets[1]!] = 1;
    const cols = new Int32Array(4);
    const vals = new Float32Array(4);
    weigh(ex, lookup, new Float32Array([1, 1]), cols, vals);
    expect(vals[0]! / vals[1]!).toBeCloseTo(1 + Math.log(4), 5);
  });
});

/**
 * Compact encodings for model arrays inside JSON. Sorted bucket ids become delta varints (most deltas fit in one
 * or two bytes) and weights become per-class-scaled integers, which keeps the committed default model small.
 */

export function encodeVarints(values: ArrayLike<number>, delta: boolean): string {
  const out = new Uint8Array(values.length * 5);
  let at = 0;
  let prev = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i]!;
    if (delta) {
      const d = v - prev;
      if (d < 0) throw new Error('delta varint needs ascending values');
      prev = v;
      v = d;
    }
    if (v < 0 || !Number.isInteger(v) || v > 0xffffffff) throw new Error(`varint out of range: ${v}`);
    while (v >= 0x80) {
      out[at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    out[at++] = v;
  }
  return Buffer.from(out.buffer, 0, at).toString('base64');
}

export function decodeVarints(b64: string, count: number, delta: boolean): Int32Array {
  const bytes = Buffer.from(b64, 'base64');
  const out = new Int32Array(count);
  let at = 0;
  let prev = 0;
  for (let i = 0; i < count; i++) {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (at >= bytes.length) throw new Error('truncated varint data');
      const byte = bytes[at++]!;
      v += (byte & 0x7f) * mul;
      if (byte < 0x80) break;
      mul *= 128;
    }
    if (delta) {
      v += prev;
      prev = v;
    }
    out[i] = v;
  }
  if (at !== bytes.length) throw new Error('trailing bytes after varint data');
  return out;
}

export type WeightEncoding = 'int8' | 'int16' | 'float32';

export interface EncodedWeights {
  encoding: WeightEncoding;
  /** Per class: weight = integer × scale. Absent for float32. */
  scales?: number[];
  data: string;
}

export type WeightArray = Int8Array | Int16Array | Float32Array;

/** Weights as stored in memory: integers (or floats) plus one scale per class; weight = values[i] × scales[i % K]. */
export interface ScaledWeights {
  values: WeightArray;
  scales: Float64Array;
}

/**
 * Quantizes feature-major weights W[col*K+k] with one scale per class. The model keeps the integers in memory and
 * scores with them (a quarter of the memory traffic of floats, which is what bounds prediction speed), so the
 * trained model and the reloaded one compute exactly the same numbers.
 */
export function quantizeWeights(W: Float32Array, K: number, encoding: WeightEncoding): { encoded: EncodedWeights; weights: ScaledWeights } {
  if (encoding === 'float32') {
    const copy = new Float32Array(W);
    return {
      encoded: { encoding, data: Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength).toString('base64') },
      weights: { values: copy, scales: new Float64Array(K).fill(1) },
    };
  }
  const levels = encoding === 'int8' ? 127 : 32767;
  const maxAbs = new Float64Array(K);
  for (let i = 0; i < W.length; i++) {
    const a = Math.abs(W[i]!);
    const k = i % K;
    if (a > maxAbs[k]!) maxAbs[k] = a;
  }
  const scales = Array.from(maxAbs, (m) => Math.fround(m > 0 ? m / levels : 1));
  const q = encoding === 'int8' ? new Int8Array(W.length) : new Int16Array(W.length);
  for (let i = 0; i < W.length; i++) q[i] = Math.round(W[i]! / scales[i % K]!);
  // Int16 is written little-endian, which is what every platform we run on uses for typed arrays.
  const data = Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64');
  return { encoded: { encoding, scales, data }, weights: { values: q, scales: Float64Array.from(scales) } };
}

export function decodeWeights(enc: EncodedWeights, length: number, K: number): ScaledWeights {
  const bytes = Buffer.from(enc.data, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (enc.encoding === 'float32') {
    if (copy.length !== length * 4) throw new Error('weight data has the wrong length');
    return { values: new Float32Array(copy.buffer), scales: new Float64Array(K).fill(1) };
  }
  const scales = enc.scales;
  if (!scales || scales.length !== K) throw new Error('quantized weights need one scale per class');
  const q = enc.encoding === 'int8' ? new Int8Array(copy.buffer) : new Int16Array(copy.buffer);
  if (q.length !== length) throw new Error('weight data has the wrong length');
  return { values: q, scales: Float64Array.from(scales) };
}

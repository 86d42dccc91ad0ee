import type { Prediction } from './text-model.js';

/**
 * Margins to probabilities: the one copy of softmax, its logarithm and the top-n selection that prediction, the
 * routing prior and calibration share. Margins are multiplied by the temperature (a sharpness, fitted at training).
 */

/** The largest margin × temperature: subtracted before exp() so that no term overflows. */
function scaledMax(margins: ArrayLike<number>, temperature: number, length: number): number {
  let max = -Infinity;
  for (let k = 0; k < length; k++) max = Math.max(max, margins[k]! * temperature);
  return max;
}

/** Writes softmax(margins × temperature) to `out` (its length is the number of labels); returns `out`. */
export function softmaxInto(margins: ArrayLike<number>, temperature: number, out: Float64Array): Float64Array {
  const max = scaledMax(margins, temperature, out.length);
  let sum = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = Math.exp(margins[k]! * temperature - max);
    sum += out[k]!;
  }
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / sum;
  return out;
}

export function softmax(margins: ArrayLike<number>, temperature: number): Float64Array {
  return softmaxInto(margins, temperature, new Float64Array(margins.length));
}

/** log softmax(margins × temperature), computed without taking the log of a rounded-to-zero probability. */
export function logSoftmax(margins: ArrayLike<number>, temperature: number): Float64Array {
  const out = new Float64Array(margins.length);
  const max = scaledMax(margins, temperature, margins.length);
  let sum = 0;
  for (let k = 0; k < margins.length; k++) sum += Math.exp(margins[k]! * temperature - max);
  const logSum = max + Math.log(sum);
  for (let k = 0; k < margins.length; k++) out[k] = margins[k]! * temperature - logSum;
  return out;
}

/**
 * Indices of the largest values, best first, into `order` (as many as it holds); returns how many were written.
 * A partial selection, since only a few of up to a hundred labels are wanted; ties keep index order, and a value
 * that compares false with everything (NaN) never displaces one already chosen.
 */
export function topIndices(values: ArrayLike<number>, order: Int32Array): number {
  const n = order.length;
  let len = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (len === n && !(value > values[order[n - 1]!]!)) continue;
    let at = len < n ? len++ : n - 1;
    while (at > 0 && values[order[at - 1]!]! < value) {
      order[at] = order[at - 1]!;
      at--;
    }
    order[at] = index;
  }
  return len;
}

/** The `topK` most probable labels of softmax(scores × temperature), scores rounded to six decimals. */
export function toPrediction(scores: Float64Array, labels: readonly string[], temperature: number, topK: number): Prediction {
  const probs = softmax(scores, temperature);
  const order = new Int32Array(Math.min(topK, labels.length));
  const n = topIndices(probs, order);
  const top: Prediction['top'] = [];
  for (let i = 0; i < n; i++) top.push({ label: labels[order[i]!]!, score: round6(probs[order[i]!]!) });
  return { label: top[0]!.label, confidence: top[0]!.score, top };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

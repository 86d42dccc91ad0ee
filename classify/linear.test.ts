import { describe, expect, it } from 'vitest';
import { mulberry32, trainOvr, type SparseRows } from './linear.js';

function rows(points: [number, number][]): SparseRows {
  const rowPtr = new Int32Array(points.length + 1);
  const cols = new Int32Array(points.length * 2);
  const vals = new Float32Array(points.length * 2);
  points.forEach(([x, y], i) => {
    cols[2 * i] = 0;
    vals[2 * i] = x;
    cols[2 * i + 1] = 1;
    vals[2 * i + 1] = y;
    rowPtr[i + 1] = 2 * i + 2;
  });
  return { n: points.length, dim: 2, rowPtr, cols, vals };
}

describe('trainOvr (dual coordinate descent SVM)', () => {
  it('separates three linearly separable clusters', () => {
    const rand = mulberry32(3);
    const centers: [number, number][] = [[2, 0], [-1, 2], [-1, -2]];
    const pts: [number, number][] = [];
    const y: number[] = [];
    for (let i = 0; i < 90; i++) {
      const k = i % 3;
      pts.push([centers[k]![0] + (rand() - 0.5) * 0.5, centers[k]![1] + (rand() - 0.5) * 0.5]);
      y.push(k);
    }
    const data = rows(pts);
    const { W, b } = trainOvr(data, Int32Array.from(y), 3, { C: 1, eps: 0.01, maxIter: 200, bias: 1, seed: 1 });
    let correct = 0;
    pts.forEach(([px, py], i) => {
      const scores = [0, 1, 2].map((k) => W[k]! * px + W[3 + k]! * py + b[k]!);
      if (scores.indexOf(Math.max(...scores)) === y[i]) correct++;
    });
    expect(correct).toBe(90);
  });

  it('regularises more with a smaller C', () => {
    const data = rows([[1, 0], [-1, 0], [2, 0], [-2, 0]]);
    const y = Int32Array.from([0, 1, 0, 1]);
    const strong = trainOvr(data, y, 2, { C: 0.01, eps: 0.001, maxIter: 500, bias: 0, seed: 1 });
    const weak = trainOvr(data, y, 2, { C: 100, eps: 0.001, maxIter: 500, bias: 0, seed: 1 });
    expect(Math.abs(strong.W[0]!)).toBeLessThan(Math.abs(weak.W[0]!));
    // With little regularisation the squared-hinge optimum puts the closest points on the margin: w ≈ 1.
    expect(weak.W[0]!).toBeCloseTo(1, 1);
  });
});

import type { TrainProgress } from './train-model.js';

/** One progress event as a line of a training log: "features: 2000/3902", "fit 2: 13/63". */
export function progressLine(p: TrainProgress): string {
  return `${p.epoch === 0 ? 'features' : `fit ${p.epoch}`}: ${p.done}/${p.total}`;
}

/**
 * Passes on at most one progress event per `intervalMs` (and always the last of each phase): a long training run
 * then logs a line every few seconds rather than one per class.
 */
export function throttledProgress<P extends TrainProgress>(intervalMs: number, write: (p: P) => void): (p: P) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last > intervalMs || p.done === p.total) {
      last = now;
      write(p);
    }
  };
}

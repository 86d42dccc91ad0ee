type GrowableArray = Int32Array | Float64Array;

/**
 * A copy of `array` at least `need` long (doubling, so appending stays amortised O(1)), for the reused typed
 * buffers of feature extraction and prediction: one allocation per doubling instead of one per text.
 */
export function grow<T extends GrowableArray>(array: T, need: number): T {
  let size = Math.max(1, array.length * 2);
  while (size < need) size *= 2;
  const bigger = new (array.constructor as new(length: number) => T)(size);
  bigger.set(array);
  return bigger;
}

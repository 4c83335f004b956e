// Typed arrays that grow as rows are added, for the tables that do not know their row count ahead:
// a full array is replaced by one at least twice as long, so that n rows cost O(n) copying in all.

export type GrowableArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/** `array` when it has room for `length` elements, else a copy of it at least twice as long. */
export function withRoom<T extends GrowableArray>(array: T, length: number): T {
  if (length <= array.length) return array;
  const grown = new (array.constructor as new (length: number) => T)(Math.max(length, 2 * array.length));
  (grown as Uint8Array).set(array as Uint8Array);
  return grown;
}

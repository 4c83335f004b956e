// FNV-1a, 32 bits (offset basis 0x811c9dc5, prime 0x01000193): the zip entry table's search for
// duplicate names, the member table's hash slots and the search for names that are one once folded
// hash names with it. It spreads names well enough and is cheap on short keys; a hash only chooses
// where to look, every match is confirmed on the names.
const OFFSET_BASIS = 0x811c9dc5;
const PRIME = 0x01000193;

/** The hash of `length` bytes from `start` (a name as UTF-8). */
export function nameHashOfBytes(bytes: Uint8Array, start: number, length: number): number {
  let hash = OFFSET_BASIS;
  for (let i = start; i < start + length; i++) hash = Math.imul(hash ^ bytes[i]!, PRIME);
  return hash >>> 0;
}

/** The hash of a string's UTF-16 code units. */
export function nameHashOfText(text: string): number {
  let hash = OFFSET_BASIS;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), PRIME);
  return hash >>> 0;
}

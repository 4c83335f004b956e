// A --json document as text, in pieces: the characters JSON.stringify(document, null, 2) gives, with
// DEL, the C1 controls and the line separators escaped too, made a value at a time. The document of
// a compare of 100,000 members lists 200,000 examples (15 MB of text): made whole, it was one string,
// a copy with the escapes, a copy joined to its line end and the bytes written, all held at once.

/** Output is handed to its stream about this many characters at a time (a --json document's pieces, text's runs of lines). */
export const PIECE_CHARACTERS = 64 * 1024;
const INDENT = '  ';

/** JSON.stringify escapes C0 controls itself; these can only be inside strings, where \uXXXX means the same. */
const UNESCAPED = /[\x7f-\x9f\u2028\u2029]/g;

function escaped(text: string): string {
  return text.replace(UNESCAPED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether JSON.stringify leaves a property of this value out (undefined, a function, a symbol); in an array it writes null. */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * A property to write as an array of what an iterable gives, without reading the property: a list
 * too long to hold made whole (a change's every example) is written an item at a time.
 */
export type StreamedArrays = (owner: object, key: string) => Iterable<unknown> | undefined;

/**
 * The text of `value` at nesting `depth`, as JSON.stringify(value, null, 2) writes it there: arrays
 * and plain objects a member at a time, anything else (a string, a number, an object with toJSON) by
 * JSON.stringify itself.
 */
function* valueText(value: unknown, depth: number, streamed: StreamedArrays): Generator<string> {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    if (Array.isArray(value)) yield* arrayText(value, depth, streamed);
    else yield* objectText(value, depth, streamed);
    return;
  }
  const text = JSON.stringify(value, null, 2) as string | undefined;
  // A toJSON's value is indented as JSON.stringify would indent it at this depth.
  yield escaped(depth > 0 && text !== undefined ? text.replaceAll('\n', `\n${INDENT.repeat(depth)}`) : text ?? 'null');
}

function* arrayText(items: Iterable<unknown>, depth: number, streamed: StreamedArrays): Generator<string> {
  let first = true;
  for (const item of items) {
    yield `${first ? '[' : ','}\n${INDENT.repeat(depth + 1)}`;
    first = false;
    // As JSON.stringify does: an array keeps a place for what it cannot write.
    if (isOmitted(item)) yield 'null';
    else yield* valueText(item, depth + 1, streamed);
  }
  yield first ? '[]' : `\n${INDENT.repeat(depth)}]`;
}

/** A plain object's own enumerable properties, in JSON.stringify's order, each read when it is written. */
function* objectText(object: object, depth: number, streamed: StreamedArrays): Generator<string> {
  let first = true;
  for (const key of Object.keys(object)) {
    const items = streamed(object, key);
    const item = items ?? (object as Record<string, unknown>)[key];
    if (!items && isOmitted(item)) continue;
    yield `${first ? '{' : ','}\n${INDENT.repeat(depth + 1)}${escaped(JSON.stringify(key))}: `;
    first = false;
    yield* items ? arrayText(items, depth + 1, streamed) : valueText(item, depth + 1, streamed);
  }
  yield first ? '{}' : `\n${INDENT.repeat(depth)}}`;
}

/**
 * `document` as JSON text and a line end, in pieces of about PIECE_CHARACTERS, made as they are read.
 * The properties `streamed` gives are written as arrays of what it gives.
 */
export function* jsonPieces(document: unknown, streamed: StreamedArrays = () => undefined): Generator<string> {
  let held: string[] = [];
  let heldCharacters = 0;
  for (const piece of valueText(document, 0, streamed)) {
    held.push(piece);
    heldCharacters += piece.length;
    if (heldCharacters < PIECE_CHARACTERS) continue;
    yield held.join('');
    held = [];
    heldCharacters = 0;
  }
  held.push('\n');
  yield held.join('');
}

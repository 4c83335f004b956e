/**
 * An input whose bytes break its format's rules (bad checksum, truncated data, impossible field).
 * The message names the format, the place (member or byte offset) and what is wrong, in one line,
 * because it is shown to the user as is.
 */
export class FormatError extends Error {
  override name = 'FormatError';
}

/**
 * `text` cut to `length` UTF-16 code units (not between the two halves of a surrogate pair) with
 * what was cut said, `detail` beside the count; whole when it fits.
 */
export function cutText(text: string, length: number, detail = ''): string {
  if (text.length <= length) return text;
  const end = length - (/[\uD800-\uDBFF]/.test(text[length - 1]!) ? 1 : 0);
  // Copied through UTF-8: a slice of a string keeps the whole string alive in V8.
  return `${Buffer.from(text.slice(0, end), 'utf8').toString('utf8')}… (${text.length - end} more characters${detail})`;
}

/**
 * The longest name a message shows whole: a member name may be 4 KB (a zip's stored name 64 KB, a
 * pax path or a RECORD line's a MiB), and a message is one line to read.
 */
const SHOWN_NAME_LENGTH = 200;

/** A member name, link target or path as a message shows it: whole up to SHOWN_NAME_LENGTH characters, else its start and how much more. */
export function shownName(name: string): string {
  return cutText(name, SHOWN_NAME_LENGTH);
}

/** shownName, quoted as JSON quotes a string (a message's names that may hold spaces or controls). */
export function quotedName(name: string): string {
  return JSON.stringify(shownName(name));
}

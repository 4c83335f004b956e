/**
 * An input whose bytes break its format's rules (bad checksum, truncated data, impossible field).
 * The message names the format, the place (member or byte offset) and what is wrong, in one line,
 * because it is shown to the user as is.
 */
export class FormatError extends Error {
  override name = 'FormatError';
}

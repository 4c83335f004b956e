// How a failure is told apart and said, in one place for every verb: a refusal (the input breaks its
// format or the normal form's rules: exit 2, `refused`) or an error (it could not be read or
// written: exit 2, `error`), always as one line without a stack trace.
import { FormatError } from '../formats/errors.js';

/** An input that is well-formed but that reprodist will not normalize; the message is one line. */
export class RefusedInput extends Error {
  override name = 'RefusedInput';
}

export type FailureStatus = 'refused' | 'error';

/** `refused` for a bad input (a format error or a refusal), `error` for anything else. */
export function failureStatus(error: unknown): FailureStatus {
  return error instanceof FormatError || error instanceof RefusedInput ? 'refused' : 'error';
}

/**
 * Puts the file's path in front of format errors and refusals, whose messages name a member or an
 * offset but not the file; system errors name their path already and pass unchanged.
 */
export function namingFile(path: string, error: unknown): unknown {
  if (error instanceof FormatError) return new FormatError(`${path}: ${error.message}`);
  if (error instanceof RefusedInput) return new RefusedInput(`${path}: ${error.message}`);
  return error;
}

/** One line for any error: what failed and why, without a stack trace. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const syscallPath = (error as NodeJS.ErrnoException).path;
  if (code && syscallPath) {
    const reasons: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory', ENOSPC: 'no space left on device', EROFS: 'read-only file system' };
    return `${syscallPath}: ${reasons[code] ?? error.message}`;
  }
  return error.message.split('\n')[0]!;
}

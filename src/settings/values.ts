// What each setting may hold, read apart from where it came from (./index.ts resolves which source
// counts). A flag's text, SOURCE_DATE_EPOCH, a pyproject.toml value and a library option all go
// through the same rule, and a bad value is one line naming where it came from, the value as given,
// and what is allowed: `--level: "abc" is not a whole number from 1 to 9`.
import { LEVELS, MAX_EPOCH, MIN_EPOCH } from '../normalize/index.js';
import type { MtimePolicy } from '../normalize/index.js';
import { UsageError } from './errors.js';

/** One kind of value: what it allows, said as messages say it, and how text becomes a value. */
export interface ValueRule<T> {
  /** What follows "is not" in a message: `a whole number from 1 to 9`. */
  allowed: string;
  /** The value if it is allowed, else undefined. Typed values (library options, TOML) come here as they are. */
  accept(value: unknown): T | undefined;
  /** Text (a flag, an environment variable) as the value accept() judges; without it, the text itself. */
  fromText?(text: string): unknown;
}

function wholeNumber(value: unknown): number | undefined {
  if (typeof value === 'bigint') return Number(value);
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

const wholeNumberText = (text: string): unknown => (/^\s*\d+\s*$/.test(text) ? Number(text) : text);

function wholeNumbers(min: number, max?: number, allowed = max === undefined ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`): ValueRule<number> {
  return {
    allowed,
    accept(value) {
      const n = wholeNumber(value);
      return n !== undefined && n >= min && (max === undefined || n <= max) ? n : undefined;
    },
    fromText: wholeNumberText,
  };
}

function oneOf<T extends string>(values: readonly T[]): ValueRule<T> {
  return { allowed: `one of ${values.join(', ')}`, accept: (value) => values.find((v) => v === value) };
}

/** A deflate level. */
export const LEVEL = wholeNumbers(LEVELS.min, LEVELS.max);
/** How many of something to do or show, from none, or from one. */
export const COUNT = wholeNumbers(0);
export const POSITIVE_COUNT = wholeNumbers(1);
/** Compression threads (more than the cores are allowed, and run as many as there are cores). */
export const JOBS = POSITIVE_COUNT;
export const MTIME: ValueRule<MtimePolicy> = oneOf(['epoch', 'clamp']);
/** SOURCE_DATE_EPOCH, and a commit time: whole seconds only, as the specification says. */
export const EPOCH_SECONDS = wholeNumbers(MIN_EPOCH, MAX_EPOCH, `whole seconds since 1970 from ${MIN_EPOCH} (1980-01-01) to ${MAX_EPOCH} (2107-12-31)`);
/** The epoch given or in the file: seconds, or `git` for the commit time of HEAD. */
export const EPOCH: ValueRule<number | 'git'> = {
  allowed: `git or ${EPOCH_SECONDS.allowed}`,
  accept: (value) => (value === 'git' ? 'git' : EPOCH_SECONDS.accept(value)),
  fromText: wholeNumberText,
};
/** Seconds to wait: any positive number, fractions too. */
export const SECONDS: ValueRule<number> = {
  allowed: 'a number of seconds above 0',
  accept: (value) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined),
  fromText: (text) => (/^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text),
};
/** A byte count: `2GiB`, `500M`, `1048576` (binary multiples). */
export const BYTES: ValueRule<number> = {
  allowed: 'a byte count above 0, optionally with K, M, G or T (binary multiples), such as 500MiB',
  accept: (value) => {
    const n = wholeNumber(value);
    return n !== undefined && n > 0 ? n : undefined;
  },
  fromText(text) {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:i?B)?|B)?\s*$/i.exec(text);
    if (!match) return text;
    const power = match[2] ? 'KMGT'.indexOf(match[2].toUpperCase()) + 1 : 0;
    return Math.floor(Number(match[1]) * 1024 ** power);
  },
};
/** Where files are fetched from. */
export const HTTP_URL: ValueRule<string> = {
  allowed: 'an http or https URL',
  accept(value) {
    if (typeof value !== 'string') return undefined;
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol) ? value : undefined;
    } catch {
      return undefined;
    }
  },
};
export const BOOLEAN: ValueRule<boolean> = {
  allowed: 'true or false',
  accept: (value) => (typeof value === 'boolean' ? value : undefined),
};
export const STRINGS: ValueRule<string[]> = {
  allowed: 'a list of strings',
  accept: (value) => (Array.isArray(value) && value.every((item) => typeof item === 'string') ? [...value] : undefined),
};
/** A Python object path, `module` or `module:object`. */
export const MODULE: ValueRule<string> = {
  allowed: 'a module path such as "setuptools.build_meta"',
  accept: (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined),
};

/** The value as it was given: text quoted, numbers as they are. */
function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** `<where>: <value> is not <allowed>`: the one message for a value a rule refuses. */
export function notAllowed(where: string, value: unknown, rule: ValueRule<unknown>): string {
  return `${where}: ${shown(value)} is not ${rule.allowed}`;
}

/** A typed value (a library option) of `rule`; else a UsageError naming `where`, the value and what is allowed. */
export function readValue<T>(rule: ValueRule<T>, value: unknown, where: string): T {
  const accepted = rule.accept(value);
  if (accepted === undefined) throw new UsageError(notAllowed(where, value, rule));
  return accepted;
}

/** Text (a flag's, the environment's) of `rule`; a refusal shows the text as it was given. */
export function readText<T>(rule: ValueRule<T>, text: string, where: string): T {
  const accepted = rule.accept(rule.fromText ? rule.fromText(text) : text);
  if (accepted === undefined) throw new UsageError(notAllowed(where, text, rule));
  return accepted;
}

/**
 * How a flag's value is read as the command line is parsed (a yargs `coerce`): its text, a default
 * already typed, or a list when the flag was given more than once, which is refused rather than one
 * of them picked.
 */
export function flagValue<T>(rule: ValueRule<T>, flag: string): (value: unknown) => T {
  return (value) => {
    if (Array.isArray(value)) throw new UsageError(`${flag}: given ${value.length} times (${value.map(shown).join(', ')}); give it once`);
    return typeof value === 'string' ? readText(rule, value, flag) : readValue(rule, value, flag);
  };
}

// `[tool.reprodist]` in pyproject.toml: project defaults, below command-line flags (and, for the
// epoch, below SOURCE_DATE_EPOCH too).
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'smol-toml';
import type { MtimePolicy } from '../normalize/index.js';
import { ConfigError } from './errors.js';

export interface ProjectConfig {
  /** The pyproject.toml it came from, for messages. */
  source?: string;
  epoch?: number | 'git';
  mtime?: MtimePolicy;
  level?: number;
  paths?: string[];
  jobs?: number;
  keepCompression?: boolean;
  /** For the build-backend wrapper (reprodist.backend, docs/python.md): the backend it wraps. */
  backend?: string;
  backendPath?: string[];
}

/** The nearest pyproject.toml at or above `start`. */
export function findPyproject(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, 'pyproject.toml');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The largest pyproject.toml read (docs/limits.md); real ones are a few KiB. */
const MAX_PYPROJECT_BYTES = 1 << 20;

/**
 * A pyproject.toml's text, read only when it is a regular file of sane size: opened without blocking
 * (a FIFO would otherwise stop this synchronous read, and with it the signal handlers, for ever).
 */
function readRegularText(source: string): string {
  const fd = openSync(source, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ConfigError(`${source}: not a regular file`);
    if (stats.size > MAX_PYPROJECT_BYTES) throw new ConfigError(`${source}: ${stats.size} bytes, over the limit of ${MAX_PYPROJECT_BYTES} bytes for a pyproject.toml (docs/limits.md)`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Reads `[tool.reprodist]` from the nearest pyproject.toml; {} when there is none. */
export function loadProjectConfig(start: string = process.cwd()): ProjectConfig {
  const source = findPyproject(start);
  if (!source) return {};
  let document: Record<string, unknown>;
  const text = readRegularText(source);
  try {
    document = parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${source}: not valid TOML (${(error as Error).message.split('\n')[0]})`);
  }
  const table = (document.tool as Record<string, unknown> | undefined)?.reprodist;
  if (table === undefined) return {};
  if (typeof table !== 'object' || table === null || Array.isArray(table)) throw new ConfigError(`${source}: [tool.reprodist] must be a table`);
  const config: ProjectConfig = { source };
  const bad = (key: string, expected: string) => new ConfigError(`${source}: [tool.reprodist] ${key} must be ${expected}`);
  for (const [key, value] of Object.entries(table)) {
    switch (key) {
      case 'epoch':
        if (value === 'git') config.epoch = 'git';
        else if (typeof value === 'number' || typeof value === 'bigint') config.epoch = Number(value);
        else throw bad(key, 'whole seconds since 1970 or "git"');
        break;
      case 'mtime':
        if (value !== 'epoch' && value !== 'clamp') throw bad(key, '"epoch" or "clamp"');
        config.mtime = value;
        break;
      case 'level':
      case 'jobs':
        if (typeof value !== 'number' && typeof value !== 'bigint') throw bad(key, 'a whole number');
        config[key] = Number(value);
        break;
      case 'paths':
        if (!Array.isArray(value) || !value.every((p) => typeof p === 'string')) throw bad(key, 'a list of strings');
        // Relative to the pyproject.toml's directory, like every other path in that file, and kept
        // relative (to where reprodist runs) so that messages show them as a user would write them.
        config.paths = value.map((p: string) => relative(process.cwd(), resolve(dirname(source), p)) || '.');
        break;
      case 'keep-compression':
        if (typeof value !== 'boolean') throw bad(key, 'true or false');
        config.keepCompression = value;
        break;
      case 'backend':
        if (typeof value !== 'string' || value === '') throw bad(key, 'a module path such as "setuptools.build_meta"');
        config.backend = value;
        break;
      case 'backend-path':
        if (!Array.isArray(value) || !value.every((p) => typeof p === 'string')) throw bad(key, 'a list of strings');
        config.backendPath = value;
        break;
      default:
        throw new ConfigError(`${source}: unknown key ${JSON.stringify(key)} in [tool.reprodist] (known: epoch, mtime, level, paths, jobs, keep-compression, backend, backend-path)`);
    }
  }
  return config;
}

// `[tool.reprodist]` in pyproject.toml: project defaults, below command-line flags (and, for the
// epoch, below SOURCE_DATE_EPOCH too).
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'smol-toml';
import type { MtimePolicy } from '../normalize/index.js';
import { ConfigError } from './errors.js';
import { BOOLEAN, EPOCH, JOBS, LEVEL, MODULE, MTIME, STRINGS, notAllowed } from './values.js';
import type { ValueRule } from './values.js';

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

type Key = Exclude<keyof ProjectConfig, 'source'>;
type Rules = { [P in Key]-?: ValueRule<NonNullable<ProjectConfig[P]>> };

/** The settings a project may default (flags and SOURCE_DATE_EPOCH win over them), with their rules. */
const SETTING_RULES = {
  epoch: EPOCH,
  mtime: MTIME,
  level: LEVEL,
  paths: STRINGS,
  jobs: JOBS,
  keepCompression: BOOLEAN,
} satisfies Partial<Rules>;
/** What only the build-backend wrapper (python/src/reprodist/backend.py) reads. */
const WRAPPER_RULES = { backend: MODULE, backendPath: STRINGS } satisfies Partial<Rules>;
const RULES: Rules = { ...SETTING_RULES, ...WRAPPER_RULES };

/** How the file spells a key: keep-compression for keepCompression. */
const spelled = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** Every key of [tool.reprodist] as the file spells it, to the setting it holds. */
const PROJECT_KEYS = new Map((Object.keys(RULES) as Key[]).map((key) => [spelled(key), key]));
/** The keys that set defaults for the verbs, as the file spells them (the help lists them). */
export const SETTING_KEYS: readonly string[] = Object.keys(SETTING_RULES).map(spelled);

/** The nearest pyproject.toml at or above `start`. */
function findPyproject(start: string): string | undefined {
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
  for (const [name, value] of Object.entries(table)) {
    const key = PROJECT_KEYS.get(name);
    if (key === undefined) throw new ConfigError(`${source}: unknown key ${JSON.stringify(name)} in [tool.reprodist] (known: ${[...PROJECT_KEYS.keys()].join(', ')})`);
    const rule: ValueRule<unknown> = RULES[key];
    const accepted = rule.accept(value);
    if (accepted === undefined) throw new ConfigError(notAllowed(`${source}: [tool.reprodist] ${name}`, value, rule));
    // Paths are relative to the pyproject.toml's directory, like every other path in that file, and
    // kept relative (to where reprodist runs) so that messages show them as a user would write them.
    const resolved = key === 'paths' ? (accepted as string[]).map((p) => relative(process.cwd(), resolve(dirname(source), p)) || '.') : accepted;
    Object.assign(config, { [key]: resolved });
  }
  return config;
}

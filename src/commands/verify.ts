// `reprodist verify [LOCAL...]`: exit 0 when every source has byte-identical files, 1 when any
// differs (explained as compare explains it), 2 when a source is missing, unreachable or fails.
import type { CommandModule } from 'yargs';
import { makeStyle, renderPair, wantsColour } from '../compare/render.js';
import type { Style } from '../compare/render.js';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from '../compare/download.js';
import type { DownloadProgress } from '../compare/download.js';
import { DEFAULT_BUILD_COMMAND } from '../compare/rebuild.js';
import { DEFAULT_INDEX_URL, verify } from '../compare/verify.js';
import type { SourceCheck, Verification, VerifyOptions } from '../compare/verify.js';
import { checkEpoch } from '../normalize/options.js';
import type { MtimePolicy } from '../normalize/options.js';
import { UsageError } from './shared.js';

export interface VerifyFlags {
  local: string[];
  against: string[];
  pypi: string[];
  indexUrl: string;
  build: boolean;
  buildCommand: string;
  epoch?: number;
  mtime?: MtimePolicy;
  level?: number;
  timeout: number;
  maxSize: string;
  json: boolean;
}

/** `2GiB`, `500M`, `1048576`: a byte count, binary multiples. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:i?B)?|B)?\s*$/i.exec(text);
  if (!match) throw new UsageError(`--max-size: expected bytes, optionally with K, M, G or T (binary), got ${JSON.stringify(text)}`);
  const power = match[2] ? 'KMGT'.indexOf(match[2].toUpperCase()) + 1 : 0;
  return Math.floor(Number(match[1]) * 1024 ** power);
}

export function verifyOptionsFromFlags(flags: VerifyFlags): VerifyOptions {
  if (!(flags.timeout > 0)) throw new UsageError(`--timeout: expected seconds above 0, got ${flags.timeout}`);
  if (flags.level !== undefined && (!Number.isInteger(flags.level) || flags.level < 1 || flags.level > 9)) throw new UsageError(`--level: expected 1 to 9, got ${flags.level}`);
  let epoch: number | undefined;
  try {
    if (flags.epoch !== undefined) epoch = checkEpoch(flags.epoch, '--epoch');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    local: flags.local,
    against: asList(flags.against),
    pypi: asList(flags.pypi),
    indexUrl: flags.indexUrl,
    build: flags.build,
    buildCommand: flags.buildCommand,
    timeoutMs: flags.timeout * 1000,
    maxBytes: parseSize(flags.maxSize),
    ...(epoch !== undefined ? { epoch } : {}),
    ...(flags.mtime !== undefined ? { mtime: flags.mtime } : {}),
    ...(flags.level !== undefined ? { level: flags.level } : {}),
  };
}

export async function runVerify(flags: VerifyFlags): Promise<number> {
  const options = verifyOptionsFromFlags(flags);
  const status = process.stderr.isTTY ? new StatusLine(process.stderr) : undefined;
  if (status) {
    options.onProgress = (progress) => status.show(describeProgress(progress));
    options.onStep = (message) => status.show(message);
  }
  let result: Verification;
  try {
    result = await verify(options);
  } finally {
    status?.clear();
  }
  printVerification(result, flags.json);
  return result.exitCode;
}

export function printVerification(result: Verification, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ command: 'verify', ...result }, null, 2)}\n`);
    return;
  }
  for (const problem of result.problems) process.stderr.write(`reprodist: ${problem}\n`);
  const out = makeStyle(wantsColour(process.stdout));
  const err = makeStyle(wantsColour(process.stderr));
  for (const source of result.sources) {
    // The same names as the diff headers (verify.ts): local, and remote, pypi or rebuilt.
    const labels = { a: 'local', b: source.kind === 'build' ? 'rebuilt' : source.kind === 'pypi' ? 'pypi' : 'remote' };
    const about = source.kind === 'build' && source.commit
      ? ` (clean clone of ${source.commit.slice(0, 12)}, SOURCE_DATE_EPOCH=${source.commitTime}, normalized with epoch ${source.epoch})`
      : '';
    process.stdout.write(`${out.bold(source.source)}${about}\n`);
    for (const check of result.checks.filter((c) => c.source === source.source)) {
      const failed = check.status !== 'identical' && check.status !== 'differs';
      const lines = failed ? [failureLine(check, err)] : renderPair(check.comparison!, out, labels, check.name);
      (failed ? process.stderr : process.stdout).write(`${lines.map((line) => `  ${line}`).join('\n')}\n`);
    }
    if (source.unmatched.length > 0) process.stdout.write(`  ${out.dim(`not checked (no local file of that name): ${source.unmatched.join(', ')}`)}\n`);
  }
}

function failureLine(check: SourceCheck, style: Style): string {
  return `${style.red(`${check.status} `.padEnd(11))}${check.name}: ${check.message ?? ''}`;
}

function describeProgress(progress: DownloadProgress & { name: string }): string {
  const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  const total = progress.total ? ` / ${mib(progress.total)} (${Math.floor((100 * progress.received) / progress.total)}%)` : '';
  return `downloading ${progress.name}  ${mib(progress.received)}${total}`;
}

/** One line of progress on a terminal, rewritten in place at most ten times a second. */
class StatusLine {
  private last = 0;
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  show(text: string): void {
    const now = Date.now();
    if (now - this.last < 100 && this.shown) return;
    this.last = now;
    this.shown = true;
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r\x1b[K${text.slice(0, width)}`);
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

/** A repeatable option's values: yargs gives one string, or an array when it was repeated. */
function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : [value].flat();
}

/** The yargs command; `done` receives the exit code. */
export function verifyCommand(done: (exitCode: number) => void): CommandModule<object, VerifyFlags> {
  return {
    command: 'verify [local..]',
    describe: 'check that local artefacts are byte-identical to remote ones (--against, --pypi) or to a rebuild from a clean clone (--build); exit 0 identical, 1 differ, 2 missing or unreachable',
    builder: (y) =>
      y
        .positional('local', { type: 'string', array: true, default: [] as string[], describe: 'local artefacts, directories or globs (default: dist/)' })
        // Repeated, not `array: true`, which would swallow the LOCAL paths that follow.
        .option('against', { type: 'string', coerce: asList, describe: 'a URL prefix: URL/<file name> is fetched for each local file (repeatable)' })
        .option('pypi', { type: 'string', coerce: asList, describe: 'a release NAME==VERSION: its files come from the JSON API of --index-url, checked against the sha256 it states' })
        .option('index-url', { type: 'string', default: DEFAULT_INDEX_URL, describe: 'the index whose /pypi/NAME/VERSION/json lists the release files' })
        .option('build', { type: 'boolean', default: false, describe: 'build from a clean clone of HEAD with SOURCE_DATE_EPOCH at the commit time, normalize, and compare' })
        .option('build-command', { type: 'string', default: DEFAULT_BUILD_COMMAND, describe: 'run with sh -c in the clone; must leave the sdist and wheel in dist/' })
        .option('epoch', { type: 'number', describe: "--build: the epoch to normalize with (default: the commit time)" })
        .option('mtime', { choices: ['epoch', 'clamp'] as const, describe: "--build: mtime policy (default: the project's [tool.reprodist], else epoch)" })
        .option('level', { type: 'number', describe: "--build: deflate level (default: the project's [tool.reprodist], else 9 for sdists and 6 for wheels)" })
        .option('timeout', { type: 'number', default: DEFAULT_TIMEOUT_MS / 1000, describe: 'seconds to wait for a connection, a response or the next bytes' })
        .option('max-size', { type: 'string', default: `${DEFAULT_MAX_BYTES / 1024 ** 3}GiB`, describe: 'largest download accepted (e.g. 500MiB)' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout (schema: docs/compare.md)' }) as never,
    handler: async (args) => done(await runVerify(args)),
  };
}

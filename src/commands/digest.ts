// `reprodist digest FILE...`: one `<hex>  <file>` line per artefact, like sha256sum, of the content
// digest (docs/digest.md). Exit 0 when every file was digested, 2 otherwise.
import type { CommandModule } from 'yargs';
import { digest } from '../compare/digest.js';
import type { DigestResult } from '../compare/digest.js';
import { expandArtefactPaths } from '../paths.js';

export interface DigestFlags {
  paths: string[];
  json: boolean;
}

export interface DigestReport {
  results: DigestResult[];
  /** Arguments that named nothing usable. */
  problems: string[];
  exitCode: number;
}

/** Digests of the artefacts named by files, directories or globs (none means `dist/`). */
export async function digestPaths(paths: readonly string[]): Promise<DigestReport> {
  const { files, problems } = await expandArtefactPaths(paths);
  const results: DigestResult[] = [];
  for (const file of files) results.push(await digest(file));
  const failed = problems.length > 0 || results.some((r) => r.status !== 'ok');
  return { results, problems, exitCode: failed ? 2 : 0 };
}

export async function runDigest(flags: DigestFlags): Promise<number> {
  const report = await digestPaths(flags.paths);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ command: 'digest', ...report }, null, 2)}\n`);
    return report.exitCode;
  }
  for (const problem of report.problems) process.stderr.write(`reprodist: ${problem}\n`);
  for (const result of report.results) {
    if (result.status === 'ok') process.stdout.write(`${result.digest}  ${result.path}\n`);
    else process.stderr.write(`${result.status.padEnd(11)}${result.message}\n`);
  }
  return report.exitCode;
}

/** The yargs command; `done` receives the exit code. */
export function digestCommand(done: (exitCode: number) => void): CommandModule<object, DigestFlags> {
  return {
    command: 'digest [paths..]',
    describe: "print each artefact's content digest (sha256 of its names, types, exec bits, contents and link targets; docs/digest.md), like sha256sum",
    builder: (y) =>
      y
        .positional('paths', { type: 'string', array: true, default: [] as string[], describe: 'artefacts, directories or globs (default: dist/)' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON document on stdout' }) as never,
    handler: async (args) => done(await runDigest(args)),
  };
}

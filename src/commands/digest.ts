// `reprodist digest FILE...`: one `<hex>  <file>` line per artefact, like sha256sum, of the content
// digest (docs/digest.md). Exit 0 when every file was digested, 2 otherwise.
import { digest } from '../compare/index.js';
import type { OutputLines } from './output.js';
import { problemLines } from './output.js';
import { hideNormalFormFlags, refuseNormalFormFlags } from './verb.js';
import type { Verb } from './verb.js';

export interface DigestFlags {
  paths: string[];
}

export const digestVerb: Verb<DigestFlags> = {
  command: 'digest [paths..]',
  describe: "print each artefact's content digest (sha256 of its names, types, exec bits, contents and link targets; docs/digest.md), like sha256sum",
  options: (y) => hideNormalFormFlags(y).positional('paths', { type: 'string', array: true, default: [] as string[], describe: 'artefacts, directories or globs (default: dist/)' }),
  async run(flags) {
    refuseNormalFormFlags('digest', flags);
    const report = await digest(flags.paths);
    const text: OutputLines[] = problemLines(report.problems);
    for (const result of report.results) {
      // The digest is what was asked for: it is printed even with --quiet.
      if (result.status === 'ok') text.push({ stream: 'out', wrong: true, lines: [`${result.digest}  ${result.path}`] });
      else text.push({ stream: 'err', wrong: true, lines: [`${result.status.padEnd(11)}${result.message}`] });
    }
    return { exitCode: report.exitCode, json: report, text };
  },
};

// What every verb prints, and the one printer for it: a JSON document on stdout with --json, else
// human lines, stdout for results and stderr for failures; --quiet keeps only the lines that say
// something is wrong. Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).

export interface Style {
  bold(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
}

/** Whether to colour output written to `stream`. */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

export function makeStyle(colour: boolean): Style {
  const sgr = (code: string) => (text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { bold: sgr('1'), red: sgr('31'), green: sgr('32'), yellow: sgr('33'), cyan: sgr('36'), dim: sgr('2') };
}

/** One piece of human output. */
export interface OutputLines {
  /** stderr for failures and problems, stdout for everything else. */
  stream: 'out' | 'err';
  /** Whether the lines say something is wrong (a failure, a difference): they survive --quiet. */
  wrong: boolean;
  lines: string[];
}

/** A verb's result, ready to print either way. */
export interface Outcome {
  exitCode: number;
  /** The --json document. */
  json: object;
  text: OutputLines[];
}

export interface OutputFlags {
  json: boolean;
  quiet: boolean;
}

/** The styles for lines bound for stdout and stderr (colour decided per stream). */
export function outputStyles(): { out: Style; err: Style } {
  return { out: makeStyle(wantsColour(process.stdout)), err: makeStyle(wantsColour(process.stderr)) };
}

export function printOutcome(outcome: Outcome, flags: OutputFlags): void {
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(outcome.json, null, 2)}\n`);
    return;
  }
  for (const { stream, wrong, lines } of outcome.text) {
    if (flags.quiet && !wrong) continue;
    if (lines.length > 0) (stream === 'err' ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);
  }
}

/** Arguments that named nothing usable, as `reprodist: ...` lines on stderr. */
export function problemLines(problems: readonly string[]): OutputLines[] {
  return problems.map((problem) => ({ stream: 'err', wrong: true, lines: [`reprodist: ${problem}`] }));
}

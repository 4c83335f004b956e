// What every verb prints, and the one printer for it: a JSON document on stdout with --json, else
// human lines, stdout for results and stderr for failures; --quiet keeps only the first line of each
// piece that says something is wrong (one line per failing file). Colour only on a terminal, and
// never when NO_COLOR is set (https://no-color.org).
//
// Lines carry text that comes from archives (member names, messages, diffs of their contents): the
// printer escapes every control character in them, so a member name holding a newline cannot start a
// line of its own (a GitHub Actions `::error::` command, say) and an escape sequence never reaches
// the terminal. The only escape sequences left are, on a terminal, the few colour codes this module
// uses (bold, dim, red, green, yellow, cyan, reset): one of those inside a name stays too, so at
// worst a name changes colour; nothing else (cursor moves, titles, clears, links) gets through.
import { MAX_EXAMPLES, everyExample } from '../normalize/index.js';
import type { Change } from '../normalize/index.js';
import { PIECE_CHARACTERS, jsonPieces } from './json-text.js';

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
  lines: Lines;
}

/**
 * Lines to print, read once: a list, or lines made as they are printed (a --verbose list of every example of
 * a change: 100,000 members' examples, each copied at every step that indents it, were 180 MiB).
 */
export type Lines = Iterable<string>;

/** Each line with `prefix` before it, made as it is read. */
export function* indented(prefix: string, lines: Lines, style: (line: string) => string = (line) => line): Generator<string> {
  for (const line of lines) yield `${prefix}${style(line)}`;
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
  /** Every item of every list, not a count and the first few (`--verbose`, declared with the other output flags in cli.ts). */
  verbose?: boolean;
}

/** The styles for lines bound for stdout and stderr (colour decided per stream). */
export function outputStyles(): { out: Style; err: Style } {
  return { out: makeStyle(wantsColour(process.stdout)), err: makeStyle(wantsColour(process.stderr)) };
}

/** The colour sequences makeStyle writes, and only those. */
const OWN_SGR = /^\x1b\[(?:0|1|2|31|32|33|36)m/;
// C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, and the bidirectional
// embeddings, overrides and isolates (which can make a name read as another).
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const code = char.codePointAt(0)!;
  return NAMED[char] ?? (code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`);
}

/**
 * One line made safe to print: every control character (newline, ESC, ...) as `\n`, `\x1b`...
 * With `keepColour`, the colour sequences this module writes are kept as they are.
 */
export function escapeLine(line: string, keepColour = false): string {
  if (!keepColour) return line.replace(CONTROL, escapeOne);
  let out = '';
  let rest = line;
  for (;;) {
    const at = rest.indexOf('\x1b');
    if (at < 0) return out + rest.replace(CONTROL, escapeOne);
    out += rest.slice(0, at).replace(CONTROL, escapeOne);
    const own = OWN_SGR.exec(rest.slice(at));
    out += own ? own[0] : '\\x1b';
    rest = rest.slice(at + (own ? own[0].length : 1));
  }
}

/** The lines the printer writes for one outcome, per stream (--json aside), made as they are printed. */
export function* outcomeLines(outcome: Outcome, quiet: boolean, colour: { out: boolean; err: boolean } = { out: false, err: false }): Generator<{ stream: 'out' | 'err'; text: string }> {
  for (const { stream, wrong, lines } of outcome.text) {
    if (quiet && !wrong) continue;
    for (const line of lines) {
      yield { stream, text: escapeLine(line, colour[stream]) };
      if (quiet) break;
    }
  }
}

/**
 * Prints the outcome as it is made: a --json document a piece at a time (each change's examples one
 * at a time), text a line at a time, each written once the stream has room.
 */
export async function printOutcome(outcome: Outcome, flags: OutputFlags): Promise<void> {
  if (flags.json) {
    for (const piece of jsonPieces(outcome.json, (owner, key) => (key === 'all' ? everyExample(owner) : undefined))) await written(process.stdout, piece);
    return;
  }
  const colour = { out: wantsColour(process.stdout), err: wantsColour(process.stderr) };
  // Lines are gathered into pieces, a stream's run of lines at a time (stdout's and stderr's stay in order).
  let held = '';
  let heldFor: NodeJS.WriteStream = process.stdout;
  for (const { stream, text } of outcomeLines(outcome, flags.quiet, colour)) {
    const target = stream === 'err' ? process.stderr : process.stdout;
    if (target !== heldFor || held.length >= PIECE_CHARACTERS) {
      if (held) await written(heldFor, held);
      held = '';
      heldFor = target;
    }
    held += `${text}\n`;
  }
  if (held) await written(heldFor, held);
}

/**
 * Writes `text`, and waits while the stream holds more than it wants: a pipe is written as its reader
 * takes it, and a reader slower than the writing (a pager, a busy parent) would have the output pile
 * up in memory, up to all of it (the lines of a --verbose compare of 100,000 members: 168 MiB).
 */
async function written(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (stream.write(text)) return;
  // No 'drain' comes once the stream has failed or closed (a reader gone: survivePipes).
  await new Promise<void>((resolve) => {
    const events = ['drain', 'close', 'error'] as const;
    const done = () => {
      for (const event of events) stream.off(event, done);
      resolve();
    };
    for (const event of events) stream.on(event, done);
  });
}

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * A reader that goes away (`reprodist check | head -1`) is no error: output to a closed pipe is
 * dropped, and the run ends as it would have, with its usual exit status and no stack trace. Any
 * other write error ends the run with one line and exit 2.
 */
export function survivePipes(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
        // Nothing more can be read from it: write nowhere from now on.
        stream.write = (() => true) as typeof stream.write;
        return;
      }
      try {
        process.stderr.write(`reprodist: cannot write output: ${error.message}\n`);
      } finally {
        process.exit(2);
      }
    });
  }
}

/** Arguments that named nothing usable, as `reprodist: ...` lines on stderr. */
export function problemLines(problems: readonly string[]): OutputLines[] {
  return problems.map((problem) => ({ stream: 'err', wrong: true, lines: [`reprodist: ${problem}`] }));
}

/** A change's summary: its every example is read, one at a time, only when every example is shown (100,000 members make it long). */
export function summarizeChange(heading: string, change: Change, verbose: boolean): Lines {
  return summarize(heading, change.examples, verbose, change.count, verbose ? (everyExample(change) ?? change.all) : change.examples);
}

/**
 * Every list in human output, summarized one way: the heading with a count, the first
 * MAX_EXAMPLES items on the same line and how many more there are; with `verbose`, every item on
 * a line of its own, from `every`, read as the lines are printed. (`--json` holds the full lists.)
 * `total` is the list's length when `items` are only its first MAX_EXAMPLES.
 */
export function summarize(heading: string, items: readonly string[], verbose: boolean, total = items.length, every: Iterable<string> = items): Lines {
  if (total === 0) return [];
  const count = total > 1 ? ` [${total}]` : '';
  if (verbose && total > MAX_EXAMPLES) return everyLine(`${heading}${count}:`, every);
  const hidden = total - MAX_EXAMPLES;
  const more = hidden > 0 ? `, ... (${hidden} more; --verbose lists all)` : '';
  return [`${heading}${count}: ${items.slice(0, MAX_EXAMPLES).join(', ')}${more}`];
}

/** A heading line, then each item on a line of its own. */
function* everyLine(heading: string, items: Iterable<string>): Generator<string> {
  yield heading;
  yield* indented('  ', items);
}

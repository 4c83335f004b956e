// The progress display draws on a terminal only, and names and status text come from archives and
// the network: an escape sequence in them must reach the terminal as visible text, not as a command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress } from '../../src/commands/progress.js';

/** A terminal-like stream that keeps what is written to it. */
function capturingTerminal(): { stream: NodeJS.WriteStream; written: () => string } {
  const chunks: string[] = [];
  const stream = { isTTY: true, columns: 200, write: (chunk: string) => chunks.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, written: () => chunks.join('') };
}

test('status text is escaped: no escape sequence from a name reaches the terminal', () => {
  const terminal = capturingTerminal();
  const progress = createProgress({}, terminal.stream);
  progress.status('downloading evil\x1b]0;owned\x07-1.0.tar.gz\nline');
  progress.stop();
  const written = terminal.written();
  // The display's own sequences (carriage return, erase line) stay; the name's ESC, BEL and newline do not.
  assert.equal(written.replace(/\r\x1b\[K/g, ''), 'downloading evil\\x1b]0;owned\\x07-1.0.tar.gz\\nline');
});

test('no display when piped, with --json or with --quiet', () => {
  for (const flags of [{ json: true }, { quiet: true }]) {
    const terminal = capturingTerminal();
    const progress = createProgress(flags, terminal.stream);
    progress.status('x');
    progress.stop();
    assert.equal(terminal.written(), '');
  }
  const piped = capturingTerminal();
  (piped.stream as { isTTY: boolean }).isTTY = false;
  createProgress({}, piped.stream).status('x');
  assert.equal(piped.written(), '');
});

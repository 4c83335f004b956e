// The docs cannot drift: every code block in README.md and docs/ marked `<!-- runnable -->` (the line
// before its fence) runs here, offline, with the CLI as built. A `sh` block must exit 0. A `console`
// block is a transcript: each line after `$ ` is a command, run by bash, and what it prints (stdout,
// then stderr) must be the lines below it up to the next `$ `, exactly: nothing is normalized, so
// updating a transcript is pasting what the command printed (a failure shows it).
//
// Each markdown file is one session, as a reader follows it: its blocks run in order in one scratch
// directory, so a block sees what the blocks above it wrote. That directory is both a checkout and a
// project just built: `fixtures/` (a copy), `bin/` (the checkout's, so `bin/reprodist` runs the
// built dist/), and `dist/` holding the setuptools build of the fixture project, raw
// (fixtures/dist/*+setuptools*, version `1.0.0+setuptools`). `reprodist` and `npx reprodist` run
// this checkout's bin/reprodist (a shim on PATH), the way they would after installing it. TZ is UTC
// and SOURCE_DATE_EPOCH unset, so the default epoch applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, envWithout, run, tmpDir } from '../helpers/tools.js';

export const MARKER = '<!-- runnable -->';

export interface RunnableBlock {
  file: string;
  /** 1-based line of the fence. */
  line: number;
  lang: 'sh' | 'console';
  body: string;
}

/** Every block marked runnable in `markdown`; a marker not followed by a sh or console fence is an error. */
export function runnableBlocks(file: string, markdown: string): RunnableBlock[] {
  const lines = markdown.split('\n');
  const blocks: RunnableBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== MARKER) continue;
    let at = i + 1;
    while (at < lines.length && lines[at]!.trim() === '') at++;
    const fence = /^```(sh|console)\s*$/.exec(lines[at] ?? '');
    if (!fence) throw new Error(`${file}:${i + 1}: ${MARKER} must be followed by a \`\`\`sh or \`\`\`console block`);
    const end = lines.indexOf('```', at + 1);
    if (end < 0) throw new Error(`${file}:${at + 1}: unterminated block`);
    blocks.push({ file, line: at + 1, lang: fence[1] as 'sh' | 'console', body: lines.slice(at + 1, end).join('\n') });
  }
  return blocks;
}

function markdownFiles(): string[] {
  const found = [join(REPO_ROOT, 'README.md')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.md')) found.push(join(dir, entry.name));
    }
  };
  walk(join(REPO_ROOT, 'docs'));
  return found.sort();
}

/** The raw build a session's dist/ holds, from fixtures/dist/. */
const BUILT_WITH = '+setuptools';

/** A session's scratch directory (see the top of this file) and the environment its blocks run in. */
function sandbox(t: Parameters<typeof tmpDir>[0]): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tmpDir(t, 'reprodist-docs-');
  const fixtures = join(REPO_ROOT, 'fixtures');
  cpSync(fixtures, join(dir, 'fixtures'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'bin'), join(dir, 'bin'));
  mkdirSync(join(dir, 'dist'));
  for (const name of readdirSync(join(fixtures, 'dist')).filter((n) => n.includes(BUILT_WITH))) copyFileSync(join(fixtures, 'dist', name), join(dir, 'dist', name));
  const shims = join(dir, '.shims');
  mkdirSync(shims);
  const cli = join(REPO_ROOT, 'bin', 'reprodist');
  writeFileSync(join(shims, 'reprodist'), `#!/bin/sh\nexec "${cli}" "$@"\n`);
  // Only `npx reprodist ...`: anything else would need the network.
  writeFileSync(join(shims, 'npx'), `#!/bin/sh\n[ "$1" = reprodist ] || { echo "docs test: npx $1 is not offline" >&2; exit 127; }\nshift\nexec "${cli}" "$@"\n`);
  for (const shim of ['reprodist', 'npx']) chmodSync(join(shims, shim), 0o755);
  const env = envWithout({ PATH: `${shims}:${process.env.PATH}`, NO_COLOR: '1', TZ: 'UTC' }, ['SOURCE_DATE_EPOCH', 'CI', 'GITHUB_ACTIONS']);
  return { dir, env };
}

/** A console block's commands and the output each must print. */
function transcript(body: string): { command: string; expected: string }[] {
  const steps: { command: string; expected: string[] }[] = [];
  for (const line of body.split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: [] });
    else if (steps.length > 0) steps.at(-1)!.expected.push(line);
    else throw new Error(`a console block starts with "$ ": ${line}`);
  }
  return steps.map(({ command, expected }) => ({ command, expected: expected.join('\n') }));
}

const blocks = markdownFiles().flatMap((file) => runnableBlocks(relative(REPO_ROOT, file), readFileSync(file, 'utf8')));

test('runnable blocks are found where the docs promise them', () => {
  const files = new Set(blocks.map((b) => b.file));
  for (const file of ['README.md', 'docs/getting-started.md', 'docs/digest.md']) assert.ok(files.has(file), `${file} has a runnable block`);
  // The walk-through of normalize, check and --json.
  assert.ok(blocks.filter((b) => b.file === 'docs/getting-started.md' && b.lang === 'console').length >= 3, 'getting-started.md runs its transcripts');
  assert.throws(() => runnableBlocks('x.md', `${MARKER}\n\n\`\`\`yaml\na: 1\n\`\`\`\n`), /must be followed by/);
  assert.deepEqual(runnableBlocks('x.md', `text\n${MARKER}\n\`\`\`sh\ntrue\n\`\`\`\n\`\`\`sh\nfalse\n\`\`\`\n`), [{ file: 'x.md', line: 3, lang: 'sh', body: 'true' }]);
  assert.deepEqual(transcript('$ a\none\n\ntwo\n$ b'), [{ command: 'a', expected: 'one\n\ntwo' }, { command: 'b', expected: '' }]);
});

function runBlock(block: RunnableBlock, dir: string, env: NodeJS.ProcessEnv): void {
  const where = `${block.file}:${block.line}`;
  if (block.lang === 'sh') {
    const r = run('bash', ['-euo', 'pipefail', '-c', block.body], { cwd: dir, env });
    assert.equal(r.code, 0, `${where} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    return;
  }
  for (const { command, expected } of transcript(block.body)) {
    const r = run('bash', ['-o', 'pipefail', '-c', command], { cwd: dir, env });
    const printed = (r.stdout + r.stderr).replace(/\n$/, '');
    assert.ok(printed === expected, `${where}: $ ${command}\n--- the transcript says\n${expected}\n--- it printed (exit ${r.code})\n${printed}`);
  }
}

for (const file of [...new Set(blocks.map((b) => b.file))]) {
  test(file, async (t) => {
    const { dir, env } = sandbox(t);
    for (const block of blocks.filter((b) => b.file === file)) await t.test(`${block.file}:${block.line} (${block.lang})`, () => runBlock(block, dir, env));
  });
}

// How node runs reprodist, declared once: the environment and the flags of bin/reprodist's first line
// (`#!/usr/bin/env -S NAME=VALUE... node FLAGS`), which npm's shim honours. The bench, the tests'
// memory figures and the Python wrapper (scripts/build-python.mjs writes them into it) read them from
// there.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** bin/reprodist, whose first line holds the environment and the flags. */
export const CLI_SCRIPT = fileURLToPath(new URL('../bin/reprodist', import.meta.url));

/** The first line's words after `env -S`: the assignments, `node`, then the flags. */
function shebangWords() {
  const shebang = readFileSync(CLI_SCRIPT, 'utf8').split('\n', 1)[0];
  const words = shebang.replace(/^#!\S*env -S\s*/, '').split(/\s+/).filter(Boolean);
  const node = words.indexOf('node');
  if (node < 0) throw new Error(`${CLI_SCRIPT}: its first line runs no \`node\``);
  return { assignments: words.slice(0, node), flags: words.slice(node + 1) };
}

/** The node flags of bin/reprodist's first line, in order. */
export function nodeFlags() {
  return shebangWords().flags.filter((flag) => flag.startsWith('--'));
}

/** The variables bin/reprodist's first line sets for node, `{ NAME: 'VALUE' }`. */
export function nodeEnvironment() {
  return Object.fromEntries(shebangWords().assignments.map((assignment) => assignment.split(/=(.*)/s, 2)));
}

/** The command that starts node as bin/reprodist's first line does, for a script to follow: `env NAME=VALUE... node FLAGS`. */
export function nodeLauncher() {
  return ['env', ...shebangWords().assignments, process.execPath, ...nodeFlags()];
}

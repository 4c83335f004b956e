// The flags node runs reprodist with, declared once: on bin/reprodist's first line
// (`#!/usr/bin/env -S node FLAGS`), which npm's shim honours. The bench, the tests' memory figures
// and the Python wrapper (scripts/build-python.mjs writes them into it) read them from there.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** bin/reprodist, whose first line holds the flags. */
export const CLI_SCRIPT = fileURLToPath(new URL('../bin/reprodist', import.meta.url));

/** The node flags of bin/reprodist's first line, in order. */
export function nodeFlags() {
  const shebang = readFileSync(CLI_SCRIPT, 'utf8').split('\n', 1)[0];
  return shebang.replace(/^#!\S*env -S node\s*/, '').split(/\s+/).filter((flag) => flag.startsWith('--'));
}

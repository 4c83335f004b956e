// What node a launcher starts: a preload, given through NODE_OPTIONS (which reaches every node the
// launcher starts with the environment it is given), writes down each one's argv, environment and
// flags, so that a test can hold the one that ran reprodist to bin/reprodist's first line.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeEnvironment, nodeFlags } from '../../scripts/node-flags.mjs';

export interface NodeStart {
  argv: string[];
  env: Record<string, string>;
  execArgv: string[];
}

/** A probe writing into `dir`: `env` to give the launcher, `starts()` every node started since. */
export function nodeProbe(dir: string): { env: Record<string, string>; starts: () => NodeStart[] } {
  const preload = join(dir, 'probe.cjs');
  const out = join(dir, 'starts.jsonl');
  writeFileSync(preload, "require('node:fs').appendFileSync(process.env.PROBE_OUT, JSON.stringify({ argv: process.argv, env: process.env, execArgv: process.execArgv }) + '\\n');\n");
  return {
    env: { NODE_OPTIONS: `--require ${preload}`, PROBE_OUT: out },
    starts: () => (existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as NodeStart) : []),
  };
}

/** Asserts that `start` ran with the environment and the flags of bin/reprodist's first line. */
export function assertFirstLineApplied(start: NodeStart, label: string): void {
  for (const [variable, value] of Object.entries(nodeEnvironment())) assert.equal(start.env[variable], value, `${label}: ${variable}`);
  assert.deepEqual(start.execArgv, nodeFlags(), label);
}

// Every bad value of every flag of every verb, and every flag given to a verb it does not act on:
// one line on stderr that names the flag, the value and what is allowed (or the verbs it acts on),
// exit 2, nothing on stdout, and nothing written in the directory the files are in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO_ROOT, envWithout, run, sha256File, tmpDir } from '../helpers/tools.js';

const SDIST = 'reprodemo-1.0.0+flit.tar.gz';
const WHEEL = 'reprodemo-1.0.0+flit-py3-none-any.whl';

type VerbName = 'normalize' | 'check' | 'compare' | 'digest' | 'verify' | 'rebuild';
const VERBS: readonly VerbName[] = ['normalize', 'check', 'compare', 'digest', 'verify', 'rebuild'];

/** What each verb is given besides the flag under test, so that only the flag can be wrong. */
const OPERANDS: Record<VerbName, readonly string[]> = {
  normalize: [SDIST],
  check: [SDIST],
  compare: [SDIST, WHEEL],
  digest: [SDIST],
  verify: [SDIST],
  rebuild: ['reprodemo==1.0.0'],
};

const EPOCHS = 'git or whole seconds since 1970 from 315532800 (1980-01-01) to 4354819198 (2107-12-31)';

/** Each flag that takes a value: the verbs it is tried on (with what else it needs), its bad values, what is allowed. */
const VALUE_FLAGS: readonly { flag: string; on: readonly (readonly [VerbName, ...string[]])[]; bad: readonly string[]; allowed: string }[] = [
  { flag: '--epoch', on: [['normalize'], ['check'], ['verify', '--build']], bad: ['junk', '', '12', '1.5', '4354819199', 'GIT'], allowed: EPOCHS },
  { flag: '--mtime', on: [['normalize'], ['check'], ['verify', '--build']], bad: ['foo', '', 'CLAMP', '1'], allowed: 'one of epoch, clamp' },
  { flag: '--level', on: [['normalize'], ['check'], ['verify', '--build']], bad: ['abc', '', '0', '10', '1.5', '-1'], allowed: 'a whole number from 1 to 9' },
  { flag: '--jobs', on: [['normalize'], ['check'], ['rebuild']], bad: ['abc', '', '0', '-2', '2.5'], allowed: 'a whole number of at least 1' },
  { flag: '--attempts', on: [['rebuild']], bad: ['abc', '', '0', '1.5'], allowed: 'a whole number of at least 1' },
  { flag: '--build-timeout', on: [['rebuild']], bad: ['abc', '', '0', '-1'], allowed: 'a number of seconds above 0' },
  { flag: '--diffs', on: [['compare']], bad: ['abc', '', '-1', '1.5'], allowed: 'a whole number of at least 0' },
  { flag: '--diff-lines', on: [['compare']], bad: ['abc', '', '0', '2.5'], allowed: 'a whole number of at least 1' },
  { flag: '--timeout', on: [['verify', '--against', 'http://127.0.0.1:9/'], ['rebuild']], bad: ['abc', '', '0', '-1', '1s'], allowed: 'a number of seconds above 0' },
  { flag: '--max-size', on: [['verify', '--against', 'http://127.0.0.1:9/'], ['rebuild']], bad: ['lots', '', '0', '2X', '-5'], allowed: 'a byte count above 0, optionally with K, M, G or T (binary multiples), such as 500MiB' },
  { flag: '--against', on: [['verify']], bad: ['notaurl', '', 'ftp://example.org/', 'file:///tmp/'], allowed: 'an http or https URL' },
  { flag: '--index-url', on: [['verify', '--pypi', 'reprodemo==1.0.0']], bad: ['pypi.org', '', 'ftp://example.org/'], allowed: 'an http or https URL' },
];

/** The verbs each flag acts on, as the README and the help say: the oracle for "acts only on". */
const OWNERS: Record<string, readonly VerbName[]> = {
  '--out': ['normalize'],
  '--epoch': ['normalize', 'check', 'verify'],
  '--mtime': ['normalize', 'check', 'verify'],
  '--level': ['normalize', 'check', 'verify'],
  '--jobs': ['normalize', 'check', 'rebuild'],
  '-j': ['normalize', 'check'],
  '--diffs': ['compare'],
  '--diff-lines': ['compare'],
  '--html': ['compare', 'verify', 'rebuild'],
  '--against': ['verify'],
  '--pypi': ['verify'],
  '--index-url': ['verify', 'rebuild'],
  '--build': ['verify'],
  '--build-command': ['verify'],
  '--timeout': ['verify', 'rebuild'],
  '--max-size': ['verify', 'rebuild'],
  '--files': ['rebuild'],
  '--source': ['rebuild'],
  '--ref': ['rebuild'],
  '--python': ['rebuild'],
  '--attempts': ['rebuild'],
  '--recipe': ['rebuild'],
  '--save-recipe': ['rebuild'],
  '--attest': ['rebuild'],
  '--list': ['rebuild'],
  '--results': ['rebuild'],
  '--build-timeout': ['rebuild'],
};
/** Flags every verb takes (or refuses through its own rule, --keep-compression: test/cli/config.test.ts). */
const GLOBAL = ['--json', '--quiet', '-q', '--verbose', '-v', '--keep-compression', '--no-keep-compression', '--help', '--version'];
/** Flags that take no value. */
const SWITCHES = new Set(['--build']);

/** Every file under `dir`, with its type, size, mode, mtime and sha256: what "nothing written" compares. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((name) => {
    const path = join(dir, name);
    const info = lstatSync(path);
    return `${name} ${info.mode.toString(8)} ${info.size} ${info.mtimeMs} ${info.isFile() ? sha256File(path) : ''}`;
  });
}

/** A directory holding an sdist and a wheel, and a runner that holds every run to "exit 2, one line, nothing written". */
function fixture(t: Parameters<typeof tmpDir>[0]) {
  const dir = tmpDir(t);
  for (const name of [SDIST, WHEEL]) copyFileSync(join(REPO_ROOT, 'fixtures', 'dist', name), join(dir, name));
  const before = snapshot(dir);
  return (args: readonly string[], message: string) => {
    const r = run(process.execPath, [CLI, ...args], { cwd: dir, env: envWithout() });
    const what = args.join(' ');
    assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, { code: 2, stdout: '', stderr: `reprodist: ${message}\n` }, what);
    assert.deepEqual(snapshot(dir), before, `${what}: nothing written`);
  };
}

const list = (verbs: readonly string[]) => (verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} and ${verbs.at(-1)}` : verbs[0]!);

test('a bad value names the flag, the value as given and what is allowed; exit 2, nothing written', (t) => {
  const refuses = fixture(t);
  for (const { flag, on, bad, allowed } of VALUE_FLAGS) {
    for (const [verb, ...needs] of on) {
      for (const value of bad) refuses([verb, ...needs, flag, value, ...OPERANDS[verb]], `${flag}: ${JSON.stringify(value)} is not ${allowed}`);
    }
    // Written as one argument too.
    const [verb, ...needs] = on[0]!;
    refuses([verb, ...needs, `${flag}=${bad[0]}`, ...OPERANDS[verb]], `${flag}: ${JSON.stringify(bad[0])} is not ${allowed}`);
  }
  // The short alias, and a flag before the verb (yargs reads it there too).
  refuses(['-j', '0', 'check', SDIST], '--jobs: "0" is not a whole number of at least 1');
  refuses(['--level', 'abc', SDIST], '--level: "abc" is not a whole number from 1 to 9');
  // Given twice: refused, rather than one of the two picked.
  refuses(['check', '--level', '3', '--level', '4', SDIST], '--level: given 2 times ("3", "4"); give it once');
  // A flag at the very end has no value at all.
  refuses(['check', SDIST, '--mtime'], '--mtime: "" is not one of epoch, clamp');
  // --pypi is read when verify runs, in the same words.
  refuses(['verify', '--pypi', 'reprodemo>=1', SDIST], '--pypi: "reprodemo>=1" is not NAME==VERSION');
});

test('every flag a verb does not act on names the verbs it acts on; exit 2, nothing written', (t) => {
  const refuses = fixture(t);
  for (const verb of VERBS) {
    // The oracle covers every flag the verb's help shows, so a new flag cannot slip past this test.
    const help = run(process.execPath, [CLI, verb, '--help'], { env: envWithout() });
    assert.equal(help.code, 0, help.stderr);
    // The option column: `  -j, --jobs  ...` or `      --json  ...`.
    const shown = [...help.stdout.matchAll(/^ {2}(?:(-\w), )? *(--[\w-]+)/gm)].flatMap((m) => (m[1] ? [m[1], m[2]!] : [m[2]!]));
    for (const flag of shown) assert.ok(flag in OWNERS || GLOBAL.includes(flag), `${verb} --help shows ${flag}, which this test does not know`);
    for (const [flag, owners] of Object.entries(OWNERS)) {
      assert.equal(shown.includes(flag), owners.includes(verb), `${verb} --help ${owners.includes(verb) ? 'lacks' : 'shows'} ${flag}`);
      if (owners.includes(verb)) continue;
      const given = SWITCHES.has(flag) ? [flag] : [flag, '1'];
      refuses([verb, ...given, ...OPERANDS[verb]], `${flag} acts only on ${list(owners)}, not on ${verb} (see reprodist ${verb} --help)`);
    }
  }
  // A switch given as --no-...: named so.
  refuses(['check', '--no-build', SDIST], '--no-build acts only on verify, not on check (see reprodist check --help)');
  // Before the verb, as yargs reads it there too.
  refuses(['--out', 'x', 'compare', SDIST, WHEEL], '--out acts only on normalize, not on compare (see reprodist compare --help)');
});

test('a path that starts with - gets a hint at --, which then reads it as a path', (t) => {
  const refuses = fixture(t);
  for (const verb of ['check', 'digest'] as const) {
    refuses([verb, '-odd.tar.gz'], `-odd.tar.gz was read as options (Unknown arguments: o, d); a path that starts with - goes after --, as in "reprodist ${verb} -- -odd.tar.gz", or is written ./-odd.tar.gz`);
  }
  refuses(['-odd.tar.gz'], '-odd.tar.gz was read as options (Unknown arguments: o, d); a path that starts with - goes after --, as in "reprodist -- -odd.tar.gz", or is written ./-odd.tar.gz');
  const dir = tmpDir(t);
  copyFileSync(join(REPO_ROOT, 'fixtures', 'dist', SDIST), join(dir, '-odd.tar.gz'));
  const r = run(process.execPath, [CLI, 'digest', '--', '-odd.tar.gz'], { cwd: dir, env: envWithout() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^[0-9a-f]{64} {2}-odd\.tar\.gz\n$/);
});

test('paths has one type in the top-level help and under each verb', () => {
  const types = ['', 'normalize', 'check', 'digest'].map((verb) => {
    const help = run(process.execPath, [CLI, ...(verb ? [verb] : []), '--help'], { env: envWithout() });
    return /^ {2}paths .*?(\[\w+\]) \[default: \[\]\]$/m.exec(help.stdout)?.[1];
  });
  assert.deepEqual(types, Array(4).fill('[array]'));
});

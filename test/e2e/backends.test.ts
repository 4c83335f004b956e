// End-to-end: build the fixture project with each backend under two different build conditions,
// normalize the artefacts with `node bin/reprodist --out <dir> <artefact>`, and check that the two
// normalized artefacts are byte-identical, keep their content, stay usable by standard tools, are
// idempotent, and that `reprodist check` tells normalized from raw.

import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BACKENDS, buildProject, type Backend, type BuildCondition } from '../helpers/build.js';
import { contentLines, extractWithDataFilter, tarMembers, verifyRecord, zipMembers } from '../helpers/inspect.js';
import {
  BACKEND_MODULES,
  PYTHON,
  canSwitchUid,
  envWithout,
  requireTools,
  run,
  runCli,
  sha256File,
  tmpDir,
} from '../helpers/tools.js';

const SDE = 1_700_000_000;
const AS_OTHER_USER = canSwitchUid();

/** Baseline: umask 022, UTC, every source file touched to an old date, real clock. */
const CONDITION_A: BuildCondition = { umask: 0o022, tz: 'UTC', sourceMtime: 1_600_000_000 };
/** Everything else different: umask 002, TZ=Asia/Kolkata, clock in 2031, fresh (now) source mtimes, another uid when root. */
const CONDITION_B: BuildCondition = {
  umask: 0o002,
  tz: 'Asia/Kolkata',
  fakeTime: '2031-05-06 07:08:09',
  ...(AS_OTHER_USER ? { uid: 1234 } : {}),
};

type CaseName = 'no SOURCE_DATE_EPOCH' | 'same SOURCE_DATE_EPOCH';
const CASES: readonly CaseName[] = ['no SOURCE_DATE_EPOCH', 'same SOURCE_DATE_EPOCH'];

/** Environment for the CLI in each case (builds in a case use the same SOURCE_DATE_EPOCH, or none). */
function cliEnv(c: CaseName): NodeJS.ProcessEnv {
  return c === 'same SOURCE_DATE_EPOCH' ? envWithout({ SOURCE_DATE_EPOCH: String(SDE) }) : envWithout();
}

type Kind = 'sdist' | 'wheel';
interface Pair {
  a: string;
  b: string;
}

// ---- lazily built, shared between the sdist and wheel suites --------------------------------

const WORK = tmpDir(undefined, 'reprodist-backends-');
const builds = new Map<string, { sdist: string; wheel: string }>();

function built(backend: Backend, c: CaseName, which: 'a' | 'b'): { sdist: string; wheel: string } {
  const key = `${backend}/${c}/${which}`;
  let r = builds.get(key);
  if (!r) {
    const base = which === 'a' ? CONDITION_A : CONDITION_B;
    const condition: BuildCondition = c === 'same SOURCE_DATE_EPOCH' ? { ...base, sourceDateEpoch: SDE } : { ...base };
    const outDir = join(WORK, 'raw', backend, c.replace(/ /g, '-'), which);
    const res = buildProject({ backend, outDir, condition });
    r = { sdist: res.sdist, wheel: res.wheel };
    builds.set(key, r);
  }
  return r;
}

function rawPair(backend: Backend, c: CaseName, kind: Kind): Pair {
  return { a: built(backend, c, 'a')[kind], b: built(backend, c, 'b')[kind] };
}

let outCounter = 0;
/** `node bin/reprodist --out <fresh dir> <input>`; asserts success and returns the output path. */
function normalize(input: string, env: NodeJS.ProcessEnv, extraArgs: string[] = []): string {
  const outDir = join(WORK, 'norm', String(++outCounter));
  mkdirSync(outDir, { recursive: true });
  const r = runCli(['--out', outDir, ...extraArgs, input], { env });
  assert.equal(r.code, 0, `reprodist --out ${outDir} ${input} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const out = join(outDir, basename(input));
  assert.ok(existsSync(out), `expected ${out}; the out dir holds: ${readdirSync(outDir).join(', ')}`);
  return out;
}

const normalized = new Map<string, Pair>();
function normPair(backend: Backend, c: CaseName, kind: Kind): Pair {
  const key = `${backend}/${c}/${kind}`;
  let p = normalized.get(key);
  if (!p) {
    const raw = rawPair(backend, c, kind);
    p = { a: normalize(raw.a, cliEnv(c)), b: normalize(raw.b, cliEnv(c)) };
    normalized.set(key, p);
  }
  return p;
}

function assertSameBytes(x: string, y: string, what: string): void {
  const bx = readFileSync(x);
  const by = readFileSync(y);
  assert.ok(bx.equals(by), `${what}: ${x} (${sha256File(x)}, ${bx.length} B) != ${y} (${sha256File(y)}, ${by.length} B)`);
}

function buildTools(backend: Backend): string[] {
  const tools = ['py:build', BACKEND_MODULES[backend]!, 'faketime'];
  if (AS_OTHER_USER) tools.push('setpriv');
  return tools;
}

/**
 * Raw pairs that must differ (per shared/reference/nondeterminism.md and measured here), or the
 * test would prove nothing. hatchling is reproducible on its own; its pairs are only reported.
 */
function mustDiffer(backend: Backend, kind: Kind, c: CaseName): boolean {
  const noSde = c === 'no SOURCE_DATE_EPOCH';
  switch (backend) {
    case 'setuptools':
      // sdists differ in every condition; wheels by time without SDE, by umask (zip external_attr) with it.
      return kind === 'sdist' || noSde || CONDITION_B.umask !== CONDITION_A.umask;
    case 'flit':
      // without SDE: gzip MTIME (sdist), source mtimes / localtime (wheel); with SDE flit_core is reproducible.
      return noSde;
    case 'poetry':
      // poetry-core 1.4 puts source mtimes into the sdist and ignores SDE; its wheels use a fixed date.
      return kind === 'sdist';
    default:
      return false;
  }
}

function rawDiffer(t: TestContext, backend: Backend, kind: Kind): void {
  for (const c of CASES) {
    const raw = rawPair(backend, c, kind);
    const differ = !readFileSync(raw.a).equals(readFileSync(raw.b));
    t.diagnostic(`${backend} ${kind} raw builds (${c}): ${differ ? 'differ' : 'already identical'}`);
    if (mustDiffer(backend, kind, c)) {
      assert.ok(differ, `${backend} raw ${kind}s (${c}) were expected to differ; conditions did not take effect`);
    }
  }
}

function checkExitCodes(backend: Backend, kind: Kind): void {
  for (const c of CASES) {
    const env = cliEnv(c);
    const raw = rawPair(backend, c, kind);
    const norm = normPair(backend, c, kind);
    for (const p of [norm.a, norm.b]) {
      const r = runCli(['check', p], { env });
      assert.equal(r.code, 0, `check ${p} (normalized, ${c}) exited ${r.code}\n${r.stdout}${r.stderr}`);
    }
    for (const [p, n] of [[raw.a, norm.a], [raw.b, norm.b]] as const) {
      const alreadyNormal = readFileSync(p).equals(readFileSync(n));
      const r = runCli(['check', p], { env });
      assert.equal(r.code, alreadyNormal ? 0 : 1, `check ${p} (raw, ${c}, ${alreadyNormal ? 'already normal' : 'not normal'}) exited ${r.code}\n${r.stdout}${r.stderr}`);
    }
    if (backend === 'setuptools') {
      assert.ok(!readFileSync(raw.a).equals(readFileSync(norm.a)), 'a raw setuptools artefact cannot already be normal');
    }
  }
}

function idempotent(backend: Backend, kind: Kind): void {
  for (const c of CASES) {
    const norm = normPair(backend, c, kind);
    const again = normalize(norm.a, cliEnv(c));
    assertSameBytes(norm.a, again, `${backend} ${kind} normalized twice (${c})`);
  }
}

// ---- sdists -----------------------------------------------------------------------------------

describe('sdists from real backends', () => {
  for (const backend of BACKENDS) {
    describe(backend, () => {
      it('builds under two conditions (raw pairs differ where the reference says so)', (t) => {
        if (!requireTools(t, ...buildTools(backend))) return;
        rawDiffer(t, backend, 'sdist');
      });

      for (const c of CASES) {
        it(`normalizes both builds to identical bytes (${c})`, (t) => {
          if (!requireTools(t, ...buildTools(backend))) return;
          const norm = normPair(backend, c, 'sdist');
          assertSameBytes(norm.a, norm.b, `${backend} sdists normalized (${c})`);
        });
      }

      it('keeps names, types, contents and exec bits (Python tarfile view)', (t) => {
        if (!requireTools(t, ...buildTools(backend))) return;
        for (const c of CASES) {
          for (const which of ['a', 'b'] as const) {
            const raw = rawPair(backend, c, 'sdist')[which];
            const norm = normPair(backend, c, 'sdist')[which];
            const before = contentLines(tarMembers(raw));
            const after = contentLines(tarMembers(norm));
            assert.deepEqual(after, before, `${backend} sdist content changed (${c}, build ${which})`);
            assert.ok(after.some((l) => l.startsWith('F reprodemo-1.0.0/src/reprodemo/scripts/run-demo.sh x ')), 'exec script lost its x bit');
            assert.ok(after.some((l) => l.includes('données.txt')), 'non-ASCII name missing');
          }
        }
      });

      it('GNU tar lists and extracts it', (t) => {
        if (!requireTools(t, ...buildTools(backend), 'tar', 'gzip')) return;
        for (const c of CASES) {
          const norm = normPair(backend, c, 'sdist').a;
          const list = run('tar', ['-tzf', norm], { env: envWithout({ LC_ALL: 'C.UTF-8' }) });
          assert.equal(list.code, 0, `tar -tzf failed: ${list.stderr}`);
          const names = list.stdout.split('\n').filter(Boolean);
          assert.ok(names.every((n) => n.startsWith('reprodemo-1.0.0/')), `one top directory expected: ${names.join(', ')}`);
          assert.ok(names.some((n) => Buffer.byteLength(n) > 100), 'the >100-byte member path is missing');
          const dest = tmpDir(t);
          const x = run('tar', ['-xzf', norm, '-C', dest], { env: envWithout({ LC_ALL: 'C.UTF-8' }) });
          assert.equal(x.code, 0, `tar -xzf failed: ${x.stderr}`);
          const script = join(dest, 'reprodemo-1.0.0/src/reprodemo/scripts/run-demo.sh');
          assert.ok(statSync(script).mode & 0o100, 'extracted script is not executable');
          assert.ok(existsSync(join(dest, 'reprodemo-1.0.0/src/reprodemo/data/données.txt')));
        }
      });

      it("extracts with tarfile's data filter", (t) => {
        if (!requireTools(t, ...buildTools(backend))) return;
        for (const c of CASES) {
          const norm = normPair(backend, c, 'sdist').a;
          const dest = tmpDir(t);
          const r = extractWithDataFilter(norm, dest);
          assert.equal(r.code, 0, `extractall(filter='data') failed: ${r.stderr}`);
          t.diagnostic(`filter: ${r.filter}`);
          const script = r.extracted.find((e) => e.name.endsWith('scripts/run-demo.sh'));
          assert.ok(script && script.mode & 0o100, 'data filter extraction lost the x bit');
        }
      });

      it('is idempotent (normalizing the normal form changes nothing)', (t) => {
        if (!requireTools(t, ...buildTools(backend))) return;
        idempotent(backend, 'sdist');
      });

      it('`reprodist check` exits 0 on normalized and 1 on raw sdists', (t) => {
        if (!requireTools(t, ...buildTools(backend))) return;
        checkExitCodes(backend, 'sdist');
      });

      if (backend === 'setuptools') {
        it('the normalized sdist still builds a wheel with pip', (t) => {
          if (!requireTools(t, ...buildTools(backend), 'py:pip', 'py:wheel')) return;
          for (const c of CASES) {
            const norm = normPair(backend, c, 'sdist').a;
            const w = tmpDir(t);
            const r = run(
              PYTHON,
              ['-m', 'pip', 'wheel', '--no-index', '--no-build-isolation', '--no-deps', '-w', w, norm],
              { env: envWithout({ PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' }) },
            );
            assert.equal(r.code, 0, `pip wheel failed:\n${r.stdout}\n${r.stderr}`);
            assert.ok(readdirSync(w).some((f) => f.endsWith('.whl')), 'pip wheel produced no wheel');
          }
        });
      }
    });
  }
});

// ---- wheels -----------------------------------------------------------------------------------

describe('wheels from real backends', () => {
  for (const backend of BACKENDS) {
    describe(backend, () => {
      it('builds under two conditions (raw pairs differ where the reference says so)', (t) => {
        if (!requireTools(t, ...buildTools(backend))) return;
        rawDiffer(t, backend, 'wheel');
      });

      for (const c of CASES) {
        it(`normalizes both builds to identical bytes (${c})`, (t) => {
          if (!requireTools(t, ...buildTools(backend))) return;
          const norm = normPair(backend, c, 'wheel');
          assertSameBytes(norm.a, norm.b, `${backend} wheels normalized (${c})`);
        });
      }

      it('passes unzip -t', (t) => {
        if (!requireTools(t, ...buildTools(backend), 'unzip')) return;
        for (const c of CASES) {
          for (const p of Object.values(normPair(backend, c, 'wheel'))) {
            const r = run('unzip', ['-t', p]);
            assert.equal(r.code, 0, `unzip -t ${p} failed:\n${r.stdout}\n${r.stderr}`);
          }
        }
      });

      it('keeps names, contents and exec bits (Python zipfile view)', (t) => {
        if (!requireTools(t, ...buildTools(backend))) return;
        for (const c of CASES) {
          for (const which of ['a', 'b'] as const) {
            const before = contentLines(zipMembers(rawPair(backend, c, 'wheel')[which]));
            const after = contentLines(zipMembers(normPair(backend, c, 'wheel')[which]));
            assert.deepEqual(after, before, `${backend} wheel content changed (${c}, build ${which})`);
            assert.ok(after.some((l) => l.startsWith('F reprodemo/scripts/run-demo.sh x ')), 'exec script lost its x bit');
          }
        }
      });

      it('RECORD still verifies against every member', (t) => {
        if (!requireTools(t, ...buildTools(backend))) return;
        for (const c of CASES) {
          for (const p of Object.values(normPair(backend, c, 'wheel'))) {
            const v = verifyRecord(p);
            assert.deepEqual(v.problems, [], `RECORD problems in ${p}`);
          }
        }
      });

      it('keeps .dist-info/ at the end of the archive and RECORD last', (t) => {
        if (!requireTools(t, ...buildTools(backend))) return;
        for (const c of CASES) {
          const v = verifyRecord(normPair(backend, c, 'wheel').a);
          const firstDistInfo = v.names.findIndex((n) => n.startsWith('reprodemo-1.0.0.dist-info/'));
          assert.ok(firstDistInfo >= 0, 'no .dist-info/ members');
          assert.ok(
            v.names.slice(firstDistInfo).every((n) => n.startsWith('reprodemo-1.0.0.dist-info/')),
            `.dist-info/ members are not at the end: ${v.names.join(', ')}`,
          );
          assert.equal(v.last_member, v.record, 'RECORD is not the last member');
        }
      });

      it('installs with pip --target and imports', (t) => {
        if (!requireTools(t, ...buildTools(backend), 'py:pip')) return;
        for (const c of CASES) {
          const p = normPair(backend, c, 'wheel').a;
          const target = tmpDir(t);
          const env = envWithout({ PIP_NO_CACHE_DIR: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' });
          const r = run(PYTHON, ['-m', 'pip', 'install', '--no-index', '--no-deps', '--target', target, p], { env });
          assert.equal(r.code, 0, `pip install failed:\n${r.stdout}\n${r.stderr}`);
          const imp = run(PYTHON, ['-c', 'import reprodemo, reprodemo.sub.maths as m; print(reprodemo.greet("CI"), m.add(2, 3))'], {
            env: { ...env, PYTHONPATH: target, PYTHONDONTWRITEBYTECODE: '1' },
          });
          assert.equal(imp.code, 0, imp.stderr);
          assert.equal(imp.stdout.trim(), 'Hello, CI! 5');
          assert.ok(statSync(join(target, 'reprodemo/scripts/run-demo.sh')).mode & 0o100, 'installed script is not executable');
          assert.ok(existsSync(join(target, 'reprodemo/data/données.txt')), 'non-ASCII data file not installed');
        }
      });

      it('is idempotent (normalizing the normal form changes nothing)', (t) => {
        if (!requireTools(t, ...buildTools(backend))) return;
        idempotent(backend, 'wheel');
      });

      it('`reprodist check` exits 0 on normalized and 1 on raw wheels', (t) => {
        if (!requireTools(t, ...buildTools(backend))) return;
        checkExitCodes(backend, 'wheel');
      });
    });
  }
});

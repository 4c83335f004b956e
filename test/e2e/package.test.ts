// The npm package as users get it: `npm pack` holds the built code, bin, README, docs, LICENSE and
// package.json and nothing else; installed into an empty project, its CLI runs through npx and its
// API imports from ESM (and type-checks from TypeScript).
//
// `npm pack --ignore-scripts` packs the dist/ that `npm test` has just built (publishing runs the
// same build through `prepare`). The install is `--prefer-offline`: the dependencies come from the
// npm cache filled by `npm ci`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, run, runCli, runOk, sha256File, tmpDir } from '../helpers/tools.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const RAW = join(REPO_ROOT, 'fixtures', 'dist');
const SDIST = join(RAW, 'reprodemo-1.0.0+setuptools.tar.gz');
const WHEEL = join(RAW, 'reprodemo-1.0.0+hatchling-py3-none-any.whl');
/** The bundled CLI that bin/reprodist runs, with its worker and zlib.wasm (scripts/bundle.mjs): built, with no one source. */
const BUNDLE = ['dist/reprodist.cjs', 'dist/worker.js', 'dist/zlib.wasm'];
/** The bundle's other files, each a part that only some runs load (the HTML page, verify's code...), named after its chunk. */
const BUNDLE_PART = /^dist\/reprodist-[\w-]+\.cjs$/;
/** Top-level files that may ship (CHANGELOG.md only if package.json "files" names it). */
const TOP_LEVEL = new Set(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']);

interface PackedFile {
  path: string;
  mode: number;
}

/** Every file under `dir`, relative to it, with forward slashes. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name), base) : [relative(base, join(dir, entry.name)).split('\\').join('/')],
  );
}

function pack(t: Parameters<typeof tmpDir>[0]): { tarball: string; files: PackedFile[] } {
  const destination = tmpDir(t);
  const out = runOk('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: REPO_ROOT });
  const [info] = JSON.parse(out) as [{ filename: string; files: PackedFile[] }];
  return { tarball: join(destination, info.filename), files: info.files };
}

test('npm pack holds only the built files, bin, README, docs, LICENSE and package.json', (t) => {
  const { files } = pack(t);
  const paths = files.map((f) => f.path);
  for (const path of paths) {
    assert.ok(TOP_LEVEL.has(path) || /^(dist|bin|docs)\//.test(path), `packed but not part of the package: ${path}`);
    assert.doesNotMatch(path, /^(src|test|fixtures|bench|native|node_modules|\.ci)\//);
    assert.doesNotMatch(path, /\.tsbuildinfo$|\.test\.|\.map$/);
  }
  for (const path of ['package.json', 'README.md', 'LICENSE', 'bin/reprodist', 'bin/package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cli.js', 'docs/normal-form.md', ...BUNDLE]) {
    assert.ok(paths.includes(path), `missing from the package: ${path}`);
  }
  assert.equal(files.find((f) => f.path === 'bin/reprodist')!.mode & 0o111, 0o111, 'bin/reprodist is executable');
  const parts = walk(join(REPO_ROOT, 'dist')).map((path) => `dist/${path}`).filter((path) => BUNDLE_PART.test(path));
  assert.ok(parts.length > 0, 'the build wrote no part of the bundle beside dist/reprodist.cjs');
  for (const part of parts) assert.ok(paths.includes(part), `missing from the package: ${part}`);

  // The build is complete and nothing stale ships: every source module is there as .js and .d.ts,
  // every packed module has a source, and every other file under src/ (zlib.wasm) is copied.
  const sources = walk(join(REPO_ROOT, 'src'));
  for (const source of sources) {
    if (source.endsWith('.ts')) {
      for (const ext of ['.js', '.d.ts']) assert.ok(paths.includes(`dist/${source.replace(/\.ts$/, ext)}`), `src/${source} is not built into dist/ (${ext})`);
    } else {
      assert.ok(paths.includes(`dist/${source}`), `src/${source} is not copied into dist/`);
    }
  }
  for (const path of paths.filter((p) => p.startsWith('dist/') && !BUNDLE.includes(p) && !BUNDLE_PART.test(p))) {
    const source = path.slice('dist/'.length).replace(/\.d\.ts$|\.js$/, '.ts');
    assert.ok(sources.includes(source) || sources.includes(path.slice('dist/'.length)), `stale build output would be published: ${path} (no src/${source}; remove dist/ and build again)`);
  }
});

test('installed into an empty project: npx reprodist runs, and the API imports from ESM and TypeScript', async (t) => {
  const { tarball } = pack(t);
  const project = tmpDir(t);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`);
  runOk('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, timeout: 600_000 });
  assert.ok(existsSync(join(project, 'node_modules', 'reprodist', 'dist', 'index.js')));
  for (const dev of ['typescript', 'tsx', '@types/node']) assert.ok(!existsSync(join(project, 'node_modules', dev)), `${dev} (a devDependency) was installed`);

  // npx must find the installed bin; offline, it cannot fetch anything else instead.
  const env = { ...process.env, npm_config_offline: 'true', SOURCE_DATE_EPOCH: '' };
  const npx = (...args: string[]) => run('npx', args, { cwd: project, env });
  const version = npx('reprodist', '--version');
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), pkg.version);
  const checked = npx('reprodist', 'check', SDIST);
  assert.equal(checked.code, 1, checked.stderr);
  assert.match(checked.stdout, /not normal .*reprodemo-1\.0\.0\+setuptools\.tar\.gz/);

  // The packed build writes the same bytes as the repository's (so zlib.wasm and the worker shipped).
  const viaNpx = npx('reprodist', 'normalize', '--jobs', '2', '--out', join(project, 'out-npx'), SDIST, WHEEL);
  assert.equal(viaNpx.code, 0, viaNpx.stderr);
  const reference = tmpDir(t);
  const cli = runCli(['normalize', '--out', reference, SDIST, WHEEL], { env });
  assert.equal(cli.code, 0, cli.stderr);
  for (const file of [SDIST, WHEEL]) {
    const name = file.slice(RAW.length + 1);
    assert.equal(sha256File(join(project, 'out-npx', name)), sha256File(join(reference, name)), name);
  }

  // The library from an ES module.
  copyFileSync(SDIST, join(project, 'raw.tar.gz'));
  writeFileSync(join(project, 'use.mjs'), `
import { normalize, check, DEFAULT_EPOCH, UsageError } from 'reprodist';
const before = await check('raw.tar.gz');
const done = await normalize('raw.tar.gz', { out: 'out-api', epoch: DEFAULT_EPOCH });
const after = await check('out-api/raw.tar.gz');
const badLevel = await check([], { level: 12 });
console.log(JSON.stringify({ before: before.results[0].status, done: done.exitCode, after: after.exitCode, badLevel: [badLevel.exitCode, badLevel.problems.length, typeof UsageError] }));
`);
  const api = run(process.execPath, ['use.mjs'], { cwd: project, env });
  assert.equal(api.code, 0, api.stderr);
  assert.deepEqual(JSON.parse(api.stdout), { before: 'not-normal', done: 0, after: 0, badLevel: [2, 1, 'function'] });
  assert.equal(sha256File(join(project, 'out-api', 'raw.tar.gz')), sha256File(join(reference, 'reprodemo-1.0.0+setuptools.tar.gz')));
  // From CommonJS, through import().
  const cjs = run(process.execPath, ['-e', "import('reprodist').then((m) => console.log(typeof m.normalize, typeof m.check))"], { cwd: project, env });
  assert.equal(cjs.stdout.trim(), 'function function', cjs.stderr);

  // The types resolve through package.json "exports" (a wrong call must be an error, not `any`), and
  // every .d.ts they reach type-checks with only reprodist and @types/node installed: no
  // skipLibCheck, so a published type that names a devDependency's (yargs') fails here.
  const typesNode = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', '@types', 'node', 'package.json'), 'utf8')) as { version: string };
  runOk('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `@types/node@${typesNode.version}`], { cwd: project, timeout: 600_000 });
  writeFileSync(join(project, 'use.mts'), `
import { check, compare, digest, normalize, verify } from 'reprodist';
import type { Comparison, DigestReport, Report, ReprodistOptions, Verification } from 'reprodist';
const options: ReprodistOptions = { epoch: 'git', mtime: 'clamp', level: 9, jobs: 1 };
const report: Report = await check(['dist/'], options);
const status: 'normalized' | 'unchanged' | 'refused' | 'error' | 'normal' | 'not-normal' = report.results[0]!.status;
const digests: DigestReport = await digest('dist/');
const comparison: Comparison = await compare('a', 'b', { maxDiffs: 1 });
const verification: Verification = await verify({ local: ['dist/'], pypi: ['x==1'] });
const commands: ['check' | 'normalize', 'digest', 'compare', 'verify'] = [report.command, digests.command, comparison.command, verification.command];
// @ts-expect-error: level is a number
await normalize('dist/', { level: 'nine' });
export { status, commands };
`);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
    files: ['use.mts'],
  }));
  const tsc = run(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project });
  assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr);
});

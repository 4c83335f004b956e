#!/usr/bin/env node
// `npm run build:python`: the Python distribution of reprodist, a py3-none-any wheel and an sdist in
// dist-python/, both in normal form (normalized by the CLI they carry).
//
// python/ is copied to a scratch stage, the bundled CLI and the version from package.json are written
// into it, and Debian's `python3 -m build --no-isolation` (flit_core) builds from there, so nothing is
// generated inside python/ and nothing is fetched.
//
// What goes into src/reprodist/_js/ of the stage:
//   package.json          {"type": "module", "version"}: worker.js is an ES module named .js, and the
//                         CLI reads its version from ../package.json, as it does from dist/ on npm
//   bin/reprodist, bin/package.json
//                         as they are: the start-up script (CommonJS, which bin/package.json says)
//                         that runs ../dist/reprodist.cjs (and its other files) with their code cache
//   dist/cli.js           the file _node.py gives Node.js: it runs ../bin/reprodist
//   dist/reprodist.cjs, dist/reprodist-*.cjs, dist/worker.js, dist/zlib.wasm
//                         the bundled CLI, written by ./bundle.mjs exactly as for npm
//   node_modules/piscina/ the worker pool, as published (its package.json, LICENSE and dist/*.js, *.mjs)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from './bundle.mjs';
import { nodeEnvironment, nodeFlags } from './node-flags.mjs';

/** Debian's interpreter, whose build and flit_core are installed from Debian packages. */
const PYTHON = '/usr/bin/python3';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT_DIR = join(ROOT, 'dist-python');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

// piscina's published files: its thread bootstrap starts our worker by path, so it ships as it is.
const PISCINA_FILES = /^(package\.json|LICENSE|dist([\\/].*)?\.m?js|dist([\\/][^.]*)?)$/;

async function bundle(jsDir) {
  const distDir = join(jsDir, 'dist');
  await bundleCli(distDir);
  writeFileSync(join(jsDir, 'package.json'), `${JSON.stringify({ name: 'reprodist', version, private: true, type: 'module' }, null, 2)}\n`);
  mkdirSync(join(jsDir, 'bin'));
  for (const file of ['reprodist', 'package.json']) copyFileSync(join(ROOT, 'bin', file), join(jsDir, 'bin', file));
  // An ES module (the package's type), so it reaches the CommonJS script through require().
  const cli = join(distDir, 'cli.js');
  writeFileSync(cli, "// Written by scripts/build-python.mjs: runs bin/reprodist.\nimport { createRequire } from 'node:module';\n\ncreateRequire(import.meta.url)('../bin/reprodist');\n");
  const piscinaRoot = join(ROOT, 'node_modules', 'piscina');
  cpSync(piscinaRoot, join(jsDir, 'node_modules', 'piscina'), {
    recursive: true,
    filter: (src) => src === piscinaRoot || PISCINA_FILES.test(relative(piscinaRoot, src)),
  });
  return cli;
}

function runNode(cli, args, cwd) {
  return execFileSync(process.execPath, [...nodeFlags(), cli, ...args], { cwd, env: { ...process.env, ...nodeEnvironment() }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

const stage = mkdtempSync(join(tmpdir(), 'reprodist-python-'));
try {
  const project = join(stage, 'reprodist');
  cpSync(join(ROOT, 'python'), project, { recursive: true, filter: (src) => !/(^|[\\/])(__pycache__|.*\.pyc)$/.test(src) });
  copyFileSync(join(ROOT, 'LICENSE'), join(project, 'LICENSE'));
  const packageDir = join(project, 'src', 'reprodist');
  writeFileSync(join(packageDir, '_version.py'), `# Written by scripts/build-python.mjs from package.json.\n__version__ = ${JSON.stringify(version)}\n`);
  writeFileSync(
    join(packageDir, '_node_flags.py'),
    `# Written by scripts/build-python.mjs from bin/reprodist's first line: the environment and the flags node runs the CLI with.\n` +
      `NODE_ENVIRONMENT = ${JSON.stringify(nodeEnvironment())}\nNODE_FLAGS = tuple(${JSON.stringify(nodeFlags())})\n`,
  );
  const cli = await bundle(join(packageDir, '_js'));

  // The bundle must run on its own: this also proves it finds its version (../package.json).
  const bundledVersion = runNode(cli, ['--version'], project).trim();
  if (bundledVersion !== version) throw new Error(`the bundled CLI says version ${JSON.stringify(bundledVersion)}, package.json ${version}`);

  const built = join(stage, 'built');
  execFileSync(PYTHON, ['-m', 'build', '--no-isolation', '--outdir', built, project], {
    cwd: stage,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PIP_NO_INDEX: '1' },
  });
  const artefacts = readdirSync(built).sort().map((name) => join(built, name));
  if (artefacts.length !== 2 || !artefacts.some((a) => a.endsWith('-py3-none-any.whl')) || !artefacts.some((a) => a.endsWith('.tar.gz'))) {
    throw new Error(`expected one py3-none-any wheel and one sdist, got ${artefacts.map((a) => basename(a)).join(', ')}`);
  }
  // In the project's directory, whose pyproject.toml has no [tool.reprodist]: nothing above it applies.
  runNode(cli, ['normalize', '--quiet', ...artefacts], project);

  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  for (const artefact of artefacts) {
    const to = join(OUT_DIR, basename(artefact));
    copyFileSync(artefact, to);
    const sha256 = createHash('sha256').update(readFileSync(to)).digest('hex');
    process.stdout.write(`${sha256}  dist-python/${basename(artefact)}\n`);
  }
} finally {
  if (!process.env.KEEP_TMP) rmSync(stage, { recursive: true, force: true });
}

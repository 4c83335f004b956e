// The bundled command line: src/cli.ts and every dependency in a few CommonJS files, so that starting
// reprodist reads and compiles one file instead of some 240 (about 0.2 s of CPU saved on a small
// artefact), and so that bin/reprodist can keep V8's compiled code of it on disk: Node compiles a
// script (unlike an ES module) with a code cache on every version we support (see bin/reprodist).
// `npm run build` writes it into dist/ for bin/reprodist (scripts/build.mjs); the Python
// distribution carries the same files (scripts/build-python.mjs).
//
// What a run does not use is not in the file every run reads: esbuild splits the CLI where it
// import()s code (the HTML page, verify's and rebuild's network and build code, the progress bars),
// and each part is a chunk. The chunks every run needs are one file; each other chunk is a file of its
// own, read the first time a run needs it. Each chunk is a CommonJS module body, `define(name,
// function (exports, require, module, __filename, __dirname) {...})`, that imports another chunk as
// require('./<its file name>'); bin/reprodist compiles the files, runs each chunk once and resolves
// those names.
//
// What bundleCli(dir) writes:
//   reprodist.cjs  src/cli.ts with what every run needs: normalize, check, compare, digest, yargs, the
//                 verbs' flags; its chunk reprodist.cjs exports main(). Not piscina (see below).
//   reprodist-*.cjs
//                 the other chunks: the HTML page of --html (diff2html and highlight.js, as much as the
//                 rest of the CLI together), verify's and rebuild's code, cli-progress, and what they share
//   worker.js     the deflate pool's worker: piscina starts it by path (`./worker.js` next to the code
//                 of src/formats/deflate/pool.ts, which is now reprodist.cjs), so it is its own bundle
//   zlib.wasm     read by path next to the code that loads it (src/formats/deflate/zlib-wasm.ts)
import { build, transform } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

// The bundle's inputs, relative to the repository root: the only lines to change when src/ moves.
// The worker's output name is its entry's, the wasm's is its own file name.
const INPUTS = {
  cliEntry: 'src/cli.ts',
  workerEntry: 'src/formats/deflate/worker.ts',
  zlibWasm: 'src/formats/deflate/zlib.wasm',
  pageSheets: 'src/commands/page-sheets.ts',
};

/**
 * The stylesheets the HTML page inlines, as src/commands/page-sheets.ts lists them (compiled here, as
 * it is TypeScript). The bundle carries their text: where it runs there may be no node_modules to
 * read them from (the Python package).
 */
async function pageSheets() {
  const { code } = await transform(readFileSync(join(ROOT, INPUTS.pageSheets), 'utf8'), { loader: 'ts', format: 'esm' });
  const { PAGE_SHEETS } = await import(`data:text/javascript,${encodeURIComponent(code)}`);
  const require = createRequire(import.meta.url);
  return Object.fromEntries(PAGE_SHEETS.map((sheet) => [sheet, readFileSync(require.resolve(sheet), 'utf8')]));
}

/** The bundle's file name, in the directory given to bundleCli(). */
export const CLI_BUNDLE = 'reprodist.cjs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'inline',
  logLevel: 'warning',
  // Less source for V8 to scan when it compiles (about 4% of a small run's instructions without a
  // code cache). Names are kept: yargs and error messages may show them.
  minifyWhitespace: true,
  minifySyntax: true,
  // piscina is not bundled: its thread bootstrap (its own worker.js, started by path) and our worker
  // must share one copy of it, or Piscina.move()'s marker (a Symbol of that copy) goes unrecognized.
  // (The bundle require()s it and the worker imports it: both get piscina's one CommonJS module.)
  external: ['piscina'],
  // yargs's newer string-width (and cliui's) builds an Intl.Segmenter and holds a /\p{RGI_Emoji}/v
  // literal at module level: V8 checks that pattern while it parses, and ICU loads break rules for
  // the segmenter, about 290 million instructions on every start, more than Node's own start-up.
  // Help text is laid out just as well by string-width 4 (the one cli-progress uses), which does
  // neither.
  alias: { 'string-width': 'string-width-cjs' },
};

/**
 * yargs's `import ... from 'assert'` gets scripts/shims/yargs-assert.mjs: yargs is the only module of
 * the command line that imports node:assert, whose loading took 4-8 of a small run's 220 ms.
 */
const yargsAssert = {
  name: 'yargs-assert',
  setup(build) {
    build.onResolve({ filter: /^assert$/ }, ({ importer }) => {
      if (!importer.includes(join('node_modules', 'yargs'))) return undefined;
      return { path: join(ROOT, 'scripts', 'shims', 'yargs-assert.mjs') };
    });
  },
};

/** The CLI's files (see the top of this file), `{ file name: text }`. */
async function cliFiles(dir) {
  const { outputFiles, metafile } = await build({
    ...common,
    entryPoints: { [CLI_BUNDLE.replace(/\.cjs$/, '')]: join(ROOT, INPUTS.cliEntry) },
    outdir: dir,
    write: false,
    metafile: true,
    format: 'esm',
    splitting: true,
    chunkNames: 'reprodist-[name]-[hash]',
    outExtension: { '.js': '.cjs' },
    plugins: [yargsAssert],
    define: {
      // What import.meta.url means in an ES module, for the paths made from it (worker.js, zlib.wasm,
      // ../package.json): the URL of the chunk's file, in `dir` as every chunk is (see moduleBody).
      'import.meta.url': '__reprodistModuleUrl',
      // As a string literal (JSON text), which esbuild puts where it is used, in the HTML page's chunk.
      REPRODIST_BUNDLED_SHEETS: JSON.stringify(JSON.stringify(await pageSheets())),
    },
  });
  // Every run needs the entry's chunk and what it imports (not import()s), and what those import.
  const imports = new Map(Object.entries(metafile.outputs).map(([path, { imports }]) => [basename(path), imports]));
  const everyRun = new Set([CLI_BUNDLE]);
  for (const chunk of everyRun) {
    for (const { path, kind, external } of imports.get(chunk)) if (kind === 'import-statement' && !external) everyRun.add(basename(path));
  }
  const files = {};
  for (const { path, text } of outputFiles) {
    const file = everyRun.has(basename(path)) ? CLI_BUNDLE : basename(path);
    files[file] = (files[file] ?? '') + (await moduleBody(basename(path), text));
  }
  return files;
}

/**
 * One chunk as bin/reprodist runs it: `define(name, function (exports, require, module, __filename,
 * __dirname) {...})`, its imports turned into require() (of Node's modules, piscina, and the other
 * chunks by their file names) and its import()s into require() behind a promise: bin/reprodist
 * compiles each file as a script, where import() would need a loader hook of its own.
 */
async function moduleBody(name, text) {
  const { code } = await transform(text, { format: 'cjs', platform: 'node', target: 'node20', supported: { 'dynamic-import': false }, minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' });
  // "use strict" first, as ES modules are strict.
  return `define(${JSON.stringify(name)}, function (exports, require, module, __filename, __dirname) {"use strict";\nconst __reprodistModuleUrl = require('node:url').pathToFileURL(__filename).href;\n${code}});\n`;
}

/** Writes the CLI's files, its worker and zlib.wasm into `dir`; resolves to the path of CLI_BUNDLE, the file that starts it. */
export async function bundleCli(dir) {
  mkdirSync(dir, { recursive: true });
  // An earlier build's chunks (and an earlier layout's ES module bundle, reprodist.js and
  // reprodist-*.js) would otherwise stay and ship.
  for (const file of readdirSync(dir)) if (/^reprodist(-.*)?\.c?js$/.test(file)) rmSync(join(dir, file));
  for (const [name, text] of Object.entries(await cliFiles(dir))) writeFileSync(join(dir, name), text);
  await build({
    ...common,
    entryPoints: [join(ROOT, INPUTS.workerEntry)],
    outfile: join(dir, `${basename(INPUTS.workerEntry).replace(/\.ts$/, '')}.js`),
    format: 'esm',
    // Bundled CommonJS modules call require() for Node's built-in modules.
    banner: { js: "import { createRequire as __reprodistCreateRequire } from 'node:module';\nconst require = __reprodistCreateRequire(import.meta.url);" },
  });
  copyFileSync(join(ROOT, INPUTS.zlibWasm), join(dir, basename(INPUTS.zlibWasm)));
  return join(dir, CLI_BUNDLE);
}

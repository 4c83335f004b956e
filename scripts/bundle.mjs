// The bundled command line: src/cli.ts and every dependency in one CommonJS file, so that starting
// reprodist reads and compiles one file instead of some 240 (about 0.2 s of CPU saved on a small
// artefact), and so that bin/reprodist can keep V8's compiled code of it on disk: Node compiles a
// script (unlike an ES module) with a code cache on every version we support (see bin/reprodist).
// `npm run build` writes it into dist/ for bin/reprodist (scripts/build.mjs); the Python
// distribution carries the same files (scripts/build-python.mjs).
//
// What bundleCli(dir) writes:
//   reprodist.cjs  src/cli.ts and its dependencies except piscina; exports main(). The HTML page of
//                 compare --html (diff2html and highlight.js, half of the file) is in it but runs only
//                 when a page is asked for; with the code cache its size costs a run almost nothing.
//   worker.js     the deflate pool's worker: piscina starts it by path (`./worker.js` next to the code
//                 of src/formats/deflate/pool.ts, which is now reprodist.cjs), so it is its own bundle
//   zlib.wasm     read by path next to the code that loads it (src/formats/deflate/zlib-wasm.ts)
import { build, transform } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
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

/** Writes the bundle, its worker and zlib.wasm into `dir`; resolves to the bundle's path. */
export async function bundleCli(dir) {
  mkdirSync(dir, { recursive: true });
  // An earlier layout's bundle (an ES module, reprodist.js, with reprodist-*.js chunks) would
  // otherwise stay and ship.
  for (const file of readdirSync(dir)) if (/^reprodist(-.*)?\.js$/.test(file)) rmSync(join(dir, file));
  const sheets = await pageSheets();
  const cli = join(dir, CLI_BUNDLE);
  await build({
    ...common,
    entryPoints: [join(ROOT, INPUTS.cliEntry)],
    outfile: cli,
    format: 'cjs',
    // import('piscina') as require(): bin/reprodist compiles the bundle as a script, where import()
    // would need a loader hook of its own.
    supported: { 'dynamic-import': false },
    // What import.meta.url means in an ES module, for the paths made from it (worker.js, zlib.wasm,
    // ../package.json): the bundle's own URL. "use strict" first, as ES modules are strict (esbuild's
    // own comes after the banner, where it is no longer a directive).
    banner: { js: `"use strict";\nconst __reprodistModuleUrl = require('node:url').pathToFileURL(__filename).href;` },
    define: {
      'import.meta.url': '__reprodistModuleUrl',
      // As a string literal (JSON text), which esbuild puts where it is used, in the HTML page's code.
      REPRODIST_BUNDLED_SHEETS: JSON.stringify(JSON.stringify(sheets)),
    },
  });
  await build({
    ...common,
    entryPoints: [join(ROOT, INPUTS.workerEntry)],
    outfile: join(dir, `${basename(INPUTS.workerEntry).replace(/\.ts$/, '')}.js`),
    format: 'esm',
    // Bundled CommonJS modules call require() for Node's built-in modules.
    banner: { js: "import { createRequire as __reprodistCreateRequire } from 'node:module';\nconst require = __reprodistCreateRequire(import.meta.url);" },
  });
  copyFileSync(join(ROOT, INPUTS.zlibWasm), join(dir, basename(INPUTS.zlibWasm)));
  return cli;
}

// The bundled command line: src/cli.ts and every dependency in one ES module, so that starting
// reprodist reads and compiles one file instead of some 240 (about 0.2 s of CPU saved on a small
// artefact). `npm run build` writes it into dist/ for bin/reprodist (scripts/build.mjs); the Python
// distribution carries the same files (scripts/build-python.mjs).
//
// What bundleCli(dir) writes:
//   reprodist.js  src/cli.ts and its dependencies except piscina; exports main()
//   reprodist-*.js  code loaded only when asked for (the HTML page of compare --html: diff2html and
//                 highlight.js, twice the size of the rest), and what it shares with reprodist.js.
//                 They sit beside reprodist.js so that paths made from import.meta.url (worker.js,
//                 zlib.wasm) mean the same in every piece.
//   worker.js     the deflate pool's worker: piscina starts it by path (`./worker.js` next to the code
//                 of src/formats/deflate/pool.ts, which is now reprodist.js), so it is its own bundle
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
export const CLI_BUNDLE = 'reprodist.js';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  legalComments: 'inline',
  logLevel: 'warning',
  // Less source for V8 to scan on every start (about 4% of a small run's instructions). Names are
  // kept: yargs and error messages may show them.
  minifyWhitespace: true,
  minifySyntax: true,
  // piscina is not bundled: its thread bootstrap (its own worker.js, started by path) and our worker
  // must share one copy of it, or Piscina.move()'s marker (a Symbol of that copy) goes unrecognized.
  external: ['piscina'],
  // yargs's newer string-width (and cliui's) builds an Intl.Segmenter and holds a /\p{RGI_Emoji}/v
  // literal at module level: V8 checks that pattern while it parses, and ICU loads break rules for
  // the segmenter, about 290 million instructions on every start, more than Node's own start-up.
  // Help text is laid out just as well by string-width 4 (the one cli-progress uses), which does
  // neither.
  alias: { 'string-width': 'string-width-cjs' },
  // Bundled CommonJS modules call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __reprodistCreateRequire } from 'node:module';\nconst require = __reprodistCreateRequire(import.meta.url);" },
};

/** Writes the bundle, its worker and zlib.wasm into `dir`; resolves to the bundle's path. */
export async function bundleCli(dir) {
  mkdirSync(dir, { recursive: true });
  const name = CLI_BUNDLE.replace(/\.js$/, '');
  // Chunk names carry a hash of their content: the last build's would otherwise stay and ship.
  for (const file of readdirSync(dir)) if (file.startsWith(`${name}-`) && file.endsWith('.js')) rmSync(join(dir, file));
  const sheets = await pageSheets();
  await build({
    ...common,
    entryPoints: { [name]: join(ROOT, INPUTS.cliEntry) },
    outdir: dir,
    splitting: true,
    chunkNames: `${name}-[name]-[hash]`,
    // As a string literal (JSON text), which esbuild puts where it is used; an object would be hoisted
    // into the chunk that every run loads.
    define: { REPRODIST_BUNDLED_SHEETS: JSON.stringify(JSON.stringify(sheets)) },
  });
  const cli = join(dir, CLI_BUNDLE);
  await build({
    ...common,
    entryPoints: [join(ROOT, INPUTS.workerEntry)],
    outfile: join(dir, `${basename(INPUTS.workerEntry).replace(/\.ts$/, '')}.js`),
  });
  copyFileSync(join(ROOT, INPUTS.zlibWasm), join(dir, basename(INPUTS.zlibWasm)));
  return cli;
}

#!/usr/bin/env node
// `npm run build`, after tsc has compiled src/ into dist/ (the library and its types): zlib.wasm
// beside the compiled deflate code, and the bundled command line that bin/reprodist runs
// (dist/reprodist.js, with its worker.js and zlib.wasm; see ./bundle.mjs).
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleCli } from './bundle.mjs';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

copyFileSync(fileURLToPath(new URL('../src/formats/deflate/zlib.wasm', import.meta.url)), `${DIST}formats/deflate/zlib.wasm`);
await bundleCli(DIST);

// Stock zlib's deflate, compiled to WebAssembly: the compressor of the normal form (see ./stream.ts).
//
// zlib.wasm is zlib 1.2.13 (Debian bookworm's source, the zlib Python links on Debian 12) built by
// native/zlib-wasm/build.sh: freestanding wasm32, no emscripten or WASI, one export that compresses
// one block with fixed parameters (raw deflate, windowBits 15, memLevel 8, default strategy, optional
// preset dictionary, Z_SYNC_FLUSH or Z_FINISH). pako with `legacyHash` is a port of that same code, so
// both give the same bytes: test/unit/zlib-wasm.test.ts holds them to it (test/helpers/pako-deflate.ts).
// The glue hands deflate() its output space in a fixed way (firstOutputSize() below, doubling if that
// is not enough), because in corner cases zlib's bytes depend on it: a repeated Z_SYNC_FLUSH marker
// when a call ends with no output space left, stored-block sizes at level 0 (native/zlib-wasm/glue.c).
//
// The binary is read synchronously, on first use, from `zlib.wasm` next to this module
// (new URL('./zlib.wasm', import.meta.url)): src/formats/deflate/zlib.wasm when running the TypeScript,
// dist/formats/deflate/zlib.wasm when running the build, so the build must copy it there.
//
// Each thread (main or worker) gets its own instance, which compresses one block at a time. Its
// linear memory holds the deflate state (a fixed static arena, reset and zeroed for every block), then
// the dictionary, input and output of the current block: about 2.5 MiB for a 1 MiB block, inside the
// initial 4 MiB. It grows for larger blocks and is then reused; an instance grown past
// MAX_RETAINED_MEMORY by an unusually large block is dropped after that call, so memory stays bounded
// across any number of calls.
import { readFileSync } from 'node:fs';
import { ZLIB_LEVELS } from './job.js';
import type { DeflateBlockJob } from './job.js';

/** Where the binary is read from: next to this module. */
export const ZLIB_WASM_URL = new URL('./zlib.wasm', import.meta.url);

/** An instance whose memory grew beyond this is thrown away after the call that grew it. */
const MAX_RETAINED_MEMORY = 64 * 1024 * 1024;

interface ZlibExports {
  memory: WebAssembly.Memory;
  /** First byte of linear memory free for the caller's buffers. */
  io_base(): number;
  /** Pointer to zlib's NUL-terminated version string. */
  version(): number;
  /** Returns the compressed length, or a negative error (see glue.c). */
  block_deflate(
    level: number,
    dictPtr: number,
    dictLen: number,
    inPtr: number,
    inLen: number,
    outPtr: number,
    outCap: number,
    last: number,
    firstCap: number,
  ): number;
}

const ERR_INIT = -1;
const ERR_DICT = -2;
const ERR_SPACE = -4; // deflate needed more than outCap: never for levels 0-9 (firstOutputSize is a bound)

let compiled: WebAssembly.Module | undefined;
let current: ZlibExports | undefined;

function instance(): ZlibExports {
  if (current) return current;
  if (!compiled) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = readFileSync(ZLIB_WASM_URL);
    } catch (err) {
      throw new Error(
        `cannot read ${ZLIB_WASM_URL.pathname} (built by native/zlib-wasm/build.sh; ` +
          `the build must copy it next to zlib-wasm.js): ${(err as Error).message}`,
      );
    }
    compiled = new WebAssembly.Module(bytes);
  }
  current = new WebAssembly.Instance(compiled, {}).exports as unknown as ZlibExports;
  return current;
}

/** The zlib version compiled into zlib.wasm, e.g. "1.2.13". */
export function zlibWasmVersion(): string {
  const z = instance();
  const mem = new Uint8Array(z.memory.buffer);
  const start = z.version();
  let end = start;
  while (mem[end] !== 0) end++;
  return new TextDecoder().decode(mem.subarray(start, end));
}

/** Bytes of linear memory the current instance holds (0 before first use or after it was dropped). */
export function zlibWasmMemorySize(): number {
  return current ? current.memory.buffer.byteLength : 0;
}

const align16 = (n: number): number => (n + 15) & ~15;

/**
 * The output space of the first deflate() call: deflateBound for raw deflate with the default
 * parameters plus room for the sync flush marker, so that levels 1-9 never run out of it.
 */
export function firstOutputSize(inputLength: number): number {
  return inputLength + (inputLength >> 12) + (inputLength >> 14) + 64;
}

/**
 * Compresses one block of the stream (see DeflateBlockJob in ./job.ts) with stock zlib in
 * WebAssembly. A pure function of the job, so it may run in any thread. The bytes are written into
 * `into` when it is given and long enough (the result is then a view of it), else into a new array.
 */
export function deflateBlockWasm(job: DeflateBlockJob, into?: Uint8Array): Uint8Array {
  return deflateBlockWasmWith(job, firstOutputSize(job.input.length), into);
}

/**
 * deflateBlockWasm() with another size for the first deflate() call's output space (doubled while
 * the block is not done). Only tests need it: it reaches the corner cases where zlib's bytes depend
 * on output space, which firstOutputSize() never hits at levels 0-9.
 */
export function deflateBlockWasmWith(job: DeflateBlockJob, firstCap: number, into?: Uint8Array): Uint8Array {
  const { input, dictionary, level, last } = job;
  // The input contract (the wasm call would truncate 1.5 to 1); which levels a user may ask for is
  // the settings' rule (normalize/options.ts LEVELS), checked before any job is made.
  if (!Number.isInteger(level) || level < ZLIB_LEVELS.min || level > ZLIB_LEVELS.max) {
    throw new RangeError(`deflate: invalid compression level ${level}`);
  }
  if (!Number.isInteger(firstCap) || firstCap < 1) throw new RangeError(`deflate: bad output size ${firstCap}`);
  const z = instance();
  let outCap = firstCap;
  for (;;) {
    const dictPtr = align16(z.io_base());
    const inPtr = align16(dictPtr + dictionary.length);
    const outPtr = align16(inPtr + input.length);
    const end = outPtr + outCap;
    if (end > 0xffff_0000 || outCap > 0x7fff_ffff) {
      throw new RangeError(`deflate: a block of ${input.length} bytes does not fit in 32-bit WebAssembly`);
    }
    const have = z.memory.buffer.byteLength;
    if (end > have) z.memory.grow(Math.ceil((end - have) / 65536));
    const mem = new Uint8Array(z.memory.buffer);
    mem.set(dictionary, dictPtr);
    mem.set(input, inPtr);
    const n = z.block_deflate(
      level, dictPtr, dictionary.length, inPtr, input.length, outPtr, outCap, last ? 1 : 0, firstCap,
    );
    if (n === ERR_SPACE) {
      outCap *= 2;
      continue;
    }
    if (n < 0) {
      const why = n === ERR_INIT ? 'stream error (deflateInit2)' : n === ERR_DICT ? 'deflateSetDictionary' : `error ${n}`;
      throw new Error(`deflate failed: ${why}`);
    }
    const produced = mem.subarray(outPtr, outPtr + n);
    // Into the caller's buffer when it has room (a worker's shared output slot: nothing allocated here).
    const fits = into !== undefined && n <= into.length;
    if (fits) into.set(produced);
    const out = fits ? into.subarray(0, n) : produced.slice();
    if (z.memory.buffer.byteLength > MAX_RETAINED_MEMORY) current = undefined;
    return out;
  }
}

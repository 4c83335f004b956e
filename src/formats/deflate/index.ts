// The deterministic deflate of the normal form (RFC 1951 raw deflate, stock zlib in WebAssembly).
//   job.ts        one block job and the constants that fix the block scheme
//   stream.ts     DeflateStream: a stream cut into blocks, compressed by any BlockCompressor
//   zlib-wasm.ts  stock zlib 1.2.13 compiled to zlib.wasm (native/zlib-wasm/build.sh): one block
//   members.ts    small inputs deflated whole, many to a job
//   pool.ts       the worker threads that compress blocks in parallel; worker.ts runs in each
export { DEFLATE_BLOCK_SIZE, DEFLATE_DICTIONARY_SIZE, ZLIB_LEVELS } from './job.js';
export type { BlockCompressor, DeflateBlockJob } from './job.js';
export { DeflateStream, compressInThisThread } from './stream.js';
export type { DeflateSummary } from './stream.js';
export { NOT_SMALLER, WHOLE_INPUT_BYTES, deflateWholeInThisThread, deflateWholeInput } from './members.js';
export type { WholeDeflateJob, WholeDeflateResult, WholeDeflater } from './members.js';
export { BATCH_SLOT_BYTES, BATCH_SLOT_INPUTS, createDeflatePool, defaultJobs } from './pool.js';
export type { DeflatePool } from './pool.js';

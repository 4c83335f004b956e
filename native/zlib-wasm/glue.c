/*
 * reprodist: freestanding wasm32 glue around stock zlib's deflate.
 *
 * Exports one call, block_deflate(), that compresses one block of the normal form exactly as the
 * test oracle test/helpers/pako-deflate.ts does with pako (a port of this same zlib code): raw
 * deflate (windowBits -15), memLevel 8, default strategy, optional preset dictionary, the whole
 * input in one piece, flushed with Z_SYNC_FLUSH (or Z_FINISH for the last block).
 *
 * Output space is handed to deflate() exactly as that oracle hands it to pako (see
 * block_deflate below). That matters in corner cases: with Z_SYNC_FLUSH, zlib emits a second
 * empty stored block ("repeated flush marker", see zlib.h on Z_SYNC_FLUSH and avail_out > 6)
 * when a deflate() call runs out of output space right at the marker, and at level 0 the
 * stored block sizes follow avail_out. Replaying the same calls makes the bytes the same.
 *
 * No libc (zlib is built with Z_SOLO): memcpy/memset come from the bulk-memory instructions,
 * and every block gets a fresh deflateInit2() state in a static arena that is reset and zeroed
 * first, so a block's bytes cannot depend on what ran before it. Dictionary, input and output
 * live above __heap_base, laid out and grown by the JS side.
 */
#include "zlib.h"

typedef __SIZE_TYPE__ size_t;

/* ---- libc subset: with Z_SOLO zlib calls none of these itself, but the compiler may emit calls
 * to them (it does not with -mbulk-memory; they are here so a build without it still links) ---- */

void *memcpy(void *dest, const void *src, size_t n) {
  __builtin_memcpy(dest, src, n); /* memory.copy with -mbulk-memory */
  return dest;
}

void *memmove(void *dest, const void *src, size_t n) {
  __builtin_memmove(dest, src, n); /* memory.copy handles overlap */
  return dest;
}

void *memset(void *dest, int c, size_t n) {
  __builtin_memset(dest, c, n); /* memory.fill */
  return dest;
}

/* ---- allocator: one bump arena, reset for every block ---- */

/* deflateInit2(windowBits 15, memLevel 8) on wasm32 allocates the state (~5.8 KiB) plus window
 * (64 KiB), prev (64 KiB), head (64 KiB) and pending_buf (64 KiB): about 262 KiB. */
#define ARENA_SIZE (320u * 1024u)
static unsigned char arena[ARENA_SIZE] __attribute__((aligned(16)));
static size_t arena_used;

static void *arena_alloc(size_t n) {
  n = (n + 15u) & ~(size_t)15u;
  if (n > ARENA_SIZE - arena_used) return 0;
  void *p = arena + arena_used;
  arena_used += n;
  __builtin_memset(p, 0, n);
  return p;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size) {
  (void)opaque;
  if (size != 0 && items > (size_t)-1 / size) return 0;
  return arena_alloc((size_t)items * size);
}
static void z_free(voidpf opaque, voidpf p) {
  (void)opaque;
  (void)p;
}

/* ---- exported API ---- */

#define BD_ERR_INIT (-1)    /* deflateInit2 failed (bad level) */
#define BD_ERR_DICT (-2)    /* deflateSetDictionary failed */
#define BD_ERR_DEFLATE (-3) /* deflate() failed */
#define BD_ERR_SPACE (-4)   /* out_cap too small for the replayed buffer growth: call again with more */

extern unsigned char __heap_base;

/* First free byte after the static data and the stack; the JS side lays out buffers from here. */
__attribute__((export_name("io_base"))) unsigned io_base(void) {
  return ((unsigned)(size_t)&__heap_base + 15u) & ~15u;
}

/* zlib version compiled in, as a NUL-terminated string in linear memory. */
__attribute__((export_name("version"))) const char *version(void) { return zlibVersion(); }

/*
 * Compresses in[0..in_len) into out and returns the compressed length, or a negative BD_ERR_*.
 *
 * Output space is handed to deflate() as test/helpers/pako-deflate.ts does with pako:
 * first_cap bytes for one call; if that does not finish the block, the buffer doubles (keeping what
 * was written) and deflate() is called again. Those follow-up calls are where zlib's output could
 * depend on buffer sizes (a repeated Z_SYNC_FLUSH marker when a call ends with avail_out == 0, see
 * zlib.h), so replaying them exactly keeps the bytes equal to pako's in every case. out_cap is the
 * room actually available; if the replayed buffer would outgrow it, BD_ERR_SPACE (nothing partial).
 */
__attribute__((export_name("block_deflate"))) int block_deflate(int level, const unsigned char *dict,
                                                                 unsigned dict_len,
                                                                 const unsigned char *in,
                                                                 unsigned in_len, unsigned char *out,
                                                                 unsigned out_cap, int last,
                                                                 unsigned first_cap) {
  z_stream strm;
  int status;
  const int flush = last ? Z_FINISH : Z_SYNC_FLUSH;
  unsigned total = first_cap; /* size of the buffer deflateBlock() would have now */
  int result;

  arena_used = 0;
  __builtin_memset(&strm, 0, sizeof strm);
  strm.zalloc = z_alloc;
  strm.zfree = z_free;
  if (deflateInit2(&strm, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    arena_used = 0;
    return BD_ERR_INIT;
  }
  if (dict_len > 0 && deflateSetDictionary(&strm, dict, dict_len) != Z_OK) {
    result = BD_ERR_DICT;
    goto done;
  }
  if (first_cap == 0 || first_cap > out_cap) {
    result = BD_ERR_SPACE;
    goto done;
  }
  strm.next_in = (z_const Bytef *)in;
  strm.avail_in = in_len;
  strm.next_out = out;
  strm.avail_out = first_cap;
  for (;;) {
    status = deflate(&strm, flush);
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
      result = BD_ERR_DEFLATE;
      goto done;
    }
    if (last ? status == Z_STREAM_END : strm.avail_in == 0 && strm.avail_out > 0) break;
    if (total > out_cap / 2) {
      result = BD_ERR_SPACE;
      goto done;
    }
    total *= 2;
    strm.avail_out = total - (unsigned)(strm.next_out - out);
  }
  result = (int)(strm.next_out - out);

done:
  deflateEnd(&strm);
  arena_used = 0;
  return result;
}

#!/usr/bin/env bash
# Builds src/formats/deflate/zlib.wasm: stock zlib's deflate compiled to freestanding wasm32 (no
# emscripten, no WASI libc) plus glue.c, which calls deflate() the way the test oracle
# test/helpers/pako-deflate.ts calls pako, so the bytes are the same.
#
# Source: Debian bookworm's zlib 1:1.2.13.dfsg-1, i.e. upstream zlib 1.2.13 (the "dfsg" tarball only
# drops contrib/ and other non-free bits; Debian's two patches touch the build system only, so they
# are not applied). The same zlib that Python 3.11+ links against on Debian 12 (zlib.ZLIB_VERSION).
#   zlib_1.2.13.dfsg.orig.tar.bz2  sha256 71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1
#                                  (sha1 4fec854a7c5fe543e44c12afa365642c0e6b5ded)
# That sha256 is the one listed in the Debian-signed zlib_1.2.13.dfsg-1.dsc
# (sha256 3fa1e6b2fc525062aa88207dda52fed8e045373c809d362fe8a2bfbf7cf515a8); `apt-get source zlib`
# on bookworm with a deb-src line fetches the same tarball. This script fetches it from
# deb.debian.org (snapshot.debian.org's content-addressed copy as fallback), or takes
# $ZLIB_TARBALL, and refuses it unless the sha256 matches.
#
# Toolchain: clang + wasm-ld (Debian 12: apt-get install clang lld; clang 14.0.6 made the committed
# binary). Only the deflate side is compiled: deflate.c trees.c adler32.c zutil.c, with zlib's own
# freestanding switch -DZ_SOLO (no libc headers, caller-supplied zalloc/zfree, zmemcpy/zmemzero as
# plain loops in zutil.c) and -DNO_GZIP, which drops the gzip wrapper code and with it any need for
# crc32.c. Neither touches raw deflate's output; nor does -DUNALIGNED_OK, zlib's switch for a faster
# match comparison (see CFLAGS).
#
# Reproducible: no debug info, no absolute paths (compiled from a temp dir with relative names and
# -ffile-prefix-map), all custom sections stripped, fixed file order. Same source + same clang/lld
# version => same .wasm bytes. The sha256 is printed at the end; EXPECTED_WASM_SHA256 below is what
# clang/lld 14.0.6 give and is checked when that toolchain is in use.
#
# Usage: native/zlib-wasm/build.sh [output.wasm]   (default: src/formats/deflate/zlib.wasm)
set -euo pipefail

ZLIB_VERSION=1.2.13
ZLIB_TARBALL_NAME=zlib_1.2.13.dfsg.orig.tar.bz2
ZLIB_TARBALL_SHA256=71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1
ZLIB_URLS=(
  "http://deb.debian.org/debian/pool/main/z/zlib/${ZLIB_TARBALL_NAME}"
  "https://snapshot.debian.org/file/4fec854a7c5fe543e44c12afa365642c0e6b5ded"
)
ZLIB_FILES=(adler32.c deflate.c deflate.h trees.c trees.h zconf.h zlib.h zutil.c zutil.h)
EXPECTED_TOOLCHAIN="Debian clang version 14.0.6"
EXPECTED_WASM_SHA256=5e4923d303d4845ef52a43c643f8fbbfcd6c58bea7b7bf53ce9a56f2c4740e47

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/src/formats/deflate/zlib.wasm}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
CLANG="${CLANG:-clang}"
WASM_LD="${WASM_LD:-wasm-ld}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- source -------------------------------------------------------------------------------------
cache="${XDG_CACHE_HOME:-$HOME/.cache}/reprodist"
tarball="${ZLIB_TARBALL:-$cache/$ZLIB_TARBALL_NAME}"
if [ ! -f "$tarball" ]; then
  mkdir -p "$(dirname "$tarball")"
  for url in "${ZLIB_URLS[@]}"; do
    echo "fetching $url" >&2
    if curl -fsSL --retry 2 -o "$tarball.part" "$url"; then mv "$tarball.part" "$tarball"; break; fi
  done
fi
[ -f "$tarball" ] || { echo "could not fetch $ZLIB_TARBALL_NAME" >&2; exit 1; }
actual="$(sha256sum "$tarball" | cut -d' ' -f1)"
if [ "$actual" != "$ZLIB_TARBALL_SHA256" ]; then
  echo "sha256 mismatch for $tarball: $actual, expected $ZLIB_TARBALL_SHA256" >&2
  exit 1
fi
mkdir "$work/src"
tar -xjf "$tarball" -C "$work/src" --strip-components=1 \
  "${ZLIB_FILES[@]/#/zlib-${ZLIB_VERSION}.dfsg/}"
cp "$here/glue.c" "$work/src/"

# --- compile ------------------------------------------------------------------------------------
CFLAGS=(
  --target=wasm32-unknown-unknown
  # -O2, not -O3/-flto/-msimd128 (issue #22, measured with callgrind on TurboFan code, 1 MiB blocks
  # of Python source): -O3 and LTO change nothing (+-0.1%); -msimd128 saves 1.3% at level 9 and 6%
  # at level 6 (1.1% of a whole sdist run) with identical bytes, but x64 V8 compiles wasm SIMD only
  # with SSE4.1, so on an older CPU the module would not load at all. Not worth that.
  -O2
  -ffreestanding -nostdlibinc -I.
  -mbulk-memory            # memcpy/memset become memory.copy/memory.fill
  -fno-exceptions -fvisibility=hidden
  -ffile-prefix-map="$work/src"=.
  -DZ_SOLO -DNO_GZIP
  # zlib's own switch for longest_match (deflate.c): compare two bytes at a time, with 16-bit loads
  # (unaligned loads are allowed in WebAssembly). It finds the same match length as the byte loop
  # (the first byte that differs, up to 258), so the same bytes: test/unit/zlib-wasm.test.ts against
  # pako, which ports the byte loop, and the golden hashes. Measured on this build, 1 MiB blocks with
  # their dictionaries: the bench sdist's tar at level 9 9.67 -> 7.91 s, level 6 3.95 -> 3.65 s; 93 MB
  # of a wheel's files and binaries at levels 1-9 the same bytes, level 6 3.34 -> 2.79 s, level 9
  # 15.6 -> 15.3 s (there the time is in walking the hash chains, not in comparing).
  -DUNALIGNED_OK
  -Wall
)
LDFLAGS=(
  --no-entry
  --strip-all              # drops names, producers and all other custom sections
  --gc-sections
  -z stack-size=65536
  --initial-memory=4194304 # grown from JS as blocks need it; no maximum
)
cd "$work/src"
objs=()
for f in adler32.c deflate.c trees.c zutil.c glue.c; do
  "$CLANG" "${CFLAGS[@]}" -c "$f" -o "${f%.c}.o"
  objs+=("${f%.c}.o")
done
"$WASM_LD" "${LDFLAGS[@]}" "${objs[@]}" -o zlib.wasm

sum="$(sha256sum zlib.wasm | cut -d' ' -f1)"
install -m 0644 zlib.wasm "$out"
echo "wrote $out ($(wc -c < zlib.wasm) bytes, sha256 $sum)" >&2
echo "zlib $ZLIB_VERSION; $("$CLANG" --version | head -1); $("$WASM_LD" --version | head -1)" >&2
if [ "$("$CLANG" --version | head -1)" = "$EXPECTED_TOOLCHAIN" ]; then
  if [ "$sum" != "$EXPECTED_WASM_SHA256" ]; then
    echo "warning: $EXPECTED_TOOLCHAIN should give sha256 $EXPECTED_WASM_SHA256" >&2
    exit 2
  fi
  echo "matches the expected sha256 for $EXPECTED_TOOLCHAIN" >&2
fi

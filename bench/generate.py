#!/usr/bin/env python3
"""Generate the benchmark inputs for bench/run.mjs from real files on this machine.

Usage: python3 bench/generate.py KIND OUTPUT
       python3 bench/generate.py series-sdist|series-wheel OUTPUT MEMBERS MEMBER_BYTES
KIND is one of: sdist, wheel, huge-sdist, huge-wheel, tiny-sdist, links-sdist.
The series kinds (bench/scaling.mjs) hold MEMBERS files of MEMBER_BYTES each, cut from real
Python source at different places, 100 files to a directory.

Archives are written the way the usual Python build backends write them:
sdists with tarfile 'w:gz' (pax format, gzip level 9, as setuptools does),
wheels with zipfile deflate level 6 (as bdist_wheel, hatchling and flit do).
Metadata (mtimes, owners, modes) is left as the file system gives it: making
it canonical is reprodist's job.

Prints one line of JSON describing what was written.
"""

import base64
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import time
import zipfile

# --- sizes -------------------------------------------------------------------
SDIST_TEXT_BYTES = 130_000_000       # text content to collect (tar gets bigger)
SDIST_MIN_TAR_BYTES = 100 * 1024 * 1024
WHEEL_MIN_COMPRESSED_BYTES = 56_000_000
WHEEL_MIN_FILES = 5_000
WHEEL_MAX_FILE_BYTES = 16 * 1024 * 1024
HUGE_MEMBER_BYTES = 1 << 30          # 1 GiB
HUGE_CORPUS_BYTES = 16 * 1024 * 1024  # distinct text repeated to fill the member
LINKS = 40_000                        # links-sdist: hard links to one file (issue #22's memory row)
WHEEL_LEVEL = 6

# --- where the real files come from (tag, directory) ---------------------------
SDIST_TEXT_ROOTS = [
    ("python3.11", "/usr/lib/python3.11"),
    ("python3", "/usr/lib/python3"),
    ("doc", "/usr/share/doc"),          # *.gz here are decompressed (changelogs)
    ("perl", "/usr/share/perl"),
    ("node_modules", "/usr/lib/node_modules"),
]
WHEEL_ROOTS = [
    ("python3.11", "/usr/lib/python3.11"),
    ("python3", "/usr/lib/python3"),
    ("doc", "/usr/share/doc"),
    ("lib", "/usr/lib/x86_64-linux-gnu"),
]
HUGE_CORPUS_ROOT = "/usr/lib/python3.11"


def walk_files(root):
    """Regular files (no symlinks) under root, in sorted order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            yield path


def read_or_none(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def is_text(data):
    return b"\0" not in data


def pkg_info(name):
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {name}\n"
        "Version: 1.0\n"
        "Summary: reprodist benchmark input\n"
        "License: MIT\n"
    ).encode()


def pyproject(name):
    return (
        "[build-system]\n"
        'requires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        "[project]\n"
        f'name = "{name}"\n'
        'version = "1.0"\n'
    ).encode()


# --- tar helpers -------------------------------------------------------------
def add_bytes(tar, arcname, data, template=None):
    info = tarfile.TarInfo(arcname)
    if template is not None:
        info.mode, info.uid, info.gid = template.mode, template.uid, template.gid
        info.uname, info.gname, info.mtime = template.uname, template.gname, template.mtime
    else:
        info.mode, info.mtime = 0o644, int(time.time())
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def add_dirs(tar, arcname, seen):
    """Add directory entries for arcname's parents, like a recursive tar.add."""
    parts = arcname.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        d = "/".join(parts[:i])
        if d not in seen:
            seen.add(d)
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, int(time.time())
            tar.addfile(info)


def add_project_files(tar, top, name, seen):
    add_dirs(tar, f"{top}/PKG-INFO", seen)
    add_bytes(tar, f"{top}/PKG-INFO", pkg_info(name))
    add_bytes(tar, f"{top}/pyproject.toml", pyproject(name))


def collect_text(roots, budget):
    """Yield (arcname, bytes, tarinfo-template path) of real text files until budget."""
    total = 0
    for tag, root in roots:
        for path in walk_files(root):
            data = read_or_none(path)
            if data is None:
                continue
            rel = os.path.relpath(path, root)
            if tag == "doc" and path.endswith(".gz"):
                try:
                    data = gzip.decompress(data)
                except (OSError, EOFError):
                    continue
                rel = rel[: -len(".gz")]
            if not data or not is_text(data):
                continue
            yield f"{tag}/{rel}", data, path
            total += len(data)
            if total >= budget:
                return
    raise SystemExit(f"not enough text found: {total} < {budget} bytes")


def make_sdist(out):
    name, top = "bigproj", "bigproj-1.0"
    files = text_bytes = 0
    seen = set()
    with tarfile.open(out, "w:gz") as tar:  # pax, gzip level 9: setuptools' defaults
        add_project_files(tar, top, name, seen)
        for rel, data, src in collect_text(SDIST_TEXT_ROOTS, SDIST_TEXT_BYTES):
            arcname = f"{top}/src/{name}/{rel}"
            add_dirs(tar, arcname, seen)
            add_bytes(tar, arcname, data, template=tar.gettarinfo(src))
            files += 1
            text_bytes += len(data)
        tar_bytes = tar.offset
    if tar_bytes < SDIST_MIN_TAR_BYTES:
        raise SystemExit(f"tar too small: {tar_bytes} bytes")
    return {"files": files, "text_bytes": text_bytes, "tar_bytes_approx": tar_bytes}


def make_tiny_sdist(out):
    name, top = "tinyproj", "tinyproj-1.0"
    seen = set()
    with tarfile.open(out, "w:gz") as tar:
        add_project_files(tar, top, name, seen)
        add_dirs(tar, f"{top}/src/{name}/__init__.py", seen)
        add_bytes(tar, f"{top}/src/{name}/__init__.py", b'"""Tiny."""\n__version__ = "1.0"\n')
        add_bytes(tar, f"{top}/README.md", b"# tinyproj\n\nA tiny project.\n")
    return {"files": 4}


# --- wheel helpers -----------------------------------------------------------
def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def wheel_metadata(name):
    return pkg_info(name)


def wheel_file():
    return (
        "Wheel-Version: 1.0\n"
        "Generator: reprodist-bench (1.0)\n"
        "Root-Is-Purelib: true\n"
        "Tag: py3-none-any\n"
    ).encode()


def finish_wheel(zf, dist_info, records, name):
    for fname, data in (("METADATA", wheel_metadata(name)), ("WHEEL", wheel_file())):
        arcname = f"{dist_info}/{fname}"
        zf.writestr(arcname, data)
        records.append(f"{arcname},{record_hash(data)},{len(data)}")
    records.append(f"{dist_info}/RECORD,,")
    zf.writestr(f"{dist_info}/RECORD", ("\n".join(records) + "\n").encode())


def make_wheel(out):
    name = "bigwheel"
    dist_info = f"{name}-1.0.dist-info"
    records, files, raw = [], 0, 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=WHEEL_LEVEL,
                         strict_timestamps=False) as zf:
        done = False
        for tag, root in WHEEL_ROOTS:
            for path in walk_files(root):
                if os.path.getsize(path) > WHEEL_MAX_FILE_BYTES:
                    continue
                data = read_or_none(path)
                if data is None:
                    continue
                arcname = f"{name}/{tag}/{os.path.relpath(path, root)}"
                info = zipfile.ZipInfo.from_file(path, arcname, strict_timestamps=False)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data, compresslevel=WHEEL_LEVEL)
                records.append(f"{arcname},{record_hash(data)},{len(data)}")
                files += 1
                raw += len(data)
                if zf.fp.tell() >= WHEEL_MIN_COMPRESSED_BYTES and files >= WHEEL_MIN_FILES:
                    done = True
                    break
            if done:
                break
        if not done:
            raise SystemExit(f"not enough files for the wheel: {files} files, {zf.fp.tell()} bytes")
        finish_wheel(zf, dist_info, records, name)
    return {"files": files + 3, "raw_bytes": raw}


# --- huge members ------------------------------------------------------------
def huge_corpus():
    parts, total = [], 0
    for path in walk_files(HUGE_CORPUS_ROOT):
        if not path.endswith(".py"):
            continue
        data = read_or_none(path)
        if data:
            parts.append(data)
            total += len(data)
            if total >= HUGE_CORPUS_BYTES:
                break
    return b"".join(parts)[:HUGE_CORPUS_BYTES]


class RepeatingReader:
    """File-like object giving `size` bytes of corpus repeated, hashing as it goes."""

    def __init__(self, corpus, size):
        self.corpus, self.left, self.pos = memoryview(corpus), size, 0
        self.sha = hashlib.sha256()

    def read(self, n=-1):
        if n is None or n < 0:
            n = self.left
        n = min(n, self.left)
        parts = []
        while n > 0:  # callers such as tarfile want exactly n bytes
            take = min(n, len(self.corpus) - self.pos)
            parts.append(self.corpus[self.pos:self.pos + take])
            self.pos = (self.pos + take) % len(self.corpus)
            n -= take
        chunk = b"".join(parts)
        self.left -= len(chunk)
        self.sha.update(chunk)
        return chunk


def make_huge_sdist(out):
    name, top = "hugeproj", "hugeproj-1.0"
    seen = set()
    with tarfile.open(out, "w:gz") as tar:
        add_project_files(tar, top, name, seen)
        arcname = f"{top}/data/huge.txt"
        add_dirs(tar, arcname, seen)
        info = tarfile.TarInfo(arcname)
        info.size, info.mode, info.mtime = HUGE_MEMBER_BYTES, 0o644, int(time.time())
        tar.addfile(info, RepeatingReader(huge_corpus(), HUGE_MEMBER_BYTES))
    return {"member_bytes": HUGE_MEMBER_BYTES}


def make_huge_wheel(out):
    name = "hugewheel"
    dist_info = f"{name}-1.0.dist-info"
    arcname = f"{name}/huge.txt"
    reader = RepeatingReader(huge_corpus(), HUGE_MEMBER_BYTES)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=WHEEL_LEVEL) as zf:
        with zf.open(arcname, "w") as dst:
            while chunk := reader.read(1 << 20):
                dst.write(chunk)
        digest = base64.urlsafe_b64encode(reader.sha.digest()).rstrip(b"=").decode()
        records = [f"{arcname},sha256={digest},{HUGE_MEMBER_BYTES}"]
        finish_wheel(zf, dist_info, records, name)
    return {"member_bytes": HUGE_MEMBER_BYTES}


# --- series (bench/scaling.mjs) -------------------------------------------------
def series_members(corpus, members, member_bytes):
    """(relative path, bytes) of each member: distinct cuts of the corpus, repeated if it is short."""
    step = 7919  # prime: the cuts start at different places
    for i in range(members):
        start = (i * step) % len(corpus)
        # The corpus from `start`, then from its beginning again as often as needed; cut without
        # copying the whole corpus for each member (1,000,000 members took hours that way).
        data = corpus[start:start + member_bytes]
        while len(data) < member_bytes:
            data += corpus[:member_bytes - len(data)]
        yield f"d{i // 100:04d}/m{i:06d}.py", data


def make_series_sdist(out, members, member_bytes):
    name, top = "seriesproj", "seriesproj-1.0"
    seen = set()
    with tarfile.open(out, "w:gz") as tar:
        add_project_files(tar, top, name, seen)
        for rel, data in series_members(huge_corpus(), members, member_bytes):
            arcname = f"{top}/src/{name}/{rel}"
            add_dirs(tar, arcname, seen)
            add_bytes(tar, arcname, data)
    return {"files": members + 2, "raw_bytes": members * member_bytes}


def make_series_wheel(out, members, member_bytes):
    name = "serieswheel"
    dist_info = f"{name}-1.0.dist-info"
    records = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=WHEEL_LEVEL) as zf:
        for rel, data in series_members(huge_corpus(), members, member_bytes):
            arcname = f"{name}/{rel}"
            zf.writestr(arcname, data)
            records.append(f"{arcname},{record_hash(data)},{len(data)}")
        finish_wheel(zf, dist_info, records, name)
    return {"files": members + 3, "raw_bytes": members * member_bytes}


def make_links_sdist(out):
    """One small file and LINKS hard links to it, as tarfile writes a tree of hard-linked files."""
    name, top = "linksproj", "linksproj-1.0"
    seen = set()
    with tarfile.open(out, "w:gz") as tar:
        add_project_files(tar, top, name, seen)
        target = f"{top}/src/{name}/data.py"
        add_dirs(tar, target, seen)
        add_bytes(tar, target, b"DATA = 1\n")
        for i in range(LINKS):
            info = tarfile.TarInfo(f"{top}/src/{name}/l{i // 100:04d}/link{i:06d}.py")
            add_dirs(tar, info.name, seen)
            info.type, info.linkname, info.mtime = tarfile.LNKTYPE, target, int(time.time())
            tar.addfile(info)
    return {"files": 3, "links": LINKS}


SERIES_KINDS = {"series-sdist": make_series_sdist, "series-wheel": make_series_wheel}

KINDS = {
    "sdist": make_sdist,
    "wheel": make_wheel,
    "huge-sdist": make_huge_sdist,
    "huge-wheel": make_huge_wheel,
    "tiny-sdist": make_tiny_sdist,
    "links-sdist": make_links_sdist,
}


def main():
    if len(sys.argv) == 5 and sys.argv[1] in SERIES_KINDS:
        kind, out = sys.argv[1], sys.argv[2]
        stats = SERIES_KINDS[kind](out, int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) == 3 and sys.argv[1] in KINDS:
        kind, out = sys.argv[1], sys.argv[2]
        stats = KINDS[kind](out)
    else:
        raise SystemExit(f"usage: {sys.argv[0]} {{{','.join(KINDS)}}} OUTPUT | {{{','.join(SERIES_KINDS)}}} OUTPUT MEMBERS MEMBER_BYTES")
    stats["bytes"] = os.path.getsize(out)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()

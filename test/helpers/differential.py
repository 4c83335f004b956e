"""Crafted archives and installer oracles for the differential suite (test/cli/differential-*.test.ts).

  craft-tar DIR        writes one .tar.gz per case into DIR; prints the cases as JSON
  craft-zip DIR        the same for .whl cases
  extract ORACLE FILE  extracts FILE with ORACLE into a fresh directory; prints JSON
                       {"ok": true, "listing": [...]} or {"ok": false, "error": "..."}
  listing DIR          the listing of an extracted tree

A listing is sorted lines: "D path", "F path exec sha256", "L path -> target". Times, owners and
modes other than the exec bit (any x bit) are left out: the normal form does not keep them.
Oracles: pip (pip's unpack_file, run by whichever Python runs this file), tarfile-data
(tarfile's extractall with filter='data', needs Python 3.12+), gnutar, bsdtar, zipfile
(zipfile's extractall, what installer reads), unzip.
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

TOP = "pkg-1.0"


# ------------------------------------------------------------------------------------- tar bytes

def octal(value, width):
    return (b"%0*o" % (width - 1, value)) + b"\0"


def header(name, size=0, typeflag=b"0", linkname="", mode=0o644, magic=b"ustar\x0000", prefix=b"",
           size_field=None, name_bytes=None):
    block = bytearray(512)
    nb = name_bytes if name_bytes is not None else name.encode("utf-8")
    block[0:len(nb[:100])] = nb[:100]
    block[100:108] = octal(mode, 8)
    block[108:116] = octal(0, 8)
    block[116:124] = octal(0, 8)
    block[124:136] = size_field if size_field is not None else octal(size, 12)
    block[136:148] = octal(1600000000, 12)
    block[148:156] = b" " * 8
    block[156:157] = typeflag
    lb = linkname.encode("utf-8")
    block[157:157 + len(lb)] = lb
    block[257:265] = magic
    block[329:337] = octal(0, 8)
    block[337:345] = octal(0, 8)
    block[345:345 + len(prefix)] = prefix
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


def pad(data):
    return data + bytes(-len(data) % 512)


def with_bytes(block, offset, data):
    """A header block with `data` written at `offset`, its checksum made right again."""
    out = bytearray(block)
    out[offset:offset + len(data)] = data
    out[148:156] = b" " * 8
    out[148:156] = b"%06o\0 " % sum(out)
    return bytes(out)


def v7(name, data=b"", fields=None):
    """A v7 member (no magic), with `fields` ({offset: bytes}) written into its header."""
    block = header(name, size=len(data), magic=bytes(8))
    block = with_bytes(block, 329, bytes(16))  # header() writes devmajor and devminor; a bare v7 block has none
    for offset, value in (fields or {}).items():
        block = with_bytes(block, offset, value)
    return block + pad(data)


def pax_padded(declared, padding):
    """A pax header whose size covers `declared` records, with `padding` in the rest of its block."""
    return header("././@PaxHeader", size=len(declared), typeflag=b"x") + pad(declared + padding)


def raw_gzip(data, flags=0, extra=b"", name=b"", comment=b"", header_crc=None):
    """A gzip member with the optional header fields of RFC 1952 (Python's gzip writes only FNAME)."""
    import struct
    import zlib
    head = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", 0) + b"\x00\x03"
    if flags & 4:
        head += struct.pack("<H", len(extra)) + extra
    if flags & 8:
        head += name + b"\0"
    if flags & 16:
        head += comment + b"\0"
    if flags & 2:
        head += struct.pack("<H", header_crc if header_crc is not None else zlib.crc32(head) & 0xffff)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = deflate.compress(data) + deflate.flush()
    return head + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xffffffff)


def member(name, data=b"", **kw):
    return header(name, size=len(data), **kw) + pad(data)


def pax_records(records):
    out = b""
    for key, value in records:
        body = b" " + key.encode() + b"=" + value.encode("utf-8") + b"\n"
        n = len(body) + 1
        while len(str(n)) + len(body) != n:
            n += 1
        out += str(n).encode() + body
    return out


def pax(records, typeflag=b"x", raw=None):
    data = raw if raw is not None else pax_records(records)
    return header("././@PaxHeader", size=len(data), typeflag=typeflag) + pad(data)


def gnu_long(value, typeflag=b"L"):
    data = value.encode("utf-8") + b"\0"
    return header("././@LongLink", size=len(data), typeflag=typeflag, magic=b"ustar  \0") + pad(data)


END = bytes(1024)


def base():
    """A small clean sdist body: the top directory, a module, a script."""
    return (member(TOP + "/", typeflag=b"5", mode=0o755) + member(TOP + "/setup.py", b"print('hi')\n")
            + member(TOP + "/run.sh", b"#!/bin/sh\n", mode=0o755))


def tar_cases(tmp):
    """(name, tar bytes or None when written by a tool, expect) for every class of the issue and more."""
    evil = b"import os; os.system('echo pwned')\n"
    cases = [
        ("clean", base() + END, "accept"),
        ("hardlink-with-data", base() + header(TOP + "/h", size=512, typeflag=b"1", linkname=TOP + "/setup.py")
         + member(TOP + "/evil.pth", evil) + END, "refuse"),
        ("symlink-with-data", base() + header(TOP + "/s", size=512, typeflag=b"2", linkname="setup.py")
         + member(TOP + "/evil.pth", evil) + END, "refuse"),
        ("directory-with-data", base() + header(TOP + "/d/", size=512, typeflag=b"5", mode=0o755)
         + member(TOP + "/evil.pth", evil) + END, "refuse"),
        ("typeflag-N", base() + member(TOP + "/n", b"x", typeflag=b"N") + END, "refuse"),
        ("typeflag-unknown", base() + member(TOP + "/z", b"x", typeflag=b"Z") + END, "refuse"),
        ("member-after-end", base() + END + member(TOP + "/evil.pth", evil) + END, "refuse"),
        ("member-after-one-zero-block", base() + bytes(512) + member(TOP + "/evil.pth", evil) + END, "refuse"),
        ("garbage-after-end", base() + END + b"\x01" + bytes(511), "refuse"),
        ("malformed-pax-then-member", base() + pax(None, raw=b"9 path=x\nzz") + member(TOP + "/a", b"a")
         + member(TOP + "/evil.pth", evil) + END, "refuse"),
        ("size-field-with-space", base() + member(TOP + "/a", b"ab", size_field=b"0000000002 7")
         + END, "refuse"),
        ("size-field-underscore", base() + member(TOP + "/a", b"ab", size_field=b"0_0000000002")
         + END, "refuse"),
        ("dot-slash-duplicate", base() + member("./" + TOP + "/setup.py", b"other\n") + END, "refuse"),
        ("dotdot-inside-duplicate", base() + member(TOP + "/x/../setup.py", b"other\n") + END, "refuse"),
        ("double-slash", base() + member(TOP + "//x.py", b"x\n") + END, "refuse"),
        ("gnu-magic-with-prefix", base() + member("x.py", b"x\n", magic=b"ustar  \0", prefix=b"evil") + END, "refuse"),
        ("pax-global-path", base() + pax([("path", TOP + "/g")], typeflag=b"g") + member(TOP + "/a", b"a") + END, "refuse"),
        ("pax-size-2abc", base() + pax([("size", "2abc")]) + member(TOP + "/a", b"ab") + END, "refuse"),
        ("two-pax-headers", base() + pax([("path", TOP + "/one")]) + pax([("path", TOP + "/two")])
         + member(TOP + "/a", b"a") + END, "refuse"),
        ("pax-unknown-keyword", base() + pax([("VENDOR.path", TOP + "/x")]) + member(TOP + "/a", b"a") + END, "refuse"),
        ("pax-sparse-keywords", base() + pax([("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0"),
                                              ("GNU.sparse.name", TOP + "/data.bin"), ("GNU.sparse.realsize", "10")])
         + member(TOP + "/GNUSparseFile.0/data.bin", b"1\n0\n10\n" + bytes(509)) + END, "refuse"),
        ("gnu-long-then-pax", base() + gnu_long(TOP + "/long") + pax([("path", TOP + "/pax")])
         + member(TOP + "/a", b"a") + END, "refuse"),
        ("symlink-escape-through-links", base() + member(TOP + "/sub/", typeflag=b"5", mode=0o755)
         + header(TOP + "/sub/a", typeflag=b"2", linkname="..") + header(TOP + "/sub/b", typeflag=b"2", linkname="a/..")
         + END, "refuse"),
        ("symlink-out-of-top", base() + header(TOP + "/up", typeflag=b"2", linkname="../other") + END, "refuse"),
        ("file-under-file", base() + member(TOP + "/setup.py/x", b"x") + END, "refuse"),
        ("file-under-symlink", base() + header(TOP + "/l", typeflag=b"2", linkname=".") + member(TOP + "/l/x", b"x")
         + END, "refuse"),
        ("file-name-with-slash", base() + member(TOP + "/f/", b"x", typeflag=b"0") + END, "refuse"),
        ("pax-path-file-with-slash", base() + pax([("path", TOP + "/f/")]) + member(TOP + "/f", b"x") + END, "refuse"),
        ("backslash-dotdot", base() + member(TOP + "/..\\..\\x", b"x") + END, "refuse"),
        ("drive-letter", base() + member("C:\\x", b"x") + END, "refuse"),
        ("absolute", base() + member("/tmp/x", b"x") + END, "refuse"),
        ("fifo", base() + header(TOP + "/fifo", typeflag=b"6") + END, "refuse"),
        ("hardlink-to-later", base() + header(TOP + "/h", typeflag=b"1", linkname=TOP + "/later")
         + member(TOP + "/later", b"x") + END, "refuse"),
        ("duplicate", base() + member(TOP + "/setup.py", b"second\n") + END, "refuse"),
        ("bad-utf8-name", base() + member("", b"x", name_bytes=(TOP + "/\xff.py").encode("latin1")) + END, "refuse"),
        ("two-gnu-long-names", base() + gnu_long(TOP + "/one") + gnu_long(TOP + "/two") + member(TOP + "/a", b"a") + END, "refuse"),
        ("pax-hdrcharset-binary", base() + pax([("hdrcharset", "BINARY"), ("path", TOP + "/b")]) + member(TOP + "/a", b"a") + END, "refuse"),
        ("pax-without-member", base() + pax([("path", TOP + "/p")]) + END, "refuse"),
        ("pax-path-dotdot", base() + pax([("path", TOP + "/../../evil.pth")]) + member(TOP + "/a", b"a") + END, "refuse"),
        ("negative-size", base() + member(TOP + "/a", b"", size_field=b"\xff" * 12) + END, "refuse"),
        ("dot-top-directory", member("./", typeflag=b"5", mode=0o755) + member("./" + TOP + "/setup.py", b"x") + END, "refuse"),
        # accepted: what every reader reads alike
        ("base-256-size", base() + member(TOP + "/b256", b"base 256\n", size_field=b"\x80" + (9).to_bytes(11, "big")) + END, "accept"),
        ("v7-directory", base() + header(TOP + "/v7dir/", typeflag=b"\0", mode=0o755, magic=bytes(8))
         + member(TOP + "/v7dir/f", b"f", magic=bytes(8)) + END, "accept"),
        ("gnu-long-name", base() + gnu_long(TOP + "/" + "n" * 150) + member("trunc", b"long\n", magic=b"ustar  \0") + END, "accept"),
        ("gnu-long-link", base() + gnu_long("setup.py" + "/.." * 0, typeflag=b"K")
         + header(TOP + "/ll", typeflag=b"2", linkname="x", magic=b"ustar  \0") + END, "accept"),
        ("pax-path-and-mtime", base() + pax([("mtime", "1600000000.5"), ("path", TOP + "/" + "p" * 120)])
         + member(TOP + "/short", b"pax\n") + END, "accept"),
        ("hardlink", base() + header(TOP + "/h", typeflag=b"1", linkname=TOP + "/run.sh", mode=0o755) + END, "accept"),
        ("hardlink-other-x-bit", base() + header(TOP + "/h", typeflag=b"1", linkname=TOP + "/run.sh") + END, "refuse"),
        ("contiguous", base() + member(TOP + "/c", b"contiguous\n", typeflag=b"7") + END, "accept"),
        ("symlink-loop", base() + header(TOP + "/la", typeflag=b"2", linkname="lb")
         + header(TOP + "/lb", typeflag=b"2", linkname="la") + END, "accept"),
        ("symlink-inside", base() + member(TOP + "/sub/", typeflag=b"5", mode=0o755)
         + header(TOP + "/sub/up", typeflag=b"2", linkname="../setup.py") + END, "accept"),
        ("exec-bits", base() + member(TOP + "/u", b"u", mode=0o744) + member(TOP + "/r", b"r", mode=0o600) + END, "accept"),
        ("exec-bit-not-owner", base() + member(TOP + "/o", b"o", mode=0o001) + END, "refuse"),
        ("no-end-marker", base(), "accept"),
        ("non-ascii-pax", base() + pax([("path", TOP + "/naïve-日本.txt")]) + member(TOP + "/n", b"n") + END, "accept"),
        ("pax-xattr", base() + pax([("SCHILY.xattr.user.x", "1")]) + member(TOP + "/x", b"x") + END, "accept"),
        ("implied-dirs", member(TOP + "/a/b/c.txt", b"c") + END, "accept"),
        # every parent directory gets an entry: 40 names 250 levels deep would be 10,000 of them
        ("deep-paths-amplify", b"".join(pax([("path", "%s/m%d/%sf" % (TOP, i, "a/" * 248))]) + member(TOP + "/short%d" % i)
                                        for i in range(40)) + END, "refuse"),
        ("one-deep-path", member(TOP + "/" + "/".join("d%d" % i for i in range(200)) + "/f", b"f") + END, "accept"),
    ] + unread_bytes_cases(evil)
    out = [(name, gzip.compress(data, 9, mtime=0), expect) for name, data, expect in cases] + gzip_cases(evil)
    out += writer_cases(tmp)
    # GNU tar's own sparse members, old (S) and pax forms.
    if shutil.which("tar"):
        src = os.path.join(tmp, "sparse-src")
        os.makedirs(os.path.join(src, TOP))
        with open(os.path.join(src, TOP, "data.bin"), "wb") as f:
            f.write(b"head")
            f.seek(3 << 20)
            f.write(b"tail")
        for fmt in ("gnu", "pax"):
            path = os.path.join(tmp, "sparse.tar.gz")
            subprocess.run(["tar", "--sparse", "--format=" + fmt, "-czf", path, "-C", src, TOP], check=True)
            out.append(("gnu-sparse-" + fmt, open(path, "rb").read(), "refuse"))
    return out


def unread_bytes_cases(evil):
    """Bytes no reader is meant to read (block padding, unused fields, field slack) that one does read (issue 20)."""
    mtime_only = pax_records([("mtime", "1600000000")])
    hidden = member(TOP + "/evil.pth", evil)
    a = member(TOP + "/a", b"a")
    return [
        # tarfile parses pax records over the whole padded block: a path record there renames a member,
        ("pax-path-in-padding", base() + pax_padded(mtime_only, pax_records([("path", TOP + "/evil.pth")]))
         + member(TOP + "/good.py", evil) + END, "refuse"),
        # a size record there makes the member's data its next headers,
        ("pax-size-in-padding", base() + pax_padded(mtime_only, pax_records([("size", "0")]))
         + member(TOP + "/good.py", hidden) + END, "refuse"),
        # and a newline there stops Python 3.11 and 3.13 reading.
        ("pax-padding-newline", base() + pax_padded(mtime_only, b"\n") + a + hidden + END, "refuse"),
        ("gnu-longname-padding", base() + header("././@LongLink", size=len(TOP + "/long") + 1, typeflag=b"L", magic=b"ustar  \0")
         + pad((TOP + "/long").encode() + b"\0" + b"/../evil.pth") + member("x", b"x", magic=b"ustar  \0") + END, "refuse"),
        ("gnu-longname-continues-in-padding", base() + header("././@LongLink", size=len(TOP + "/long"), typeflag=b"L", magic=b"ustar  \0")
         + pad((TOP + "/long").encode() + b"/evil.pth\0") + member("x", b"x", magic=b"ustar  \0") + END, "refuse"),
        # tarfile parses a v7 header's devmajor and devminor: an invalid one silently ends its archive,
        ("v7-devmajor-9999999", base() + v7(TOP + "/a", b"a", {329: b"9999999\0"}) + hidden + END, "refuse"),
        ("v7-devminor-not-ascii", base() + v7(TOP + "/a", b"a", {337: b"0\xe9\0"}) + hidden + END, "refuse"),
        # and joins a v7 header's prefix to its name; uname and gname it reads too.
        ("v7-prefix", base() + v7("evil.pth", evil, {345: TOP.encode()}) + END, "refuse"),
        ("v7-uname", base() + v7(TOP + "/a", b"a", {265: b"root"}) + END, "refuse"),
        ("gnu-atime", base() + with_bytes(header(TOP + "/a", size=1, magic=b"ustar  \0"), 345, b"%011o\0" % 1600000000) + pad(b"a") + END, "refuse"),
        ("ustar-pad-bytes", base() + with_bytes(header(TOP + "/a", size=1), 500, b"evil") + pad(b"a") + END, "refuse"),
        ("ustar-version-xx", base() + member(TOP + "/a", b"a", magic=b"ustar\0xx") + END, "refuse"),
        ("name-after-nul", base() + member("", b"a", name_bytes=(TOP + "/a\0/evil.pth").encode()) + END, "refuse"),
        ("mode-after-nul", base() + with_bytes(header(TOP + "/a", size=1), 100, b"000644\0X") + pad(b"a") + END, "refuse"),
        ("size-spaces-and-nul", base() + with_bytes(header(TOP + "/a"), 124, b"\0" + b" " * 11) + END, "refuse"),
        ("linkname-on-file", base() + member(TOP + "/a", b"a", linkname=TOP + "/evil.pth") + END, "refuse"),
        ("pax-linkpath-on-file", base() + pax([("linkpath", TOP + "/evil.pth")]) + a + END, "refuse"),
        ("devmajor-on-file", base() + with_bytes(header(TOP + "/a", size=1), 329, b"0000001\0") + pad(b"a") + END, "refuse"),
        ("data-padding-not-zero", base() + header(TOP + "/a", size=1) + b"a" + b"evil" + bytes(507) + END, "refuse"),
        # accepted: what real writers put there
        ("v7-with-device-numbers", base() + v7(TOP + "/gnu-v7", b"GNU tar's v7 writes devmajor and devminor\n", {329: b"0000000\0" * 2}) + END, "accept"),
        ("numeric-fields-spaces", base() + with_bytes(header(TOP + "/old", size=4), 100, b"   644 \0") + pad(b"old\n") + END, "accept"),
    ]


def gzip_cases(evil):
    """The gzip layer: what may follow the last member, and the header's optional fields."""
    clean = base() + END
    first, second = base(), member(TOP + "/evil.pth", evil) + END
    one = gzip.compress(clean, 9, mtime=0)
    return [
        # the size the issue found refused now and then: zeros after the member are accepted, every run
        ("gzip-zero-padding", one + bytes(1048723 - len(one)), "accept"),
        ("gzip-garbage-after", one + bytes(10) + b"garbage", "refuse"),
        # Python's gzip reads a member after zeros, zlib stops at the zeros
        ("gzip-member-after-zeros", gzip.compress(first, 9, mtime=0) + bytes(100) + gzip.compress(second, 9, mtime=0), "refuse"),
        ("gzip-two-members", gzip.compress(first, 9, mtime=0) + gzip.compress(second[:-len(END)] + END, 9, mtime=0), "accept"),
        ("gzip-optional-fields", raw_gzip(clean, flags=2 | 4 | 8 | 16, extra=b"AB\x02\x00hi", name=b"pkg.tar", comment=b"made by hand"), "accept"),
        # zlib checks FHCRC, Python's gzip skips it
        ("gzip-wrong-header-crc", raw_gzip(clean, flags=2, header_crc=0x1234), "refuse"),
    ]


def writer_cases(tmp):
    """Archives that GNU tar, bsdtar and Python's tarfile write in their formats: every byte they write is read or checked."""
    src = os.path.join(tmp, "writers")
    top = os.path.join(src, TOP)
    deep = os.path.join(top, "d" * 60, "e" * 60)
    os.makedirs(deep)
    os.makedirs(os.path.join(top, "empty"))
    long_file = os.path.join(deep, "f" * 90 + ".py")
    for path, data, mode in ((long_file, b"long\n", 0o644), (os.path.join(top, "na\u00efve.py"), b"n\n", 0o644),
                             (os.path.join(top, "run.sh"), b"#!/bin/sh\n", 0o755)):
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
    os.symlink(os.path.relpath(long_file, top), os.path.join(top, "long-link"))
    os.link(os.path.join(top, "run.sh"), os.path.join(top, "hard.sh"))
    out = []
    commands = {"gnutar-posix": ["tar", "--format=posix"], "gnutar-gnu": ["tar", "--format=gnu"],
                "bsdtar-pax": ["bsdtar", "--format=pax"], "bsdtar-gnutar": ["bsdtar", "--format=gnutar"]}
    for name, command in commands.items():
        if shutil.which(command[0]):
            path = os.path.join(tmp, name + ".tar")
            subprocess.run(command + ["-cf", path, "-C", src, TOP], check=True)
            out.append(("writer-" + name, gzip.compress(open(path, "rb").read(), 9, mtime=0), "accept"))
    import tarfile
    for name, fmt in (("GNU", tarfile.GNU_FORMAT), ("PAX", tarfile.PAX_FORMAT)):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
            t.add(top, arcname=TOP)
        out.append(("writer-tarfile-" + name, gzip.compress(buf.getvalue(), 9, mtime=0), "accept"))
    # GNU tar's v7 format has no room for the long names: only the short ones.
    if shutil.which("tar"):
        path = os.path.join(tmp, "v7.tar")
        subprocess.run(["tar", "--format=v7", "-cf", path, "-C", src, TOP + "/run.sh", TOP + "/hard.sh", TOP + "/empty"], check=True)
        out.append(("writer-gnutar-v7", gzip.compress(open(path, "rb").read(), 9, mtime=0), "accept"))
    return out


# ------------------------------------------------------------------------------------- zip bytes

def zinfo(name, mode=None, host=3, dos_attr=0, flag_utf8=None):
    info = zipfile.ZipInfo(name, (2020, 2, 2, 0, 0, 0))
    info.create_system = host
    info.external_attr = ((mode or 0) << 16) | dos_attr
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def zip_cases():
    def wheel(extra):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(zinfo("demo/__init__.py", 0o100644), b"x = 1\n")
            for item in extra:
                info, data = item
                z.writestr(info, data)
        return buf.getvalue()

    def raw_name(data, old, new, utf8_flag=False):
        """Replaces a name's bytes everywhere (same length), optionally clearing the UTF-8 flag."""
        assert len(old) == len(new)
        data = data.replace(old, new)
        if not utf8_flag:
            out = bytearray(data)
            for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
                i = out.find(sig)
                while i >= 0:
                    flags = int.from_bytes(out[i + off:i + off + 2], "little") & ~0x800
                    out[i + off:i + off + 2] = flags.to_bytes(2, "little")
                    i = out.find(sig, i + 4)
            data = bytes(out)
        return data

    unicode_path = zinfo("demo/u.txt", 0o100644)
    unicode_path.extra = b"\x75\x70" + (5 + 7).to_bytes(2, "little") + b"\x01" + bytes(4) + b"evil.py"
    msdos_exec = zinfo("demo/tool", 0o100755, host=0)
    cases = [
        ("clean", wheel([(zinfo("demo/run", 0o100755), b"#!/bin/sh\n"), (zinfo("demo/empty/", 0o40755, dos_attr=0x10), b"")]), "accept"),
        ("dir-attribute-no-slash", wheel([(zinfo("demo/d", 0, host=0, dos_attr=0x10), b"")]), "refuse"),
        ("unix-dir-mode-no-slash", wheel([(zinfo("demo/d", 0o40755), b"")]), "refuse"),
        ("msdos-host-exec-mode", wheel([(msdos_exec, b"#!/bin/sh\n")]), "accept"),
        ("mode-without-file-type", wheel([(zinfo("demo/t", 0o755), b"t")]), "refuse"),
        ("unflagged-utf8-name", raw_name(wheel([(zinfo("demo/na\u00efve.txt", 0o100644), b"n")]),
                                         "demo/na\u00efve.txt".encode(), "demo/na\u00efve.txt".encode()), "accept"),
        ("dot-slash-duplicate", wheel([(zinfo("./demo/__init__.py", 0o100644), b"other")]), "refuse"),
        ("double-slash", wheel([(zinfo("demo//x.py", 0o100644), b"x")]), "refuse"),
        ("backslash-dotdot", wheel([(zinfo("..\\..\\x.py", 0o100644), b"x")]), "refuse"),
        ("drive-letter", wheel([(zinfo("C:\\x.py", 0o100644), b"x")]), "refuse"),
        ("unicode-path-extra", wheel([(unicode_path, b"u")]), "refuse"),
        ("symlink-escape-through-links", wheel([(zinfo("demo/a", 0o120777), b".."), (zinfo("b", 0o120777), b"demo/a/..")]), "refuse"),
        ("symlink-outside", wheel([(zinfo("demo/l", 0o120777), b"../../etc/passwd")]), "refuse"),
        ("symlink-from-msdos", wheel([(zinfo("demo/l", 0o120777, host=0), b"__init__.py")]), "refuse"),
        ("file-under-file", wheel([(zinfo("demo/__init__.py/x", 0o100644), b"x")]), "refuse"),
        ("dir-with-data", wheel([(zinfo("demo/d/", 0o40755), b"data")]), "refuse"),
        ("fifo", wheel([(zinfo("demo/f", 0o010644), b"")]), "refuse"),
        ("symlink-inside", wheel([(zinfo("demo/l", 0o120777), b"__init__.py")]), "accept"),
        ("exec-bits", wheel([(zinfo("demo/o", 0o100001), b"o"), (zinfo("demo/u", 0o100744), b"u")]), "accept"),
        ("implied-dirs", wheel([(zinfo("demo/a/b/c.txt", 0o100644), b"c")]), "accept"),
        # the content view gets a row for every parent directory: 40 names 250 levels deep would ask
        # for 10,000 of them, past 4 rows an entry
        ("deep-paths-amplify", wheel([(zinfo("demo/m%d/%sf" % (i, "a/" * 248), 0o100644), b"") for i in range(40)]
                                     + [(zinfo("demo/short%d" % i, 0o100644), b"") for i in range(40)]), "refuse"),
        # within 4 rows an entry, 8 names 4 KB long and 250 levels deep would have their parent
        # directories name 3.8 MB, past 4 times the entries' names and 2 MiB
        ("long-deep-paths-amplify", wheel([(zinfo("demo/L%d/%sf" % (i, ("s" * 14 + "/") * 250), 0o100644), b"") for i in range(8)]
                                          + [(zinfo("demo/short%d" % i, 0o100644), b"") for i in range(500)]), "refuse"),
        ("one-deep-path", wheel([(zinfo("demo/" + "/".join("d%d" % i for i in range(200)) + "/f", 0o100644), b"f")]), "accept"),
    ]
    return cases


# ------------------------------------------------------------------------------------- oracles

def listing(root):
    lines = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                lines.append("L %s -> %s" % (rel, os.readlink(full)))
            elif stat.S_ISDIR(st.st_mode):
                lines.append("D " + rel)
            else:
                with open(full, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                lines.append("F %s %s %s" % (rel, "x" if st.st_mode & 0o111 else "-", digest))
    return sorted(lines)


def extract(oracle, path, dest):
    if oracle == "pip":
        import logging
        logging.disable(logging.CRITICAL)
        from pip._internal.utils.unpacking import unpack_file
        unpack_file(path, dest)
    elif oracle == "tarfile-data":
        import tarfile
        with tarfile.open(path, encoding="utf-8") as t:
            t.extractall(dest, filter="data")
    elif oracle == "zipfile":
        with zipfile.ZipFile(path) as z:
            z.extractall(dest)
    else:
        cmd = {"gnutar": ["tar", "-xzf", path, "-C", dest], "bsdtar": ["bsdtar", "-xzf", path, "-C", dest],
               "unzip": ["unzip", "-qq", "-o", path, "-d", dest]}[oracle]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True)
        if r.returncode != 0:
            raise RuntimeError("%s exited %d: %s" % (cmd[0], r.returncode, r.stderr.decode("utf-8", "replace").strip()[:300]))


def main():
    command = sys.argv[1]
    if command in ("craft-tar", "craft-zip"):
        out_dir = sys.argv[2]
        tmp = tempfile.mkdtemp()
        try:
            cases = tar_cases(tmp) if command == "craft-tar" else zip_cases()
        finally:
            shutil.rmtree(tmp)
        listed = []
        for name, data, expect in cases:
            file = os.path.join(out_dir, name, TOP + ".tar.gz" if command == "craft-tar" else "demo-1.0-py3-none-any.whl")
            os.makedirs(os.path.dirname(file))
            with open(file, "wb") as f:
                f.write(data)
            listed.append({"name": name, "file": file, "expect": expect})
        print(json.dumps(listed))
    elif command == "extract":
        dest = tempfile.mkdtemp()
        try:
            target = os.path.join(dest, "x")
            os.mkdir(target)
            extract(sys.argv[2], sys.argv[3], target)
            print(json.dumps({"ok": True, "listing": listing(target)}))
        except BaseException as error:  # an oracle that fails is an answer, not a crash
            print(json.dumps({"ok": False, "error": "%s: %s" % (type(error).__name__, str(error).splitlines()[0] if str(error) else "")}))
        finally:
            for dirpath, dirnames, filenames in os.walk(dest):
                for d in dirnames:
                    p = os.path.join(dirpath, d)
                    if not os.path.islink(p):
                        os.chmod(p, 0o755)
            shutil.rmtree(dest, ignore_errors=True)
    elif command == "listing":
        print(json.dumps(listing(sys.argv[2])))


if __name__ == "__main__":
    main()

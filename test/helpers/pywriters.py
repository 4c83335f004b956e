"""Archive writers implemented with Python's tarfile/zipfile, for test/helpers/writers.ts.

Usage:
  pywriters.py tar-gnu      SRC_PARENT TOP OUT.tar.gz
  pywriters.py tar-pax-odd  SRC_PARENT TOP OUT.tar.gz SEED
  pywriters.py zip          SRC_ROOT OUT.zip LEVEL SEED
  pywriters.py zip-stream   SRC_ROOT OUT.zip

tar-pax-odd: PAX_FORMAT, members in shuffled order (directories may follow their
children), uid/gid 4321, uname 'mallory', gname 'evil', float mtimes (written as pax
mtime records), gzip level 6.
zip: ZipFile with DEFLATED at LEVEL, regular files only, shuffled order.
zip-stream: ZipFile on an unseekable stream, so every entry gets a data descriptor.
"""

import os
import random
import sys
import tarfile
import zipfile


def walk_all(parent, top):
    """All paths under parent/top (top included) as (abs, arcname), parents before children."""
    out = []
    root = os.path.join(parent, top)
    out.append((root, top))
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames) + sorted(filenames):
            p = os.path.join(dirpath, name)
            out.append((p, os.path.relpath(p, parent)))
    return out


def walk_files(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            p = os.path.join(dirpath, name)
            out.append((p, os.path.relpath(p, root).replace(os.sep, "/")))
    return out


def tar_gnu(parent, top, out):
    with tarfile.open(out, "w:gz", format=tarfile.GNU_FORMAT) as tf:
        tf.add(os.path.join(parent, top), arcname=top)  # recursive, sorted listdir


def tar_pax_odd(parent, top, out, seed):
    entries = walk_all(parent, top)
    random.Random(seed).shuffle(entries)
    with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT, compresslevel=6) as tf:
        for path, arcname in entries:
            ti = tf.gettarinfo(path, arcname=arcname)
            ti.uid = ti.gid = 4321
            ti.uname = "mallory"
            ti.gname = "evil"
            ti.mtime = float(os.lstat(path).st_mtime) + 0.123456
            if ti.isreg():
                with open(path, "rb") as f:
                    tf.addfile(ti, f)
            else:
                tf.addfile(ti)


def zip_files(root, out, level, seed):
    files = walk_files(root)
    random.Random(seed).shuffle(files)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for path, arcname in files:
            zf.write(path, arcname)


class Unseekable:
    """A write-only stream without tell()/seek(): zipfile falls back to data descriptors."""

    def __init__(self, f):
        self._f = f

    def write(self, b):
        return self._f.write(b)

    def flush(self):
        self._f.flush()


def zip_stream(root, out):
    with open(out, "wb") as raw:
        with zipfile.ZipFile(Unseekable(raw), "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path, arcname in walk_files(root):
                zinfo = zipfile.ZipInfo.from_file(path, arcname)
                zinfo.compress_type = zipfile.ZIP_DEFLATED
                with open(path, "rb") as src, zf.open(zinfo, "w") as dst:
                    while True:
                        chunk = src.read(4096)
                        if not chunk:
                            break
                        dst.write(chunk)


def main(argv):
    cmd = argv[1]
    if cmd == "tar-gnu":
        tar_gnu(argv[2], argv[3], argv[4])
    elif cmd == "tar-pax-odd":
        tar_pax_odd(argv[2], argv[3], argv[4], int(argv[5]))
    elif cmd == "zip":
        zip_files(argv[2], argv[3], int(argv[4]), int(argv[5]))
    elif cmd == "zip-stream":
        zip_stream(argv[2], argv[3])
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)

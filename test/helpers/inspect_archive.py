"""Read archives with Python's own tarfile/zipfile (the readers installers use), for tests.

Usage (each prints JSON on stdout; exit 1 with a message on failure):
  inspect_archive.py tar-view   ARCHIVE      -> {"members": [...], "format": ...}
  inspect_archive.py zip-view   ARCHIVE      -> {"members": [...]}
  inspect_archive.py tar-extract ARCHIVE DIR -> extractall(DIR, filter='data'), then lists DIR
  inspect_archive.py record-verify WHEEL     -> checks RECORD against every member

A member record: name (no trailing slash), type (file|dir|symlink|hardlink|other),
exec (files: any x bit), sha256 (files), size, linkname, plus raw fields for diagnostics.
"""

import base64
import copy
import csv
import hashlib
import io
import json
import os
import stat
import sys
import tarfile
import zipfile


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def tar_view(path):
    members = []
    with tarfile.open(path, "r:*") as tf:
        for ti in tf.getmembers():
            rec = {
                "name": ti.name.rstrip("/"),
                "mode": ti.mode,
                "mtime": ti.mtime,
                "uid": ti.uid,
                "gid": ti.gid,
                "uname": ti.uname,
                "gname": ti.gname,
                "pax": sorted(ti.pax_headers.keys()),
                "linkname": "",
                "sha256": "",
                "size": 0,
                "exec": False,
            }
            if ti.isreg() or ti.islnk():
                f = tf.extractfile(ti)
                data = f.read() if f is not None else b""
                rec["type"] = "file" if ti.isreg() else "hardlink"
                rec["sha256"] = sha256(data)
                rec["size"] = len(data)
                rec["exec"] = bool(ti.mode & 0o111)
                if ti.islnk():
                    rec["linkname"] = ti.linkname
            elif ti.isdir():
                rec["type"] = "dir"
            elif ti.issym():
                rec["type"] = "symlink"
                rec["linkname"] = ti.linkname
            else:
                rec["type"] = "other"
            members.append(rec)
    return {"members": members}


def zip_view(path):
    members = []
    with zipfile.ZipFile(path) as zf:
        for zi in zf.infolist():
            mode = zi.external_attr >> 16
            rec = {
                "name": zi.filename.rstrip("/"),
                "mode": mode,
                "external_attr": zi.external_attr,
                "create_system": zi.create_system,
                "date_time": list(zi.date_time),
                "flag_bits": zi.flag_bits,
                "compress_type": zi.compress_type,
                "extra_len": len(zi.extra),
                "sha256": "",
                "size": 0,
                "exec": False,
                "linkname": "",
            }
            if zi.is_dir():
                rec["type"] = "dir"
            elif stat.S_ISLNK(mode):
                rec["type"] = "symlink"
                rec["linkname"] = zf.read(zi).decode("utf-8")
            else:
                data = zf.read(zi)  # checks the CRC
                rec["type"] = "file"
                rec["sha256"] = sha256(data)
                rec["size"] = len(data)
                rec["exec"] = bool(mode & 0o111)
            members.append(rec)
    return {"members": members}


class FilterError(Exception):
    pass


def _data_filter_attrs(member, dest_path):
    """Port of CPython 3.12's tarfile._get_filtered_attrs(for_data=True), for Pythons without
    PEP 706 (Debian 12's 3.11.2). Raises FilterError where tarfile.data_filter would refuse."""
    new_attrs = {}
    name = member.name
    dest_path = os.path.realpath(dest_path)
    if name.startswith(("/", os.sep)):
        name = new_attrs["name"] = member.path.lstrip("/" + os.sep)
    if os.path.isabs(name):
        raise FilterError("%s: absolute path" % member.name)
    target_path = os.path.realpath(os.path.join(dest_path, name))
    if os.path.commonpath([target_path, dest_path]) != dest_path:
        raise FilterError("%s: outside the destination" % member.name)
    mode = member.mode
    if mode is not None:
        mode = mode & 0o755
        if member.isreg() or member.islnk():
            if not mode & 0o100:
                mode &= ~0o111
            mode |= 0o600
        elif member.isdir() or member.issym():
            mode = None
        else:
            raise FilterError("%s: special file" % member.name)
        if mode != member.mode:
            new_attrs["mode"] = mode
    if member.islnk() or member.issym():
        if os.path.isabs(member.linkname):
            raise FilterError("%s: absolute link %s" % (member.name, member.linkname))
        if member.issym():
            target_path = os.path.join(dest_path, os.path.dirname(name), member.linkname)
        else:
            target_path = os.path.join(dest_path, member.linkname)
        target_path = os.path.realpath(target_path)
        if os.path.commonpath([target_path, dest_path]) != dest_path:
            raise FilterError("%s: link outside the destination" % member.name)
    return new_attrs


def tar_extract(path, dest):
    with tarfile.open(path, "r:*") as tf:
        if hasattr(tarfile, "data_filter"):
            used = "tarfile.data_filter"
            tf.extractall(dest, filter="data")
        else:
            used = "vendored port of data_filter (Python %s lacks PEP 706)" % sys.version.split()[0]
            members = []
            for m in tf.getmembers():
                attrs = _data_filter_attrs(m, dest)
                m = copy.copy(m)
                if "name" in attrs:
                    m.name = attrs["name"]
                if attrs.get("mode") is not None:
                    m.mode = attrs["mode"]
                # 'data' ignores ownership: extract as the current user.
                m.uid, m.gid, m.uname, m.gname = os.getuid(), os.getgid(), "", ""
                members.append(m)
            tf.extractall(dest, members=members, numeric_owner=True)
    out = []
    for dirpath, dirnames, filenames in os.walk(dest):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            out.append({"name": os.path.relpath(p, dest), "mode": stat.S_IMODE(st.st_mode),
                        "isdir": stat.S_ISDIR(st.st_mode), "islink": stat.S_ISLNK(st.st_mode)})
    return {"extracted": sorted(out, key=lambda r: r["name"]), "filter": used}


def b64(digest):
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def record_verify(path):
    problems = []
    with zipfile.ZipFile(path) as zf:
        names = [zi.filename for zi in zf.infolist()]
        records = [n for n in names if n.endswith(".dist-info/RECORD") and n.count("/") == 1]
        if len(records) != 1:
            raise SystemExit("expected one top-level *.dist-info/RECORD, found %r" % records)
        record_name = records[0]
        text = zf.read(record_name).decode("utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        listed = {}
        for row in rows:
            if not row:
                continue
            if len(row) != 3:
                problems.append("bad RECORD row %r" % (row,))
                continue
            listed[row[0]] = row
        files = [n for n in names if not n.endswith("/")]
        if len(set(names)) != len(names):
            problems.append("duplicate member names")
        for n in files:
            if n not in listed:
                problems.append("%s: not in RECORD" % n)
                continue
            _, h, size = listed.pop(n)
            if n == record_name:
                if h or size:
                    problems.append("RECORD lists a hash for itself")
                continue
            data = zf.read(n)
            algo, _, value = h.partition("=")
            if algo != "sha256":
                problems.append("%s: hash algorithm %r" % (n, algo))
            elif value != b64(hashlib.sha256(data).digest()):
                problems.append("%s: hash mismatch" % n)
            if size != str(len(data)):
                problems.append("%s: size %s != %d" % (n, size, len(data)))
        for n in listed:
            problems.append("%s: in RECORD but not in the wheel" % n)
        last = names[-1] if names else None
    return {"problems": problems, "record": record_name, "last_member": last, "names": names}


def main(argv):
    cmd = argv[1]
    if cmd == "tar-view":
        res = tar_view(argv[2])
    elif cmd == "zip-view":
        res = zip_view(argv[2])
    elif cmd == "tar-extract":
        res = tar_extract(argv[2], argv[3])
    elif cmd == "record-verify":
        res = record_verify(argv[2])
    else:
        raise SystemExit("unknown command " + cmd)
    json.dump(res, sys.stdout, ensure_ascii=True, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv)

"""A long-lived installer oracle for the structure-aware fuzzer (test/fuzz/structured.ts).

  oracle.py ORACLE SCRATCH

serves ORACLE (pip, tarfile-data or zipfile: see differential.py's extract) case after case: it
reads one archive path per line on stdin and answers each with one JSON line on stdout, the
installed view {"ok": true, "listing": [...]} (differential.py's listing: names, types, exec bits,
content hashes, link targets) or the refusal {"ok": false, "error": "..."}. Every case is extracted
into a fresh directory under SCRATCH and removed after, so the process can serve a whole campaign
instead of starting Python (and importing pip) once per case.
"""
import json
import os
import shutil
import sys
import tempfile

from differential import extract, listing


def make_removable(root):
    """Extraction may leave directories without write or search permission: give them back."""
    for dirpath, dirnames, _ in os.walk(root):
        for name in dirnames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, 0o755)


def view(oracle, path, scratch):
    case_dir = tempfile.mkdtemp(dir=scratch)
    try:
        target = os.path.join(case_dir, "x")
        os.mkdir(target)
        extract(oracle, path, target)
        return {"ok": True, "listing": listing(target)}
    except BaseException as error:  # an oracle that fails is an answer, not a crash
        first = str(error).splitlines()[0] if str(error) else ""
        return {"ok": False, "error": "%s: %s" % (type(error).__name__, first[:300])}
    finally:
        make_removable(case_dir)
        shutil.rmtree(case_dir, ignore_errors=True)


def main():
    oracle, scratch = sys.argv[1], sys.argv[2]
    # The answers own stdout; anything a library prints goes to stderr instead.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr
    for line in sys.stdin:
        answers.write(json.dumps(view(oracle, line.rstrip("\n"), scratch)) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()

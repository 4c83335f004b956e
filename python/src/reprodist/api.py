"""The Python API: each function runs one CLI verb with --json and returns the parsed document.

Every report has "command", "results", "problems" and "exitCode" (0, 1 or 2, as the CLI's), as the
JavaScript library's do. A file that cannot be read does not raise: it is a result with status
"refused" or "error"; a path that names nothing or a bad setting is a line of "problems" with exit
code 2 (a bad setting, refused while the CLI reads its command line, is that report's one problem).
Only a missing Node.js, or a CLI that fails otherwise, raises ReprodistError.

Settings not given come from where the CLI takes them: SOURCE_DATE_EPOCH (for the epoch), then
[tool.reprodist] in the nearest pyproject.toml at or above `cwd` (default: the current directory).
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any, Dict, List, Literal, Optional, Sequence, TypedDict, Union

from ._node import NodeNotFound, cli_command, cli_environment

StrPath = Union[str, "os.PathLike[str]"]
Paths = Union[StrPath, Sequence[StrPath], None]


Kind = Literal["sdist", "wheel"]


class Change(TypedDict):
    field: str
    count: int
    examples: List[str]
    all: List[str]


class _ArtefactResultRequired(TypedDict):
    path: str
    status: Literal["normalized", "unchanged", "normal", "not-normal", "refused", "error"]
    changes: List[Change]
    problems: List[str]


class ArtefactResult(_ArtefactResultRequired, total=False):
    kind: Kind
    output: str
    message: str
    notes: List[str]


class _ReportRequired(TypedDict):
    command: Literal["normalize", "check"]
    results: List[ArtefactResult]
    problems: List[str]
    exitCode: int


class Report(_ReportRequired, total=False):
    """What `normalize` and `check` return (docs/api.md, "Results")."""

    epoch: int  # absent when the settings could not be used


class _DigestResultRequired(TypedDict):
    path: str
    kind: Kind
    status: Literal["ok", "refused", "error"]


class DigestResult(_DigestResultRequired, total=False):
    digest: str
    message: str


class DigestReport(TypedDict):
    """What `digest` returns (docs/digest.md)."""

    command: Literal["digest"]
    results: List[DigestResult]
    problems: List[str]
    exitCode: int


class CompareReport(TypedDict):
    """What `compare` returns (docs/compare.md); each result is one pair of files compared."""

    command: Literal["compare"]
    a: str
    b: str
    results: List[Dict[str, Any]]
    onlyInA: List[str]
    onlyInB: List[str]
    problems: List[str]
    exitCode: int


class VerifyReport(TypedDict):
    """What `verify` returns (docs/compare.md, "verify"); each result is one local file checked against one source."""

    command: Literal["verify"]
    local: List[str]
    sources: List[Dict[str, Any]]
    results: List[Dict[str, Any]]
    problems: List[str]
    exitCode: int


class ReprodistError(RuntimeError):
    """The CLI refused the arguments or settings, or could not run; the message is its own."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _path_argument(path: StrPath) -> str:
    text = os.fspath(path)
    # A leading "-" would read as a flag, and the CLI does not take paths after "--".
    return os.path.join(os.curdir, text) if text.startswith("-") else text


def _path_arguments(paths: Paths) -> List[str]:
    if paths is None:
        return []
    if isinstance(paths, (str, os.PathLike)):
        return [_path_argument(paths)]
    return [_path_argument(path) for path in paths]


def _option_arguments(**options: Any) -> List[str]:
    """keep_compression=True -> --keep-compression, level=9 -> --level 9; None and False: not given."""
    arguments: List[str] = []
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        arguments.extend([flag] if value is True else [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)])
    return arguments


def _run_json(arguments: List[str], cwd: Optional[StrPath]) -> Any:
    try:
        command = cli_command(arguments)
    except NodeNotFound as error:
        raise ReprodistError(str(error), 2) from None
    completed = subprocess.run(command, cwd=cwd, env=cli_environment(), stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8")
    try:
        return json.loads(completed.stdout)
    except ValueError:
        message = completed.stderr.strip() or f"reprodist exited {completed.returncode} without a report"
        lines = message.splitlines()
        if completed.returncode == 2 and len(lines) == 1:
            # A bad setting is refused while the command line is read, before there is a document:
            # it is the document's one problem, as the JavaScript library gives it.
            problem = lines[0][len("reprodist: "):] if lines[0].startswith("reprodist: ") else lines[0]
            return {"command": arguments[0], "results": [], "problems": [problem], "exitCode": 2}
        raise ReprodistError(message, completed.returncode) from None


def normalize(
    paths: Paths = None,
    *,
    epoch: Union[int, Literal["git"], None] = None,
    mtime: Optional[Literal["epoch", "clamp"]] = None,
    level: Optional[int] = None,
    jobs: Optional[int] = None,
    keep_compression: Optional[bool] = None,
    out: Optional[StrPath] = None,
    cwd: Optional[StrPath] = None,
) -> Report:
    """Rewrite each artefact in normal form, in place or into the directory `out`."""
    options = _option_arguments(epoch=epoch, mtime=mtime, level=level, jobs=jobs, keep_compression=keep_compression, out=out)
    report: Report = _run_json(["normalize", "--json", *options, *_path_arguments(paths)], cwd)
    return report


def check(
    paths: Paths = None,
    *,
    epoch: Union[int, Literal["git"], None] = None,
    mtime: Optional[Literal["epoch", "clamp"]] = None,
    level: Optional[int] = None,
    jobs: Optional[int] = None,
    keep_compression: Optional[bool] = None,
    cwd: Optional[StrPath] = None,
) -> Report:
    """Say for each artefact whether it is in normal form, and what normalizing would change."""
    options = _option_arguments(epoch=epoch, mtime=mtime, level=level, jobs=jobs, keep_compression=keep_compression)
    report: Report = _run_json(["check", "--json", *options, *_path_arguments(paths)], cwd)
    return report


def digest(paths: Paths = None, *, cwd: Optional[StrPath] = None) -> DigestReport:
    """The content digest of each artefact: equal for artefacts with the same content."""
    report: DigestReport = _run_json(["digest", "--json", *_path_arguments(paths)], cwd)
    return report


def compare(
    a: StrPath,
    b: StrPath,
    *,
    diffs: Optional[int] = None,
    diff_lines: Optional[int] = None,
    cwd: Optional[StrPath] = None,
) -> CompareReport:
    """Compare two artefacts, or two directories of them paired by file name."""
    options = _option_arguments(diffs=diffs, diff_lines=diff_lines)
    report: CompareReport = _run_json(["compare", "--json", *options, *_path_arguments([a, b])], cwd)
    return report


def verify(
    local: Paths = None,
    *,
    against: Optional[Sequence[str]] = None,
    pypi: Optional[Sequence[str]] = None,
    index_url: Optional[str] = None,
    build: bool = False,
    build_command: Optional[str] = None,
    epoch: Union[int, Literal["git"], None] = None,
    mtime: Optional[Literal["epoch", "clamp"]] = None,
    level: Optional[int] = None,
    timeout: Optional[float] = None,
    max_size: Optional[str] = None,
    cwd: Optional[StrPath] = None,
) -> VerifyReport:
    """Check local artefacts against remote files (against), a release on an index (pypi), or a clean rebuild (build)."""
    options = _option_arguments(
        index_url=index_url, build=build, build_command=build_command, epoch=epoch, mtime=mtime, level=level, timeout=timeout, max_size=max_size
    )
    for flag, values in (("--against", against), ("--pypi", pypi)):
        for value in values or []:
            options.extend([flag, value])
    report: VerifyReport = _run_json(["verify", "--json", *options, *_path_arguments(local)], cwd)
    return report

"""reprodist: make Python sdists and wheels byte-reproducible.

The CLI (`reprodist`, `python -m reprodist`), a PEP 517/660 backend wrapper (`reprodist.backend`)
and this API, which returns the CLI's --json reports. Node.js 20 or later runs the bundled CLI.
"""

from ._version import __version__
from .api import (
    ArtefactResult,
    Change,
    CompareReport,
    DigestReport,
    DigestResult,
    Report,
    ReprodistError,
    VerifyReport,
    check,
    compare,
    digest,
    normalize,
    verify,
)

__all__ = [
    "ArtefactResult",
    "Change",
    "CompareReport",
    "DigestReport",
    "DigestResult",
    "Report",
    "ReprodistError",
    "VerifyReport",
    "__version__",
    "check",
    "compare",
    "digest",
    "normalize",
    "verify",
]

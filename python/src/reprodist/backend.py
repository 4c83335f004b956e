"""A PEP 517 and PEP 660 build backend that wraps another and writes the normal form.

In pyproject.toml:

    [build-system]
    requires = ["reprodist", "setuptools"]
    build-backend = "reprodist.backend"

    [tool.reprodist]
    backend = "setuptools.build_meta"     # the backend that does the building ("module" or "module:object")
    backend-path = ["_build"]             # optional: in-tree directories to import it from

Every hook the wrapped backend has is delegated, and only those: frontends tell which optional hooks
exist by looking them up, so they are looked up on the wrapped backend (module __getattr__).
build_sdist, build_wheel and build_editable then run `reprodist normalize` on the file made, from
the project directory, so that [tool.reprodist] and SOURCE_DATE_EPOCH apply as on the command line.
A refusal fails the build with reprodist's message, and nothing else: see BackendError.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from typing import Any, Callable, Dict, Optional

from ._node import NodeNotFound, cli_command, cli_environment

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

#: Hooks passed through as they are (PEP 517 and PEP 660).
DELEGATED_HOOKS = frozenset(
    {
        "get_requires_for_build_sdist",
        "get_requires_for_build_wheel",
        "get_requires_for_build_editable",
        "prepare_metadata_for_build_wheel",
        "prepare_metadata_for_build_editable",
    }
)


class BackendError(SystemExit):
    """The build stops, and the message is the whole story.

    PEP 517 frontends (build, pip) run each hook in a process of its own and print what it writes.
    An exception that ends that process is printed with a traceback of the frontend's hook runner,
    which says nothing about the project; a SystemExit is printed as its message alone, one line,
    and exits 1, which the frontend reports as the hook having failed.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BackendConfigError(BackendError):
    """[tool.reprodist] does not name a usable backend."""


class NormalizationFailed(BackendError):
    """reprodist refused the file the backend made, or could not run."""


_wrapped: Optional[Any] = None


def _config() -> Dict[str, Any]:
    # Frontends run every hook from the project directory (PEP 517).
    source = os.path.abspath("pyproject.toml")
    try:
        with open(source, "rb") as file:
            document = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise BackendConfigError(f"reprodist.backend: cannot read {source}: {error}") from None
    table = document.get("tool", {}).get("reprodist", {})
    if not isinstance(table.get("backend"), str) or not table["backend"].strip():
        raise BackendConfigError(
            f'reprodist.backend: {source} must name the backend to wrap, e.g. [tool.reprodist] backend = "setuptools.build_meta"'
        )
    backend_path = table.get("backend-path", [])
    if not isinstance(backend_path, list) or not all(isinstance(entry, str) for entry in backend_path):
        raise BackendConfigError(f"reprodist.backend: {source}: [tool.reprodist] backend-path must be a list of strings")
    return {"backend": table["backend"].strip(), "backend-path": backend_path}


def _load_wrapped() -> Any:
    global _wrapped
    if _wrapped is not None:
        return _wrapped
    config = _config()
    project = os.path.abspath(os.curdir)
    # As build-system.backend-path in PEP 517: relative to the project, inside it, searched first.
    for entry in reversed(config["backend-path"]):
        directory = os.path.abspath(entry)
        if os.path.commonpath([project, directory]) != project:
            raise BackendConfigError(f"reprodist.backend: backend-path {entry!r} is outside the project directory")
        sys.path.insert(0, directory)
    module_name, _, object_path = config["backend"].partition(":")
    if module_name == __name__:
        raise BackendConfigError("reprodist.backend: [tool.reprodist] backend cannot be reprodist.backend itself")
    backend: Any = importlib.import_module(module_name)
    for attribute in filter(None, object_path.split(".")):
        backend = getattr(backend, attribute)
    _wrapped = backend
    return backend


def _normalize(directory: str, name: str) -> str:
    try:
        command = cli_command(["normalize", os.path.join(directory, name)])
    except NodeNotFound as error:
        raise NormalizationFailed(f"reprodist.backend: {error}") from None
    completed = subprocess.run(command, env=cli_environment(), stdin=subprocess.DEVNULL, capture_output=True, text=True)
    output = (completed.stdout + completed.stderr).strip()
    if completed.returncode != 0:
        # The build failed: a file not in normal form must not be left where the build's output goes.
        os.remove(os.path.join(directory, name))
        # reprodist's own lines (one per failing file: `refused  <path>: <why>`), as they are.
        reason = output or f"exit {completed.returncode}"
        raise NormalizationFailed(f"reprodist.backend: {name} was not normalized, so it is not kept: {reason}")
    if output:
        print(output, file=sys.stderr)
    return name


def _build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    return _normalize(sdist_directory, _load_wrapped().build_sdist(sdist_directory, config_settings))


def _build_wheel(
    wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None
) -> str:
    return _normalize(wheel_directory, _load_wrapped().build_wheel(wheel_directory, config_settings, metadata_directory))


def _build_editable(
    wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None
) -> str:
    return _normalize(wheel_directory, _load_wrapped().build_editable(wheel_directory, config_settings, metadata_directory))


_NORMALIZING_HOOKS: Dict[str, Callable[..., str]] = {
    "build_sdist": _build_sdist,
    "build_wheel": _build_wheel,
    "build_editable": _build_editable,
}


def __getattr__(name: str) -> Any:
    if name in DELEGATED_HOOKS:
        return getattr(_load_wrapped(), name)
    if name in _NORMALIZING_HOOKS and hasattr(_load_wrapped(), name):
        return _NORMALIZING_HOOKS[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""`reprodist ...` and `python -m reprodist ...`: the bundled CLI, run by Node.js.

On POSIX the Python process becomes Node (exec): arguments, stdio, the exit status and signals are
then Node's own, with nothing in between (a signal that kills Node is seen by the caller as that
signal, which shells report as 128+N). Windows has no exec: Node runs as a child, which receives
Ctrl-C from the console itself, and its exit code is returned.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import NoReturn

from ._node import NodeNotFound, cli_command, cli_environment


def main() -> NoReturn:
    try:
        command = cli_command(sys.argv[1:])
    except NodeNotFound as error:
        print(f"reprodist: {error}", file=sys.stderr)
        sys.exit(2)
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execve(command[0], command, cli_environment())
    # The console delivers Ctrl-C to Node too: Python waits for Node to decide what it means.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(subprocess.call(command, env=cli_environment()))


if __name__ == "__main__":
    main()

"""The one way both command lines (``python -m landslide``, ``python -m bench``) run a parsed command and
turn what it raises into an exit code. Errors a user can fix print as one paragraph and exit 2; anything
else is a bug and keeps its traceback."""
from __future__ import annotations

import argparse
import signal
import sys

from landslide.errors import LandslideError


def run_cli(parser: argparse.ArgumentParser, argv: list[str] | None, interrupted: str) -> int:
    """Parse ``argv``, run the chosen subcommand's ``fn(args)``; 0 done, 2 a user's error, 130 interrupted
    (``interrupted`` says what was kept and how to go on)."""
    args = parser.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C: temporaries are removed, worker processes stopped, finished work kept
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        args.fn(args)
    except LandslideError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno is None:  # raised by our own code with a message (a grid file that does not exist)
            print(f"error: {exc}", file=sys.stderr)
        else:  # from the system: a full, read-only or missing output place, a name the file system refuses
            where = f" ({exc.filename})" if exc.filename else ""
            print(f"error: {exc.strerror or exc}{where}; choose a writable --out with free space", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"interrupted: {interrupted}", file=sys.stderr)
        return 130
    return 0


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt

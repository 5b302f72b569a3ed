"""``python -m bench``: regenerate the paper's tables and figures, each from one command."""
from __future__ import annotations

import argparse
import signal
import sys

from bench.args import EVIDENCE_SEEDS, add_grid_arguments
from landslide.errors import LandslideError


def _table(args, grid_name: str) -> None:
    from bench.grid.tables import make_table
    make_table(grid_name, args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench",
                                description="Regenerate the paper's tables and figures, each from one command. "
                                            "Every command is "
                                "resumable: finished cells are kept in the results store and never recomputed.")
    sub = p.add_subparsers(dest="command", required=True)
    for name, help_text in (("table2", "Table 2: ablation of training factors (8 rows, the paper's factors)"),
                            ("table3", "Table 3: heads (FC, LightGBM, SVM C=1, .75, .5, .1) on Table 2's last row")):
        t = sub.add_parser(name, help=help_text, description=help_text)
        add_grid_arguments(t, seeds=EVIDENCE_SEEDS)
        t.add_argument("--grid", default=name, help=f"grid name or TOML path (default {name})")
        t.set_defaults(fn=lambda a: _table(a, a.grid))
    from bench import commands
    commands.register(sub, add_grid_arguments)
    return p


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so worker processes are stopped and finished cells stay in the store
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        args.fn(args)
    except (LandslideError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full, read-only or missing output place, a name the file system refuses
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}; choose a writable --out with free space", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished cells are in the store; run the same command again to resume",
              file=sys.stderr)
        return 130
    return 0

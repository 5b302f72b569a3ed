"""``python -m bench``: regenerate the paper's tables and figures, each from one command."""
from __future__ import annotations

import argparse
import shlex
import sys

from bench.commands import (
    backbones,
    contrast,
    gpu_check,
    gpu_diagnose,
    occlusion,
    rebuild,
    smote,
    speed,
    sweep,
    table2,
    table3,
    thresholds,
    tricks,
    umap,
)
from landslide.run_cli import run_cli

# name -> module with HELP, add_arguments(parser) and run(args); listed in the order --help shows them
COMMANDS = {
    "table2": table2,
    "table3": table3,
    "contrast": contrast,
    "rebuild": rebuild,
    "smote": smote,
    "sweep": sweep,
    "backbones": backbones,
    "tricks": tricks,
    "thresholds": thresholds,
    "umap": umap,
    "occlusion": occlusion,
    "speed": speed,
    "gpu-check": gpu_check,
    "gpu-diagnose": gpu_diagnose,
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench",
                                description="Regenerate the paper's tables and figures, each from one command. "
                                            "Every command is resumable: finished cells are kept in the results "
                                            "store and never recomputed.")
    sub = p.add_subparsers(dest="command", required=True)
    for name, command in COMMANDS.items():
        c = sub.add_parser(name, help=command.HELP, description=command.HELP)
        command.add_arguments(c)
        c.set_defaults(fn=command.run)
    return p


def main(argv: list[str] | None = None) -> int:
    again = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    return run_cli(build_parser(), argv, f"finished cells, and the finished folds and epochs of the cells that were "
                                         f"running, are kept; resume with: {again}")

"""Every command's --help says what it writes (or that it writes no file) and how long it takes, measured
or "not measured"."""
import re

import pytest

from bench.cli import COMMANDS
from bench.cli import build_parser as bench_parser
from landslide.cli import build_parser as landslide_parser


def _helps(parser) -> dict[str, str]:
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return {name: " ".join(p.format_help().split()) for name, p in sub.choices.items()}


HELPS = {f"bench {k}": v for k, v in _helps(bench_parser()).items()} | \
        {f"landslide {k}": v for k, v in _helps(landslide_parser()).items()}


@pytest.mark.parametrize("command", sorted(HELPS))
def test_every_command_s_help_names_its_outputs_and_its_time(command):
    said = HELPS[command]
    assert re.search(r"[Ww]rites? (no file|OUT|the |tables/|[A-Za-z_/]+\.)", said), said
    assert "measured" in said, said            # a measured figure with its source, or "not measured"
    if "not measured" not in said:
        assert "docs/performance.md" in said and re.search(r"2026-12-0\d", said), said


def test_every_bench_command_is_covered_and_the_grid_tables_name_their_files():
    assert {f"bench {k}" for k in COMMANDS} <= set(HELPS)
    assert "tables/table2[_PROFILE].{csv,md,tex}" in HELPS["bench table2"]
    assert "tables/backbones_lr[_PROFILE].{csv,md,tex}" in HELPS["bench backbones"]
    assert "OUT/tables/regime_contrast.{csv,md}" in HELPS["bench contrast"]

"""bench backbones --grid FILE: every row's backbone names a registry family, checked when the grid is read."""
import subprocess
import sys

import pytest

from bench.grid.spec import load_grid
from landslide.errors import LandslideError

GRID = """[grid]
name = "mine"
baseline = "a"
factors = ["backbone"]

[[row]]
name = "a"
backbone = "@resnet"

[[row]]
name = "b"
{line}
"""


@pytest.mark.parametrize("line", ['backbone = "@nosuch"', 'backbone = "resnet18"', 'label = "no backbone at all"'])
def test_bench_backbones_refuses_a_row_naming_no_family_before_anything_trains(tmp_path, line):
    grid = tmp_path / "mine.toml"
    grid.write_text(GRID.format(line=line))
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "bench", "backbones", "--profile", "smoke", "--grid", str(grid),
                        "--out", str(out)], capture_output=True, text=True)
    said = r.stdout + r.stderr
    assert r.returncode == 2 and "Traceback" not in said
    assert f"{grid}: row 2 (b): backbone = " in said and "names no family" in said
    assert "'@resnet'" in said and "'@vit'" in said            # the families to choose from
    assert not out.exists()                                   # no store, no run folder, no table


def test_an_unknown_family_is_refused_in_any_grid_and_a_plain_timm_name_only_where_families_are_compared(tmp_path):
    grid = tmp_path / "mine.toml"
    grid.write_text(GRID.format(line='backbone = "@resnett"'))
    with pytest.raises(LandslideError, match=r"row 2 \(b\): backbone = '@resnett' names no family"):
        load_grid(grid)
    grid.write_text(GRID.format(line='backbone = "resnet18"'))
    assert load_grid(grid).rows[1].fields["backbone"] == "resnet18"   # a Table 2 copy may name a timm model
    with pytest.raises(LandslideError, match="row 2 \\(b\\): backbone = 'resnet18' names no family"):
        load_grid(grid, families=True)
    assert len(load_grid("backbones", families=True).rows) >= 5       # the packaged grid passes

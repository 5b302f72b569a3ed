"""Names that become file names are plain ones, checked where they are read (landslide/names.py)."""
import pytest

from bench.cli import main as bench_main
from bench.grid.spec import load_grid
from bench.output import output_stem
from landslide.errors import LandslideError
from landslide.profiles import profile_config, profile_overrides

ROW = '[[row]]\nname = "a"\n'


@pytest.mark.parametrize("name", ["../../../x", "/abs/x", "..", "a\\b", ""])
def test_a_grid_named_like_a_path_writes_nothing(tmp_path, snapshot, capsys, name):
    grid = tmp_path / "g.toml"
    grid.write_text(f"[grid]\nname = '{name}'\n" + ROW)  # a literal string: no escapes
    before = snapshot(tmp_path)
    rc = bench_main(["table2", "--grid", str(grid), "--profile", "smoke", "--seeds", "0", "--out",
                     str(tmp_path / "out"), "--no-progress"])
    assert rc == 2 and f"{grid}: [grid] name" in capsys.readouterr().err
    assert snapshot(tmp_path) == before


def test_a_row_or_base_named_like_a_path_is_refused(tmp_path):
    grid = tmp_path / "g.toml"
    grid.write_text('[grid]\nname = "g"\n[[row]]\nname = "ok"\n[[row]]\nname = "../up"\n')
    with pytest.raises(LandslideError, match=r"g.toml: row 2 name: '../up' is not a plain file name"):
        load_grid(grid)
    grid.write_text('[grid]\nname = "g"\nbase = "../../elsewhere/table2.smote"\n' + ROW)
    with pytest.raises(LandslideError, match="its grid"):
        load_grid(grid)


def test_a_profile_file_whose_name_is_dot_dot_is_refused(tmp_path):
    path = tmp_path / "...toml"  # stem ".."
    path.write_text("epochs = 1\n")
    with pytest.raises(LandslideError, match=r"the profile's name .*'\.\.' is not a plain file name"):
        profile_overrides(str(path))


def test_output_stem_is_the_last_guard():
    with pytest.raises(LandslideError, match="output name"):
        output_stem("../x", profile_config("smoke"))
    assert output_stem("table2", profile_config("smoke")) == "table2_smoke"

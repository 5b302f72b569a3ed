"""Grid files are validated when loaded; an unknown row or grid is one message."""
import subprocess
import sys

import pytest

from bench.grid.spec import load_grid
from landslide.errors import LandslideError


def cli(*args, module="landslide", env=None):
    r = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + r.stderr


def _grid_copy(tmp_path, edit):
    from bench.grid.spec import GRID_DIR
    path = tmp_path / "mine.toml"
    path.write_text(edit((GRID_DIR / "table2.toml").read_text()))
    return path


@pytest.mark.parametrize("edit, said", [
    (lambda t: t.replace('name = "dim384"', 'name = "baseline"'), "row 2 is named 'baseline' like row 1"),
    (lambda t: t[:t.index("[[row]]")], "no rows"),
    (lambda t: t.replace('baseline = "baseline"', 'baseline = "base"'), "baseline = 'base' names no row"),
    (lambda t: t.replace("factors = [", 'factors = ["smoot", '), "factors ['smoot'] are not configuration fields"),
    (lambda t: t + "\n[[row\n", "not a valid TOML file"),
    (lambda t: t + '\n[[row]]\nlabel = "x"\n', "has no name"),
])
def test_a_grid_file_is_checked_when_loaded(tmp_path, edit, said):
    from bench.grid.spec import load_grid
    path = _grid_copy(tmp_path, edit)
    with pytest.raises(LandslideError, match="mine.toml") as err:
        load_grid(path)
    assert said in str(err.value)


def test_the_packaged_grids_load(tmp_path):
    from bench.grid.spec import GRID_DIR, load_grid
    assert all(load_grid(p).rows for p in GRID_DIR.glob("*.toml"))
    assert len(load_grid(_grid_copy(tmp_path, lambda t: t)).rows) == len(load_grid("table2").rows)
    # the baseline grid is Table 2's first row, so its cells are Table 2's baseline cells
    assert [r.fields for r in load_grid("baseline").rows] == [load_grid("table2").rows[0].fields]


def test_a_grid_with_a_repeated_row_name_is_refused_by_bench(tmp_path):
    path = _grid_copy(tmp_path, lambda t: t.replace('name = "dim384"', 'name = "baseline"'))
    rc, out = cli("table2", "--grid", path, "--profile", "smoke", "--out", tmp_path / "o", module="bench")
    assert rc == 2 and "Traceback" not in out and "like row 1" in out and not (tmp_path / "o" / "tables").exists()


def test_an_unknown_row_or_grid_is_one_line(tmp_path, capsys):
    from bench.cli import main
    assert main(["umap", "--best-row", "x", "--profile", "smoke", "--out", str(tmp_path)]) == 2
    assert "grid table2 has no row 'x'; choose one of" in capsys.readouterr().err
    rc, out = cli("table2", "--grid", "nosuch", "--profile", "smoke", "--out", tmp_path, module="bench")
    assert rc == 2 and "no grid 'nosuch'" in out and "Traceback" not in out


# c. one precedence, --set parsed once, the data fingerprinted after resolving --------------------------


def test_table2_rows_name_their_one_factor_parents():
    rows = {r.name: r for r in load_grid("table2").rows}
    assert {n: r.parent for n, r in rows.items()} == {
        "baseline": None, "dim384": "baseline", "ch20": "baseline", "mix": "baseline", "step": "mix",
        "cosine": "mix", "robust": "cosine", "smote": "cosine"}
    assert rows["ch20"].isolates == "mix"


def test_an_unknown_parent_is_an_error_naming_the_file_and_the_row(tmp_path):
    path = tmp_path / "g.toml"
    path.write_text('[[row]]\nname = "a"\n\n[[row]]\nname = "b"\nparent = "c"\n')
    with pytest.raises(LandslideError, match=r"g\.toml: row 2 \(b\) has parent = 'c', which names no other row"):
        load_grid(path)


@pytest.mark.parametrize("line, said", [
    ("seed = 5", "row 2 (dim384) sets seed, which the command sets (seeds: --seeds"),
    ('epochs = "x"', "row 2 (dim384): epochs='x' must be an integer"),
    ("lr = -1.0", "row 2 (dim384): lr=-1.0 must be > 0"),
    ('optimizer = "sgd"', "row 2 (dim384): optimizer='sgd' is not one of"),
    ('profile = "paper"', "row 2 (dim384) sets profile, which the command sets"),
])
def test_every_value_of_a_row_is_checked_when_the_grid_is_read(tmp_path, line, said):
    path = _grid_copy(tmp_path, lambda t: t.replace('name = "dim384"', f'name = "dim384"\n{line}'))
    with pytest.raises(LandslideError) as err:
        load_grid(path)
    assert str(err.value).startswith(f"{path}: ") and said in str(err.value)


@pytest.mark.parametrize("item", ["profile=paper", "profile_file=mine.toml", "data_fingerprint=x"])
def test_set_refuses_the_fields_the_tool_sets(item):
    from landslide.options import parse_sets
    with pytest.raises(LandslideError, match=f"--set {item.split('=')[0]}: set by the tool"):
        parse_sets([item])

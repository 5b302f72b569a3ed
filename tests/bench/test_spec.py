"""Grid files: each row's parent is validated as the file is read."""
import pytest

from bench.grid.spec import load_grid
from landslide.errors import LandslideError


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

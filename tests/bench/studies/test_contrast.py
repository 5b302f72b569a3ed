"""bench contrast: the table from two Table 2 CSVs, bad input, and the committed contrast against one
made afresh from the committed tables (the verdict rule itself: test_verdict.py)."""
from argparse import Namespace
from pathlib import Path

import pandas as pd
import pytest

from bench.output import write_table
from bench.studies.contrast import contrast_command, read_table
from landslide.errors import LandslideError

REPO = Path(__file__).resolve().parents[3]


def _table2(rows: list[tuple], out: Path, name: str, profile: str) -> None:
    """A Table 2 CSV as the grid writes it, with the columns contrast reads."""
    cols = ["row", "model", "paper_train_f1", "paper_test_f1", "train_f1", "test_f1", "test_f1_lo", "test_f1_hi",
            "delta_test_base", "delta_test_base_lo", "delta_test_base_hi"]
    head = ["Ablation", f"data: synthetic(n=10); profile: {profile} (net, 3 folds); seeds: 0",
            f"regime: {profile} line", f"code: {profile} commit", "how columns are computed"]
    write_table(pd.DataFrame(rows, columns=cols), head, out, name, latex=False)


def _args(tmp_path, **kw) -> Namespace:
    return Namespace(**({"out": str(tmp_path), "tables": "", "fitted": "table2", "underfit": "table2_underfit",
                         "grid": "table2", "name": "regime_contrast"} | kw))


def test_contrast_puts_two_profiles_beside_the_paper_by_the_grid_s_rows(tmp_path, capsys):
    tables = tmp_path / "tables"
    # the baseline second in the file, a label holding "#", a row with no interval (unfinished cells)
    _table2([("mix", "Mix #2", 0.99, 0.861, 0.93, 0.90, 0.88, 0.92, 0.030, 0.010, 0.050),
             ("baseline", "Base", 0.94, 0.837, 0.96, 0.87, 0.85, 0.89, None, None, None),
             ("smote", "S", 1.00, 0.8915, 0.91, 0.84, 0.82, 0.86, -0.030, -0.045, -0.012),
             ("step", "St", 0.9713, 0.8379, None, None, None, None, None, None, None)], tables, "table2", "quick")
    _table2([("baseline", "Base", 0.94, 0.837, 0.85, 0.83, 0.80, 0.86, None, None, None),
             ("mix", "Mix", 0.99, 0.861, 0.82, 0.84, 0.81, 0.87, 0.010, -0.010, 0.030)], tables, "table2_underfit",
            "underfit")
    contrast_command(_args(tmp_path))
    csv = pd.read_csv(tables / "regime_contrast.csv", comment="#").set_index("row")
    assert list(csv.index) == ["baseline", "dim384", "ch20", "mix", "step", "cosine", "robust", "smote"]
    assert csv.loc["mix", "paper_delta_test"] == pytest.approx(0.024)         # 0.861 - 0.837
    assert csv.loc["baseline", "paper_test_f1"] == pytest.approx(0.837)       # the baseline in its own cell
    assert pd.isna(csv.loc["baseline", "paper_delta_test"])
    assert csv.loc["mix", "quick_delta_test_lo"] == pytest.approx(0.010)      # numbers stay numbers in the CSV
    assert csv.loc["mix", "quick_test_f1"] == pytest.approx(0.90)
    md = (tables / "regime_contrast.md").read_text()
    lines = {tuple(c.strip() for c in ln.strip("|").split("|")[:2]): ln
             for ln in md.splitlines() if ln.startswith("| ")}
    assert lines[("baseline", "paper")] == "| baseline | paper | 0.940 | 0.837 | baseline |  |"
    assert lines[("baseline", "quick")] == "| baseline | quick | 0.960 | 0.870 [0.850, 0.890] | baseline |  |"
    assert lines[("mix", "paper")] == "| mix | paper | 0.990 | 0.861 | +0.024 |  |"
    assert lines[("mix", "quick")] == "| mix | quick | 0.930 | 0.900 [0.880, 0.920] | +0.030 [+0.010, +0.050] | yes |"
    assert lines[("mix", "underfit")].endswith("| +0.010 [-0.010, +0.030] | unresolved: holds 0 and the paper's "
                                               "change |")
    assert lines[("smote", "quick")].endswith("| no: ours below 0, the paper's +0.054 |")
    assert lines[("smote", "underfit")] == "| smote | underfit |  |  |  | not in table2_underfit |"
    assert lines[("step", "quick")].endswith("| no interval |")
    assert all(len(ln.strip("|").split("|")) <= 9 for ln in lines.values())
    # the line above the table: per profile, the rows that replicate and what the others are
    above = md.split("\n\n")[0].splitlines()[-1]
    assert above == ("> the paper's change replicates in 1 of 3 rows at quick (1 opposite) and 0 of 1 rows at "
                     "underfit (1 unresolved)")
    assert "quick (table2): code: quick commit" in md and "underfit (table2_underfit): regime: underfit line" in md
    assert "| smote |" in capsys.readouterr().out


def test_a_table_with_ap_shows_the_change_against_each_row_s_parent_beside_one_without(tmp_path):
    """The primary metric (issue 36) comes from the table that has it; a table made before it says so."""
    tables = tmp_path / "tables"
    _table2([("baseline", "Base", 0.94, 0.837, 0.85, 0.83, 0.80, 0.86, None, None, None),
             ("mix", "Mix", 0.99, 0.861, 0.82, 0.84, 0.81, 0.87, 0.010, -0.010, 0.030)], tables, "table2_underfit",
            "underfit")
    rows = pd.DataFrame([("baseline", "Base", 0.94, 0.837, 0.96, 0.87, 0.85, 0.89, None, None, None),
                         ("mix", "Mix", 0.99, 0.861, 0.93, 0.90, 0.88, 0.92, 0.030, 0.010, 0.050),
                         ("step", "St", 0.9713, 0.8379, 0.92, 0.89, 0.87, 0.91, 0.020, 0.000, 0.040)],
                        columns=["row", "model", "paper_train_f1", "paper_test_f1", "train_f1", "test_f1", "test_f1_lo",
                                 "test_f1_hi", "delta_test_base", "delta_test_base_lo", "delta_test_base_hi"])
    rows = rows.assign(parent=[None, "baseline", "mix"], d_ap=[None, -0.04, 0.005], d_ap_lo=[None, -0.07, -0.02],
                       d_ap_hi=[None, -0.01, 0.03], verdict_ap=[None, "worse", "undecided"])
    write_table(rows, ["Ablation", "data: synthetic(n=10); profile: long (net, 3 folds); seeds: 0"], tables,
                "table2_long", latex=False)
    contrast_command(_args(tmp_path, fitted="table2_long", name="budget_contrast"))
    csv = pd.read_csv(tables / "budget_contrast.csv", comment="#").set_index("row")
    assert csv.loc["mix", "long_d_ap_lo"] == pytest.approx(-0.07) and csv.loc["step", "long_parent"] == "mix"
    md = (tables / "budget_contrast.md").read_text()
    lines = {tuple(c.strip() for c in ln.strip("|").split("|")[:2]): ln
             for ln in md.splitlines() if ln.startswith("| ")}
    assert lines[("mix", "long")].endswith("| -0.040 [-0.070, -0.010] (vs baseline) | worse |")
    assert lines[("step", "long")].endswith("| +0.005 [-0.020, +0.030] (vs mix) | undecided |")
    assert lines[("mix", "underfit")].endswith("| not in this table (made before AP) |  |")
    assert lines[("baseline", "long")].endswith("| baseline |  |  |  |")
    assert all(len(ln.strip("|").split("|")) <= 9 for ln in lines.values())
    assert md.split("\n\n")[0].splitlines()[-1].endswith("; on AP against each row's parent: long 1 worse, "
                                                         "1 undecided")


def test_bad_tables_are_refused_with_the_command_that_makes_them(tmp_path):
    with pytest.raises(LandslideError, match=r"table2_underfit.csv not found: run `python -m bench table2 "
                                             r"--profile underfit --seeds 0` first"):
        read_table(tmp_path / "table2_underfit.csv", "python -m bench table2 --profile underfit --seeds 0")
    (tmp_path / "other.csv").write_text("# x\nrow,f1\nbaseline,0.8\n")
    with pytest.raises(LandslideError, match="no column .*regenerate it with"):
        read_table(tmp_path / "other.csv", "python -m bench table2")
    (tmp_path / "empty.csv").write_text("# only a header\n")
    with pytest.raises(LandslideError, match="empty.csv has no column"):
        read_table(tmp_path / "empty.csv", "python -m bench table2")
    _table2([("baseline", "B", 0.94, 0.837, 0.96, 0.87, 0.85, 0.89, None, None, None)], tmp_path / "tables",
            "table2", "quick")
    with pytest.raises(LandslideError, match="tables of one profile"):
        contrast_command(_args(tmp_path, underfit="table2"))
    other = tmp_path / "tables" / "table2_underfit.csv"
    _table2([("baseline", "B", 0.94, 0.837, 0.85, 0.83, 0.80, 0.86, None, None, None)], tmp_path / "tables",
            "table2_underfit", "underfit")
    other.write_text(other.read_text().replace("synthetic(n=10)", "/data/zindi"))
    with pytest.raises(LandslideError, match=r"different data: table2: data: synthetic\(n=10\); "
                                             r"table2_underfit: data: /data/zindi"):
        contrast_command(_args(tmp_path))


def test_the_committed_contrast_is_the_committed_tables_contrast(tmp_path):
    """Regenerating Table 2 without the contrast leaves this red: its verdicts are never stale."""
    contrast_command(_args(tmp_path, tables=str(REPO / "tables")))

    def body(path: Path) -> list[str]:
        return [ln for ln in path.read_text().splitlines() if not ln.startswith("> code:")]  # its own commit, date
    assert body(tmp_path / "tables" / "regime_contrast.md") == body(REPO / "tables" / "regime_contrast.md")


def test_a_value_outside_its_own_interval_is_refused_not_called_within_noise(tmp_path):
    tables = tmp_path / "tables"
    before = sorted(tmp_path.rglob("*"))
    _table2([("baseline", "Base", 0.94, 0.837, 0.96, 0.87, 0.85, 0.89, None, None, None),
             ("mix", "Mix", 0.99, 0.861, 0.93, 0.90, 0.88, 0.92, -3.0, 0.0, 0.0),     # the change outside
             ("smote", "S", 1.00, 0.8915, 0.91, 0.95, 0.0, 0.0, 0.01, -0.01, 0.03)],  # the test F1 outside
            tables, "table2", "quick")
    _table2([("baseline", "Base", 0.94, 0.837, 0.85, 0.83, 0.80, 0.86, None, None, None)], tables,
            "table2_underfit", "underfit")
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(LandslideError) as exc:
        contrast_command(_args(tmp_path))
    said = str(exc.value)
    assert "table2.csv: row mix: delta_test_base -3.000 outside its interval [+0.000, +0.000]" in said
    assert "row smote: test_f1 +0.950 outside its interval [+0.000, +0.000]" in said
    assert "regenerate the table with `python -m bench table2`" in said
    assert sorted(tmp_path.rglob("*")) == before  # no contrast written

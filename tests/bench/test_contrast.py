"""bench contrast: the verdict rule on hand-chosen intervals, the table from two Table 2 CSVs, and the
committed tables read as they are."""
from argparse import Namespace
from pathlib import Path

import pandas as pd
import pytest

from bench.grid.contrast import contrast_command, contrast_frame, read_table, verdict
from bench.output import write_table
from landslide.errors import LandslideError

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("paper, lo, hi, expected", [
    (+0.054, +0.020, +0.080, "yes"),                                   # our side, holds the paper's change
    (+0.054, +0.001, +0.030, "yes in sign, not in size"),              # our side, smaller than the paper's
    (+0.024, -0.038, -0.011, "no: ours below 0, the paper's +0.024"),  # the other side
    (+0.001, -0.049, -0.018, "no: ours below 0, the paper's +0.001"),  # the paper's "no change", ours a loss
    (-0.050, -0.006, +0.015, "no: within noise of 0, the paper's change outside the interval"),
    (+0.030, -0.010, +0.050, "unresolved: holds 0 and the paper's change"),
    (+0.001, -0.010, +0.010, "yes: no change in either (ours within noise)"),
])
def test_verdict_on_hand_chosen_intervals(paper, lo, hi, expected):
    assert verdict(paper, lo, hi) == expected


def _table2(rows: list[tuple], out: Path, name: str, profile: str) -> None:
    """A Table 2 CSV as the grid writes it, with the columns contrast reads."""
    cols = ["row", "paper_train_f1", "paper_test_f1", "train_f1", "test_f1", "test_f1_lo", "test_f1_hi",
            "delta_test_base", "delta_test_base_lo", "delta_test_base_hi"]
    head = ["Ablation", f"data: synthetic(n=10); profile: {profile}", f"regime: {profile} line", "code: x"]
    write_table(pd.DataFrame(rows, columns=cols), head, out, name, latex=False)


def test_contrast_puts_the_two_regimes_beside_the_paper(tmp_path, capsys):
    tables = tmp_path / "tables"
    _table2([("baseline", 0.94, 0.837, 0.96, 0.87, 0.85, 0.89, None, None, None),
             ("mix", 0.99, 0.861, 0.93, 0.90, 0.88, 0.92, 0.030, 0.010, 0.050),
             ("smote", 1.00, 0.8915, 0.91, 0.84, 0.82, 0.86, -0.030, -0.045, -0.012),
             ("failed", 0.95, 0.85, None, None, None, None, None, None, None)], tables, "table2", "quick")
    _table2([("baseline", 0.94, 0.837, 0.85, 0.83, 0.80, 0.86, None, None, None),
             ("mix", 0.99, 0.861, 0.82, 0.84, 0.81, 0.87, 0.010, -0.010, 0.030)], tables, "table2_underfit",
            "underfit")
    contrast_command(Namespace(out=str(tmp_path), tables="", fitted="table2", underfit="table2_underfit",
                               name="regime_contrast"))
    df = pd.read_csv(tables / "regime_contrast.csv", comment="#").set_index("row").fillna("")
    assert df.loc["baseline", "paper Δ test"] == "test 0.837"
    assert df.loc["baseline", "fitted: Δ test [95 %]"] == "test 0.870 [0.850, 0.890]"
    assert df.loc["mix", "paper Δ test"] == "+0.024"            # 0.861 - 0.837
    assert df.loc["mix", "fitted: Δ test [95 %]"] == "+0.030 [+0.010, +0.050]"
    assert df.loc["mix", "fitted: replicates?"] == "yes"
    assert df.loc["mix", "under-fit: replicates?"] == "unresolved: holds 0 and the paper's change"
    assert df.loc["smote", "fitted: replicates?"] == "no: ours below 0, the paper's +0.054"
    assert df.loc["smote", "under-fit: train F1"] == ""        # a row the under-fit table lacks stays blank
    assert df.loc["failed", "fitted: replicates?"] == "no interval"   # no verdict, not "within noise"
    md = (tables / "regime_contrast.md").read_text()
    assert "fitted (table2): data: synthetic(n=10); profile: quick" in md
    assert "under-fit (table2_underfit): regime: underfit line" in md
    assert "| smote |" in capsys.readouterr().out


def test_a_missing_table_names_the_command_that_makes_it(tmp_path):
    with pytest.raises(LandslideError, match=r"table2_underfit.csv not found: run `python -m bench table2 "
                                             r"--profile underfit --seeds 0` first"):
        read_table(tmp_path / "table2_underfit.csv", "python -m bench table2 --profile underfit --seeds 0")
    (tmp_path / "other.csv").write_text("# x\nrow,f1\nbaseline,0.8\n")
    with pytest.raises(LandslideError, match="no column .*regenerate it with"):
        read_table(tmp_path / "other.csv", "python -m bench table2")


def test_the_committed_tables_read_and_every_fitted_row_gets_a_verdict():
    _, fitted = read_table(REPO / "tables" / "table2.csv", "python -m bench table2")
    _, underfit = read_table(REPO / "tables" / "table2_underfit.csv", "python -m bench table2 --profile underfit")
    df = contrast_frame(fitted, underfit).set_index("row")
    assert list(df.index) == list(fitted.index)
    assert (df.drop(index=fitted.index[0])["fitted: replicates?"] != "").all()

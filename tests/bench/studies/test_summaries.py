"""The one-line summaries above the thresholds and tricks tables, and the tricks table remade from its CSV."""
import numpy as np
import pandas as pd

from bench.output import read_table, write_table
from bench.studies.thresholds import summary_line as thresholds_summary
from bench.studies.tricks import display, is_tricks_table, rebuild_tricks
from bench.studies.tricks import summary_line as tricks_summary
from landslide.tricks.tabular import VARIANTS, variant_name

TABULAR = variant_name(*VARIANTS[0])
TRICKS = pd.DataFrame({
    "row": ["recipe", "+ fold ensemble", "+ TTA x8", TABULAR],
    "cv_f1": [0.82, 0.82, 0.83, 0.81], "cv_f1_std": [0.02, 0.02, 0.017, 0.017],
    "test_f1": [0.834, 0.841, 0.8456, 0.8198], "test_f1_lo": [0.81, 0.81, 0.82, 0.79],
    "test_f1_hi": [0.86, 0.87, 0.87, 0.85], "delta_test": [np.nan, 0.007, 0.0046, np.nan],
    "delta_test_lo": [np.nan, -0.0035, 0.0003, np.nan], "delta_test_hi": [np.nan, 0.0176, 0.0100, np.nan],
    "delta_cv": [np.nan, np.nan, 0.0106, np.nan], "p_cv": [np.nan, np.nan, 0.17, np.nan]})


def test_the_thresholds_summary_names_the_range_and_the_rows_past_p_005():
    line = thresholds_summary({"baseline": (-0.0001, 0.99), "step": (0.0284, 0.049), "mix": (0.0191, 0.17)})
    assert line == ("cross-fitted threshold against 0.5, CV F1: changes -0.0001 to +0.0284; p < 0.05 for step "
                    "+0.0284 (p 0.049) of 3 rows")
    assert "p < 0.05 for none of 1 rows" in thresholds_summary({"baseline": (0.01, 0.5)})


def test_the_tricks_summary_names_the_steps_clear_of_zero_and_the_tabular_gap():
    assert tricks_summary(TRICKS) == (
        "steps whose test F1 interval is clear of 0: + TTA x8 +0.0046 [+0.0003, +0.0100]; the last network row "
        "0.846 against the best tabular row 0.820 (+0.026)")


def test_a_tricks_table_is_remade_from_its_csv_with_its_summary(tmp_path):
    write_table(TRICKS, ["tricks", "steps whose test F1 interval is clear of 0: stale"], tmp_path / "old", "tricks",
                shown=display(TRICKS))
    assert is_tricks_table(tmp_path / "old" / "tricks.csv")
    rebuild_tricks(tmp_path / "old" / "tricks.csv", tmp_path)
    md = (tmp_path / "tables" / "tricks.md").read_text()
    assert md.count("clear of 0") == 1 and "+ TTA x8 +0.0046" in md
    pd.testing.assert_frame_equal(read_table(tmp_path / "tables" / "tricks.csv")[1],
                                  read_table(tmp_path / "old" / "tricks.csv")[1])

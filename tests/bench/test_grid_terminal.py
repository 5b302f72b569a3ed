"""What a grid shows in a terminal: the compact table's columns and verdicts, and the progress bar's count."""
from pathlib import Path

import pandas as pd

from bench.grid.terminal import GridProgress, compact_frame, compact_table

TABLES = Path(__file__).resolve().parents[2] / "tables"
nan = float("nan")


def results(**changes) -> pd.DataFrame:
    """A small frame with build_table's columns: a baseline, a row whose test change agrees with the paper's,
    one against it, one within noise and one not run."""
    frame = pd.DataFrame({
        "row": ["baseline", "up", "down", "noise", "missing"],
        "model": ["B", "U", "D", "N", "M"],
        "paper_test_f1": [0.80, 0.85, 0.85, 0.82, 0.81],
        "cv_f1": [0.80, 0.84, 0.70, 0.81, nan], "cv_f1_std": [0.02, 0.03, 0.04, 0.02, nan],
        "test_f1": [0.81, 0.86, 0.72, 0.80, nan], "test_f1_lo": [0.78, 0.83, 0.69, 0.77, nan],
        "test_f1_hi": [0.84, 0.89, 0.75, 0.83, nan],
        "delta_base": [nan, 0.04, -0.10, 0.01, nan], "p_base": [nan, 0.01, 0.001, 0.7, nan],
        "mark_base": [nan, "↑", "↓", "~", nan],
        "delta_base_lo": [nan, 0.01, -0.15, -0.05, nan], "delta_base_hi": [nan, 0.07, -0.05, 0.07, nan],
        "delta_test_base": [nan, 0.05, -0.09, -0.01, nan], "delta_test_base_lo": [nan, 0.02, -0.12, -0.03, nan],
        "delta_test_base_hi": [nan, 0.08, -0.06, 0.01, nan],
    })
    return frame.assign(**changes)


def test_compact_table_has_the_six_columns_and_says_what_replicates():
    shown = compact_frame(results(), "baseline")
    assert list(shown.columns) == ["row", "CV F1", "Δ test vs base [95 %]", "test F1 [95 %]", "paper test F1 (Δ)",
                                   "replicates?"]
    rows = shown.set_index("row")
    assert rows.loc["up", "Δ test vs base [95 %]"] == "+0.050 [+0.020, +0.080]"
    assert rows.loc["up", "paper test F1 (Δ)"] == "0.8500 (+0.050)"
    # noise: ours [-0.03, +0.01] holds 0 but not the paper's +0.02
    assert rows["replicates?"].tolist() == ["", "yes", "no (opposite)", "no (within noise)", ""]
    assert rows.loc["missing", "CV F1"] == "not run" and rows.loc["baseline", "CV F1"] == "0.800 ± 0.020"


def test_without_a_test_split_the_change_is_the_cv_test_with_its_mark():
    no_test = {c: nan for c in ("test_f1", "test_f1_lo", "test_f1_hi", "delta_test_base", "delta_test_base_lo",
                                "delta_test_base_hi")}
    shown = compact_frame(results(**no_test), "baseline").set_index("row")
    assert shown.loc["down", "Δ CV vs base [95 %]"] == "-0.100 [-0.150, -0.050] ↓"
    assert shown["replicates?"].tolist() == ["", "yes", "no (opposite)", "unresolved", ""]
    assert (shown["test F1 [95 %]"] == "").all()


def test_a_table_with_the_primary_metric_shows_ap_against_each_row_s_parent():
    """The terminal says what the Markdown says (issue 36): AP against the parent, not F1 against the baseline."""
    df = results(test_ap=[0.90, 0.93, 0.85, 0.89, nan], test_ap_lo=[0.88, 0.90, 0.82, 0.86, nan],
                 test_ap_hi=[0.92, 0.95, 0.88, 0.92, nan], parent=[nan, "baseline", "up", "baseline", "baseline"],
                 d_ap=[nan, 0.03, -0.08, -0.01, nan], d_ap_lo=[nan, 0.01, -0.11, -0.03, nan],
                 d_ap_hi=[nan, 0.05, -0.05, 0.01, nan], verdict_ap=[nan, "better", "worse", "undecided", nan],
                 paper_d_f1=[nan, 0.05, 0.0, 0.02, 0.01])  # against each row's parent: down's is up
    shown = compact_frame(df, "baseline")
    assert list(shown.columns) == ["row", "test AP [95 %]", "Δ AP vs parent [95 %]", "verdict (AP)", "test F1",
                                   "paper Δ F1"]
    rows = shown.set_index("row")
    assert rows.loc["down", "Δ AP vs parent [95 %]"] == "-0.080 [-0.110, -0.050] vs up"
    assert rows["verdict (AP)"].tolist() == ["", "better", "worse", "undecided", ""]
    assert rows.loc["up", "paper Δ F1"] == "+0.050" and rows.loc["baseline", "paper Δ F1"] == ""
    assert rows.loc["down", "paper Δ F1"] == "+0.000"  # its parent's (up) change, not the baseline's +0.050
    assert rows.loc["missing", "test AP [95 %]"] == "not run" and rows.loc["missing", "Δ AP vs parent [95 %]"] == ""


def test_table2_fits_a_terminal_while_its_file_keeps_every_column():
    df = pd.read_csv(TABLES / "table2.csv", comment="#")
    text = compact_table(df, "baseline")
    lines = text.splitlines()
    assert len(lines) == len(df) + 2 and len({len(line) for line in lines}) == 1  # columns line up
    assert max(map(len, lines)) < 120
    assert len(df.columns) > 25  # the file: every column


def test_progress_counts_epochs_a_resumed_cell_had_and_times_only_training(monkeypatch, capsys):
    from bench.grid import terminal
    now = [0.0]
    monkeypatch.setattr(terminal.time, "monotonic", lambda: now[0])
    # a: 2 folds x 5 epochs, 7 finished before; b: fresh
    bar = GridProgress("g", {("a", 0): (10, 7), ("b", 0): (10, 0)}, workers=1)
    assert bar.cells.n == 7 and bar.left() == "?"  # the resumed epochs count from the start
    bar.put(("cell", 0, "a", 0, 2, 5))
    now[0] = 100.0
    bar.put(("epoch", 0, 1, 2, None))   # t=100: fold 2 starts at its resume point (data loading before it)
    now[0] = 110.0
    bar.put(("epoch", 0, 1, 3, 0.41))   # t=110: one epoch in 10 s
    assert bar.cells.n == 8 and bar.left() == "0:02:00"  # 12 epochs left x 10 s
    bar.put(("done", 0, "  g/a seed 0: CV F1 ..."))
    assert bar.done == 1 and bar.cells.n == 10
    bar.close()
    out = capsys.readouterr().out  # not a terminal: one plain line per finished epoch, none per start
    assert out.count("validation F1") == 1
    assert "g/a seed 0: fold 2/2, epoch 3/5, validation F1 0.410, 0:01:50 elapsed, 0:02:00 left" in out

import numpy as np
import pandas as pd
import pytest

from bench.grid.report import _scores, cv_text, paired_change, summary_line


def test_paired_test_marks_a_consistent_gain_and_not_noise():
    base = {0: [0.80, 0.70, 0.75], 1: [0.82, 0.68, 0.77]}
    eps = {0: [0.002, -0.003, 0.001], 1: [0.0, -0.001, 0.002]}
    better = {s: [b + 0.03 + e for b, e in zip(base[s], eps[s], strict=True)] for s in base}
    d, p, mark = paired_change(better, base, folds=3)
    assert d == pytest.approx(0.0302, abs=1e-4) and p < 0.001 and mark == "↑"
    noise = {0: [0.05, -0.04, 0.03], 1: [-0.05, 0.04, -0.02]}
    noisy = {s: [b + e for b, e in zip(base[s], noise[s], strict=True)] for s in base}
    d, p, mark = paired_change(noisy, base, folds=3)
    assert p > 0.5 and mark == "~"
    # hand-computed, corrected resampled t-test: differences (-0.1, -0.2, -0.3), J = 3, k = 3 folds:
    # mean -0.2, s^2 = 0.01, variance 0.01 * (1/3 + 1/2) = 0.008333, t = -2.1909, 2 d.f. -> p = 0.1599
    # (the naive paired t-test would give t = -3.4641, p = 0.0742)
    d, p, mark = paired_change({0: [0.5, 0.4, 0.3]}, {0: [0.6, 0.6, 0.6]}, folds=3)
    assert d == pytest.approx(-0.2) and p == pytest.approx(0.1599, abs=1e-4) and mark == "~"
    # only seeds present in both are paired
    assert paired_change({0: [0.5, 0.4, 0.3], 7: [0.1, 0.1, 0.1]}, {0: [0.6, 0.6, 0.6]}, folds=3)[1] == p


def test_the_header_names_the_data_version_and_the_profile_in_one_line():
    """The grid header's data line and the inner-split table's share data_profile_line: synthetic data
    carries the generator's version (it is in every synthetic cell's key), a real folder does not."""
    from bench.grid.report import data_profile_line, header
    from bench.grid.spec import load_grid
    from landslide.data.fingerprint import SYNTHETIC_VERSION
    from landslide.profiles import profile_config
    quick = profile_config("quick")
    line = data_profile_line(quick, "synthetic(n=2400, test_n=2000, seed=0)")
    assert line == (f"data: synthetic(n=2400, test_n=2000, seed=0), generator v{SYNTHETIC_VERSION}; profile: "
                    "quick (regnety_002, trained from scratch, 3 folds, 20 epochs, batch 32, lr 0.002 adamw)")
    averaged = data_profile_line(profile_config("quick", ema_decay=0.99), "synthetic(n=2400, test_n=2000, seed=0)")
    assert averaged == line[:-1] + ", weight average 0.99)"
    assert header(load_grid("table2"), quick, [0, 2], "synthetic(n=2400, test_n=2000, seed=0)", "table2")[1] == \
        line + "; seeds: 0,2"
    underfit = data_profile_line(profile_config("underfit"), "/data/zindi")
    assert underfit == ("data: /data/zindi; profile: underfit (resnet10t, trained from scratch, 3 folds, "
                        "10 epochs, batch 32, lr 0.002 adamw)")


def test_a_preview_table_s_title_names_the_preview_output_not_the_grid():
    from pathlib import Path

    from bench.grid.spec import load_grid
    from bench.grid.tables import GridRun
    from bench.output import output_stem
    from landslide.profiles import profile_config
    preview = profile_config("preview")
    grid = load_grid("table2")
    assert output_stem(grid.name, preview) == "table2_preview"
    run = GridRun(grid, preview, [0], Path("."), [], {}, [])
    assert run.header()[0].startswith("table2_preview: Ablation of training factors")


def test_the_verdict_summary_says_why_a_one_fold_table_has_none():
    one_pair = pd.DataFrame({"row": ["base", "mix"], "d_ap": [np.nan, -0.007], "verdict": ["", ""]})
    assert "a verdict needs two (seed, fold) pairs" in summary_line(one_pair)
    no_test_split = one_pair.assign(d_ap=np.nan, cv_d_ap=[np.nan, -0.01])  # only the CV change exists
    assert "a verdict needs two (seed, fold) pairs" in summary_line(no_test_split)
    unrun = one_pair.assign(d_ap=np.nan)
    assert summary_line(unrun).endswith("none (no row has both itself and its parent run)")
    judged = one_pair.assign(verdict=["", "worse"])
    assert summary_line(judged) == "verdicts on AP against each row's parent (1 row): 1 worse"


def test_one_fold_has_no_spread_and_says_so():
    assert cv_text(0.8652, np.nan) == "0.865 (one fold)"
    assert cv_text(0.8514, 0.0137) == "0.851 ± 0.014" and cv_text(np.nan, np.nan) == "not run"
    one = _scores([{"cv_f1_folds": [0.865], "train_f1": 0.96, "test_f1": 0.87}])
    assert one["cv_f1"] == 0.865 and np.isnan(one["cv_f1_std"])
    two = _scores([{"cv_f1_folds": [0.8, 0.9], "train_f1": 0.96, "test_f1": 0.87}])
    assert two["cv_f1_std"] == pytest.approx(0.05)

"""bench backbones' learning rate per family: the inner split it is chosen on, and the choice."""
import numpy as np
import pytest

from bench.grid.family_lr import inner_grid, parse_rates, pick
from bench.grid.spec import changes_packaged, load_grid
from landslide.errors import LandslideError
from landslide.profiles import profile_config
from landslide.train.cv import training_set


@pytest.mark.slow
def test_the_inner_split_is_what_a_real_runs_fold_0_trained_on_without_the_test_split(tmp_path):
    from landslide.train.cv import run_experiment
    cfg = profile_config("smoke").replace(folds_trained=1)
    results = run_experiment(cfg, tmp_path / "outer", progress=False).folds
    outer_train, outer_val = results[0].train_idx, results[0].val_idx  # the rows fold 0 did train on
    full = training_set(cfg)
    inner = training_set(cfg.replace(inner_of_fold=0))
    assert inner.train.ids == [full.train.ids[i] for i in outer_train]
    assert not set(inner.train.ids) & {full.train.ids[i] for i in outer_val}
    assert inner.test is None and full.test is not None
    np.testing.assert_array_equal(inner.train.images, full.train.images[outer_train])
    assert cfg.replace(inner_of_fold=0).training_key() != cfg.training_key()
    with pytest.raises(LandslideError, match="inner_of_fold"):
        cfg.replace(inner_of_fold=cfg.folds)


def test_pick_takes_the_best_inner_f1_and_the_lower_rate_of_equals():
    assert pick({4e-3: 0.7, 1e-3: 0.8, 2e-3: 0.8}) == 1e-3
    assert pick({1e-3: np.nan, 2e-3: 0.1}) == 2e-3


def test_a_rate_at_the_end_of_the_candidates_is_flagged():
    from bench.grid.family_lr import edge_notes
    from bench.grid.spec import Grid
    grid = Grid("g", "g", "a", [], [], tuned={"a": {"lr": 1e-3}, "b": {"lr": 2e-3}, "c": {"lr": 4e-3}})
    notes = edge_notes(grid, [1e-3, 2e-3, 4e-3])
    assert len(notes) == 2 and "a: chosen at the lowest" in notes[0] and "c: chosen at the highest" in notes[1]


def test_rates_default_to_multiples_of_the_profiles_and_bad_lists_are_refused():
    assert parse_rates(None, 2e-3) == pytest.approx([5e-4, 1e-3, 2e-3, 4e-3])
    assert parse_rates(None, 3e-4)[2] == 3e-4  # the paper profile's own rate is a candidate
    assert parse_rates("2e-3, 1e-3,1e-3", 1.0) == [1e-3, 2e-3]
    for bad in ("", "fast", "1e-3,-1", "1e-3,nan", "1e-3,1.0000001e-3"):
        with pytest.raises(LandslideError, match="--lr-candidates"):
            parse_rates(bad, 1.0)
    smote_first = profile_config("smoke").replace(smote=True, paper_protocol=True)
    with pytest.raises(LandslideError, match="inner_of_fold with paper_protocol"):
        smote_first.replace(inner_of_fold=0)


def test_inner_rows_and_a_tuned_grid_keeps_its_packaged_name():
    grid = load_grid("backbones")
    inner = inner_grid(grid, [1e-3, 2e-3])
    assert len(inner.rows) == 2 * len(grid.rows) and inner.name == "backbones_lr"
    assert inner.rows[1].fields == {**grid.rows[0].fields, "lr": 2e-3, "inner_of_fold": 0, "folds_trained": 1}
    from dataclasses import replace
    chosen = replace(grid, rows=[replace(r, fields={**r.fields, "lr": 1e-3}) for r in grid.rows],
                     tuned={r.name: {"lr": 1e-3} for r in grid.rows})
    assert not changes_packaged(chosen)
    # a rate the user wrote into a row is an edit (and that row is not tuned)
    edited = replace(chosen, tuned={r.name: {"lr": 1e-3} for r in grid.rows[1:]})
    assert changes_packaged(edited)
    own_rate = replace(grid, rows=[replace(grid.rows[0], fields={**grid.rows[0].fields, "lr": 5e-4}), *grid.rows[1:]])
    assert [r.name for r in inner_grid(own_rate, [1e-3]).rows] == [f"{r.name}@0.001" for r in grid.rows[1:]]

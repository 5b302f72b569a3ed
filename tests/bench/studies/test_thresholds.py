"""bench thresholds scores each row with its own head: Table 3's rows share one network and differ only
in the head, so scoring them all with the FC head printed one number six times."""
from bench.studies.thresholds import fold_f1s
from landslide.profiles import profile_config
from landslide.train.cv import run_experiment


def test_each_head_is_scored_with_its_own_scores(tmp_path):
    run = tmp_path / "run"
    by_head = {}
    for head, svm_c in (("fc", 1.0), ("svm", 0.1), ("lgbm", 1.0)):
        cfg = profile_config("smoke", threads=1, head=head, svm_c=svm_c)
        stored = run_experiment(cfg, run, progress=False).metrics  # one network, rescored per head
        plain, tuned, thresholds = fold_f1s(run, cfg)
        assert plain == stored.cv_f1_folds  # at 0.5: the very scores the grid stored for this head
        assert len(tuned) == len(thresholds) == cfg.folds
        by_head[head] = plain
    assert len({tuple(v) for v in by_head.values()}) > 1, by_head  # the heads do differ on this run

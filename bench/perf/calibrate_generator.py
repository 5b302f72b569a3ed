"""How hard a generator setting is for models that ignore where pixels are (docs/regime.md).

    python bench/perf/calibrate_generator.py '{"displaced_share": 0.01, "patchwork_share": 0.03}' [N]

Draws N training patches (default 1,200, the size the decoy shares were chosen at; the built-in set
now has 2,400) and 2,000 test patches for a ``SynthConfig`` (the same draw as ``write_synthetic``,
without writing files) and prints, for LightGBM on 7 and on 13 statistics per band
(12 channels), the CV F1 (3 stratified folds) and test F1 of the fold ensemble, and the mean test score
per kind of patch: which hard negatives fool patch statistics. About 1.5 minutes on 2 cores.
"""
from __future__ import annotations

import json
import sys
import time

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

import landslide.data.synthetic as synthetic
from landslide.tricks.tabular import STATISTICS, fit_predict


def draw(cfg: synthetic.SynthConfig, n: int = 1200, test_n: int = 2000, seed: int = 0):
    """Patches (N, 12, 64, 64), labels and kinds, in write_synthetic's order of random draws."""
    rng = np.random.default_rng(seed)
    synthetic._unique_ids(rng, n + test_n)
    labels = (rng.random(n + test_n) < cfg.landslide_share).astype(int)
    labels[:n] = 0
    labels[rng.choice(n, int(round(cfg.landslide_share * n)), replace=False)] = 1
    patches, kinds = [], []
    for label in labels:
        x, info = synthetic.make_patch(rng, int(label), cfg)
        patches.append(x.transpose(2, 0, 1).astype(np.float32))
        kinds.append(info["kind"])
    return np.stack(patches), labels, np.array(kinds)


def cv_and_test(feats, y, n: int, folds: int = 3, seed: int = 0):
    scores, tests = [], []
    for tr, va in StratifiedKFold(folds, shuffle=True, random_state=seed).split(feats[:n], y[:n]):
        p_val, p_test = fit_predict(feats[tr], y[tr], [feats[va], feats[n:]], seed=seed)
        scores.append(f1_score(y[va], p_val > 0.5))
        tests.append(p_test)
    p_test = np.mean(tests, 0)
    return float(np.mean(scores)), float(f1_score(y[n:], p_test > 0.5)), p_test


def main(argv: list[str]) -> None:
    overrides = json.loads(argv[0]) if argv else {}
    cfg, n = synthetic.SynthConfig(**overrides), int(argv[1]) if len(argv) > 1 else 1200
    tick = time.time()
    x, y, kinds = draw(cfg, n)
    print(f"drawn in {time.time() - tick:.0f} s:", dict(zip(*np.unique(kinds, return_counts=True), strict=True)))
    out: dict = {"config": overrides}
    for name, stats in STATISTICS.items():
        cv, test, p = cv_and_test(stats(x), y, n)
        test_kinds = kinds[n:]
        out[f"{name} statistics"] = {"cv_f1": round(cv, 3), "test_f1": round(test, 3),
                                     "mean score by kind": {str(k): round(float(p[test_kinds == k].mean()), 2)
                                                            for k in np.unique(test_kinds)}}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])

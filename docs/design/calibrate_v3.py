"""Calibrate generator v3: tabular baselines (7-stat project, 13-stat rich) CV/test F1 on a config."""
import json, sys, time
import numpy as np
import landslide.data.synthetic as S
from scipy.stats import kurtosis, skew
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from landslide.tricks.tabular import band_statistics, fit_predict


def generate(cfg, n=1200, test_n=2000, seed=0):
    rng = np.random.default_rng(seed)
    ids = S._unique_ids(rng, n + test_n)
    labels = (rng.random(n + test_n) < cfg.landslide_share).astype(int)
    n_pos = int(round(cfg.landslide_share * n))
    labels[:n] = 0
    labels[rng.choice(n, n_pos, replace=False)] = 1
    xs, kinds, clouds = [], [], []
    for i in range(n + test_n):
        p, info = S.make_patch(rng, int(labels[i]), cfg)
        xs.append(p.transpose(2, 0, 1).astype(np.float32)); kinds.append(info["kind"]); clouds.append(info["cloud"])
    return np.stack(xs), labels, np.array(kinds), np.array(clouds)


def rich_stats(x):
    flat = x.reshape(x.shape[0], x.shape[1], -1).astype(np.float64)
    q = np.percentile(flat, (1, 5, 25, 50, 75, 95, 99), axis=2)
    parts = [flat.mean(2), flat.std(2), flat.min(2), flat.max(2), *q, skew(flat, axis=2), kurtosis(flat, axis=2)]
    return np.stack(parts, axis=2).reshape(x.shape[0], -1)


def cv_test(feat_tr, y, feat_te, yte, folds=3, seed=0):
    f1s, tests = [], []
    for tr, va in StratifiedKFold(folds, shuffle=True, random_state=seed).split(feat_tr, y):
        pv, pt = fit_predict(feat_tr[tr], y[tr], [feat_tr[va], feat_te], seed=seed)
        f1s.append(f1_score(y[va], pv > 0.5)); tests.append(pt)
    pt = np.mean(tests, 0)
    return float(np.mean(f1s)), float(f1_score(yte, pt > 0.5)), pt


if __name__ == "__main__":
    over = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    cfg = S.SynthConfig(**over)
    t = time.time()
    x, y, kinds, clouds = generate(cfg)
    n = 1200
    print(f"generated in {time.time()-t:.0f}s", dict(zip(*np.unique(kinds, return_counts=True))))
    out = {"cfg": over}
    for name, fn in (("tab7", band_statistics), ("tab13", rich_stats)):
        f = fn(x)
        cv, te, pt = cv_test(f[:n], y[:n], f[n:], y[n:])
        out[name] = (round(cv, 3), round(te, 3))
        k = kinds[n:]
        # how the model scores each test kind: mean score
        out[name + "_kind_score"] = {kd: round(float(pt[k == kd].mean()), 2) for kd in np.unique(k)}
    print(json.dumps(out))

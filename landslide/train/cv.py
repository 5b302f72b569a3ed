"""k-fold cross-validation: folds, leak-free SMOTE per training fold, out-of-fold predictions of each
fold's final weights, a test ensemble over folds, heads on cached embeddings, metrics and a Zindi
submission. ``run_experiment`` is the one train-then-score path: ``landslide train``, the grid runner
and the sweep all call it. The run folder's layout belongs to ``landslide.train.rundir``.
"""
from __future__ import annotations

import logging
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.model_selection import StratifiedKFold
from tqdm.auto import tqdm

from landslide.atomic import atomic_path
from landslide.augment.smote import SmoteResult, count_for_share, smote_ssim
from landslide.config import ExperimentConfig
from landslide.data.bands import expand_channels
from landslide.data.builtin import load_experiment_data
from landslide.data.dataset import PatchSet
from landslide.errors import LandslideError
from landslide.metrics import bootstrap_f1, f1_at_half
from landslide.models.heads import HEADS
from landslide.train.device import pick_device
from landslide.train.engine import FoldData, fit_fold
from landslide.train.rundir import RunDir, write_json

log = logging.getLogger("landslide")


def subsample(ps: PatchSet, n: int, seed: int) -> PatchSet:
    """A stratified subsample of the training split (smoke runs)."""
    if not n or n >= len(ps):
        return ps
    from sklearn.model_selection import train_test_split
    keep, _ = train_test_split(np.arange(len(ps)), train_size=n, stratify=ps.train.labels, random_state=seed)
    keep = np.sort(keep)
    ps.train.ids = [ps.train.ids[i] for i in keep]
    ps.train.images = ps.train.images[keep]
    ps.train.labels = ps.train.labels[keep]
    return ps


def make_folds(labels: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    n_pos = int(labels.sum())
    if n_pos < folds or len(labels) - n_pos < folds:
        fewer = f"use fewer folds (--set folds={max(2, min(n_pos, len(labels) - n_pos))}) or " \
            if folds > 2 and min(n_pos, len(labels) - n_pos) >= 2 else ""
        raise LandslideError(f"{folds} stratified folds need at least {folds} landslides and {folds} "
                             f"non-landslides; the data has {n_pos} and {len(labels) - n_pos}. "
                             f"{fewer.capitalize()}{'add' if not fewer else ''} more labelled data")
    return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(labels)), labels))


def experiment_data(cfg: ExperimentConfig, progress: bool = False) -> PatchSet:
    """The configuration's data set, subsampled as training sees it."""
    ps = load_experiment_data(cfg.data, cfg.synth_n, cfg.synth_test_n, cfg.synth_seed, progress)
    return subsample(ps, cfg.max_train, cfg.seed)


def smote_for_fold(cfg, raw, labels, ids, idx, seed, progress) -> SmoteResult:
    """SMOTE, as configured, on the landslide images among ``idx`` (one training fold)."""
    pos = idx[labels[idx] == 1]
    total = count_for_share(len(pos), len(idx), cfg.smote_share) if cfg.smote_share else None
    if total == 0:
        warnings.warn(f"landslides are already {len(pos) / len(idx):.1%} of the fold, at or above "
                      f"smote_share={cfg.smote_share}: SMOTE adds nothing")
    return smote_ssim(raw[pos], [ids[i] for i in pos], cfg.smote_per_anchor, cfg.smote_k,
                      cfg.smote_alpha, cfg.smote_beta, seed=seed, progress=progress, total=total,
                      mix=cfg.smote_mix)


def train_folds(cfg: ExperimentConfig, run: RunDir, progress: bool = True, on_fold=None
                ) -> tuple[list[dict], dict]:
    """Train (or load) every fold. Returns the fold results and the arrays needed to score them.
    ``on_fold(fold, result, labels)``, if given, is called after each fold (a sweep's pruner listens)."""
    ps = experiment_data(cfg, progress)
    device = pick_device(cfg.device)
    raw = torch.from_numpy(ps.train.images)
    labels = ps.train.labels.copy()
    ids = list(ps.train.ids)
    if cfg.smote and cfg.paper_protocol:
        warnings.warn("paper protocol: SMOTE runs before the split, so validation folds hold synthetic images "
                      "interpolated from training images: CV scores leak and read too high")
        all_idx = np.arange(len(labels))
        res = smote_for_fold(cfg, raw, labels, ids, all_idx, cfg.seed, progress)
        raw = torch.cat([raw, res.images])
        labels = np.concatenate([labels, np.ones(len(res.images), np.int64)])
        ids = ids + [f"smote_{i}" for i in range(len(res.images))]
        write_json(run.path / "smote.json", res.provenance())
    x = expand_channels(raw, cfg.channels)
    test_x = expand_channels(torch.from_numpy(ps.test.images), cfg.channels) if ps.test is not None else None
    results = []
    folds = make_folds(labels, cfg.folds, cfg.seed)
    for fold, (tr, va) in enumerate(tqdm(folds, desc="folds", disable=not progress, leave=False)):
        fold_dir = run.fold_dir(fold)
        finished = run.read_fold_result(fold)
        if finished is not None:
            results.append(finished)
            if on_fold:
                on_fold(fold, finished, labels)
            continue
        fold_dir.mkdir(parents=True, exist_ok=True)
        train_x, train_y = x[tr], torch.from_numpy(labels[tr])
        if cfg.smote and not cfg.paper_protocol:
            res = smote_for_fold(cfg, raw, labels, ids, tr, cfg.seed * 100 + fold, progress)
            write_json(fold_dir / "smote.json", res.provenance())
            train_x = torch.cat([train_x, expand_channels(res.images, cfg.channels)])
            train_y = torch.cat([train_y, torch.ones(len(res.images), dtype=torch.int64)])
        t0 = time.time()
        out = fit_fold(cfg, fold, FoldData(train_x, train_y, x[va], torch.from_numpy(labels[va]), test_x,
                                           n_real_train=len(tr)), fold_dir, device, progress)
        log.info("fold %d: best val F1 %.4f at step %d, train F1 %.4f, %.1fs", fold, out["best_val_f1"],
                 out["best_step"], out["train_f1"], time.time() - t0)
        arrays = {k: v for k, v in out.items() if v is not None and k != "history"}
        arrays.update(train_idx=tr, val_idx=va, final_weights=True,
                      history=np.asarray(out["history"], dtype=np.float64).reshape(-1, 2))
        with atomic_path(run.fold_result_path(fold)) as tmp:
            np.savez(tmp, **arrays)
        results.append(run.read_fold_result(fold))
        if on_fold:
            on_fold(fold, results[-1], labels)
    context = {"labels": labels, "ids": ids, "n_real": len(ps), "test_ids": ps.test.ids if ps.test else None,
               "test_labels": ps.test.labels if ps.has_test_labels else None, "source": ps.source}
    return results, context


def fold_head(r: dict, labels: np.ndarray, head: str = "fc", svm_c: float = 1.0, seed: int = 0):
    """``head`` fitted on a fold's training embeddings, as a function of embeddings -> landslide scores;
    None for the network's own classifier."""
    if head == "fc":
        return None
    if head not in HEADS:
        raise LandslideError(f"unknown head {head!r}; choose fc, {', '.join(HEADS)}")
    fit_emb, fit_y = r["train_emb"], labels[r["train_idx"]]
    if "smote_emb" in r:  # the fold's SMOTE images: training data of the head, as they were of the network
        fit_emb = np.concatenate([fit_emb, r["smote_emb"]])
        fit_y = np.concatenate([fit_y, np.ones(len(r["smote_emb"]), fit_y.dtype)])
    fit, score = HEADS[head]
    model = fit(fit_emb, fit_y, svm_c, seed)
    return lambda emb: score(model, emb)


def fold_scores(r: dict, labels: np.ndarray, head: str = "fc", svm_c: float = 1.0, seed: int = 0):
    """One fold's scores of its (real) training, validation and test images under ``head``."""
    score = fold_head(r, labels, head, svm_c, seed)
    if score is None:
        return r["train_probs"], r["val_probs"], r.get("test_probs")
    return score(r["train_emb"]), score(r["val_emb"]), score(r["test_emb"]) if "test_emb" in r else None


def score(results: list[dict], context: dict, head: str = "fc", svm_c: float = 1.0, seed: int = 0) -> dict:
    """Train / CV / test F1 of one head over the folds' cached predictions and embeddings."""
    labels = context["labels"]
    train_f1, cv_f1 = [], []
    oof = np.full(len(labels), np.nan)
    test_scores = []
    for r in results:
        tr, va = r["train_idx"], r["val_idx"]
        tr_s, va_s, te_s = fold_scores(r, labels, head, svm_c, seed)
        train_f1.append(f1_at_half(labels[tr], tr_s))
        cv_f1.append(f1_at_half(labels[va], va_s))
        oof[va] = va_s
        if te_s is not None:
            test_scores.append(te_s)
    test_mean = np.mean(test_scores, axis=0) if test_scores else None
    has_test = test_mean is not None and context["test_labels"] is not None
    real = np.arange(context["n_real"])
    metrics = {
        "head": head, "svm_c": svm_c if head == "svm" else None,
        "train_f1": float(np.mean(train_f1)), "train_f1_folds": train_f1,
        "cv_f1_mean": float(np.mean(cv_f1)), "cv_f1_std": float(np.std(cv_f1)), "cv_f1_folds": cv_f1,
        # the paper's reading: each fold's best validation F1 over its history (chosen on that fold)
        "best_val_f1_folds": [float(r["best_val_f1"]) for r in results],
        "oof_f1": f1_at_half(labels[real], oof[real]),
        "train_img_s": float(np.mean([r.get("train_img_s", np.nan) for r in results])),
        "eval_img_s": float(np.mean([r.get("eval_img_s", np.nan) for r in results])),
        "test_f1": f1_at_half(context["test_labels"], test_mean) if has_test else None,
        "test_f1_boot": ([round(float(v), 4) for v in bootstrap_f1(context["test_labels"], test_mean)]
                         if has_test else None),
    }
    return metrics, oof, test_mean


def run_experiment(cfg: ExperimentConfig, run_dir: str | Path, progress: bool = True, on_fold=None
                   ) -> tuple[list[dict], dict, dict]:
    """Claim ``run_dir``, train every fold (resuming), score the configured head and write metrics.json,
    timing.json, oof.csv and (with a test split) submission.csv. Returns (fold results, context, metrics)."""
    import torch
    run = RunDir(run_dir)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    with run.session(cfg):
        t0 = time.time()
        results, context = train_folds(cfg, run, progress, on_fold)
        wall = time.time() - t0
        metrics, oof, test_mean = score(results, context, cfg.head, cfg.svm_c, cfg.seed)
        metrics.update(data=context["source"], profile=cfg.profile, seed=cfg.seed, folds=cfg.folds,
                       config_key=cfg.key(), threads=torch.get_num_threads())
        # Throughput differs run to run; it goes beside the metrics, so that metrics.json is reproducible.
        timing = {k: metrics.pop(k) for k in ("train_img_s", "eval_img_s")} | {"wall_s": wall}
        write_json(run.timing_path, timing)
        write_json(run.output_path(cfg, "metrics", ".json"), metrics)
        _write_oof(run.output_path(cfg, "oof", ".csv"), context, oof)
        if test_mean is not None:
            _write_submission(run.output_path(cfg, "submission", ".csv"), context["test_ids"], test_mean)
        log.info("done in %.1fs: CV F1 %.4f +- %.4f, test F1 %s", wall, metrics["cv_f1_mean"],
                 metrics["cv_f1_std"], metrics["test_f1"])
    return results, context, metrics | {"wall_s": wall}


def _write_oof(path: Path, context: dict, oof: np.ndarray) -> None:
    import pandas as pd
    n = context["n_real"]
    with atomic_path(path) as tmp:
        frame = pd.DataFrame({"ID": context["ids"][:n], "label": context["labels"][:n], "score": oof[:n]})
        frame.to_csv(tmp, index=False)


def _write_submission(path: Path, ids: list[str], scores: np.ndarray) -> None:
    import pandas as pd
    with atomic_path(path) as tmp:
        pd.DataFrame({"ID": ids, "label": (scores >= 0.5).astype(int)}).to_csv(tmp, index=False)

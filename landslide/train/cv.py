"""k-fold cross-validation: folds, leak-free SMOTE per training fold, out-of-fold predictions of each
fold's final weights, a test ensemble over folds, heads on cached embeddings, metrics and a Zindi
submission. ``run_experiment`` is the one train-then-score path: ``landslide train``, the grid runner
and the sweep all call it. The run folder's layout belongs to ``landslide.train.rundir``.
"""
from __future__ import annotations

import dataclasses
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
from landslide.data.builtin import load_source
from landslide.data.dataset import PatchSet
from landslide.errors import LandslideError
from landslide.profiles import profile_name
from landslide.train.device import pick_device, torch_threads
from landslide.train.engine import FoldData, build_model, fit_fold
from landslide.train.results import CvData, FoldResult, Metrics
from landslide.train.rows import Rows, fold_source
from landslide.train.rundir import RunDir, write_json
from landslide.train.scoring import score
from landslide.train.seeds import smote_seed, split_seed

log = logging.getLogger("landslide")


def subsample(ps: PatchSet, n: int, seed: int) -> PatchSet:
    """A stratified subsample of the training split (smoke runs)."""
    if not n or n >= len(ps):
        return ps
    from sklearn.model_selection import train_test_split
    keep, _ = train_test_split(np.arange(len(ps)), train_size=n, stratify=ps.train_labels, random_state=seed)
    keep = np.sort(keep)
    ps.train.ids = [ps.train.ids[i] for i in keep]
    ps.train.images = ps.train.images[keep]
    ps.train.labels = ps.train_labels[keep]
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


def training_set(cfg: ExperimentConfig, progress: bool = False) -> PatchSet:
    """The configuration's data set, subsampled as training sees it; with ``inner_of_fold``, only that
    outer fold's training part (no test split)."""
    return _training_set(cfg, split_seed(cfg.seed), progress)


def _training_set(cfg: ExperimentConfig, split: int, progress: bool) -> PatchSet:
    """``training_set`` with the run's split seed, derived once by the caller."""
    ps = load_source(cfg.data, cfg.synth_n, cfg.synth_test_n, cfg.synth_seed, progress)
    ps = subsample(ps, cfg.max_train, split)
    if cfg.inner_of_fold < 0:
        return ps
    outer_train, _ = make_folds(ps.train_labels, cfg.folds, split)[cfg.inner_of_fold]
    return keep_rows(ps, outer_train, f"{ps.source} (inner split of fold {cfg.inner_of_fold}'s training part)")


def keep_rows(ps: PatchSet, rows: np.ndarray, source: str) -> PatchSet:
    """The training split's ``rows`` alone, without the test split."""
    train = dataclasses.replace(ps.train, ids=[ps.train.ids[i] for i in rows], images=ps.train.images[rows],
                                labels=ps.train_labels[rows])
    return dataclasses.replace(ps, train=train, test=None, source=source)


def smote_for_fold(cfg, raw, labels, ids, idx, seed, progress) -> SmoteResult:
    """SMOTE, as configured, on the landslide images among ``idx`` (one training fold)."""
    pos = idx[labels[idx] == 1]
    total = count_for_share(len(pos), len(idx), cfg.smote_share) if cfg.smote_share else None
    if total == 0:
        warnings.warn(f"landslides are already {len(pos) / len(idx):.1%} of the fold, at or above "
                      f"smote_share={cfg.smote_share}: SMOTE adds nothing", stacklevel=2)
    return smote_ssim(raw[pos], [ids[i] for i in pos], cfg.smote_per_anchor, cfg.smote_k,
                      cfg.smote_alpha, cfg.smote_beta, seed=seed, progress=progress, total=total,
                      mix=cfg.smote_mix)


def train_folds(cfg: ExperimentConfig, run: RunDir, progress: bool = True, on_fold=None, on_epoch=None
                ) -> tuple[list[FoldResult], CvData]:
    """Train (or load) every fold. Returns the fold results and the data they are scored against.
    ``on_fold(fold, result, labels)``, if given, is called after each fold (a sweep's pruner listens);
    ``on_epoch(fold, epochs_done, val_f1)`` as each fold starts or is found finished and after each epoch
    (a grid's progress display listens; see ``fit_fold``)."""
    split = split_seed(cfg.seed)  # the subsample, an inner split and the folds: one seed, derived once
    ps = _training_set(cfg, split, progress)
    raw, labels, ids = torch.from_numpy(ps.train.images), ps.train_labels.copy(), list(ps.train.ids)
    if cfg.smote and cfg.paper_protocol:
        raw, labels, ids = _smote_before_split(cfg, run, raw, labels, ids, progress)
    # the folds read their channels from the raw bands as batches are drawn (landslide.train.rows): the
    # 20-channel set is never held whole beside them (issue 40)
    x, channels = fold_source(raw, cfg.channels)
    test_x = None
    if ps.test is not None:
        test_raw, test_channels = fold_source(torch.from_numpy(ps.test.images), cfg.channels)
        test_x = Rows(test_raw, np.arange(len(test_raw)), test_channels)
    data = CvData(labels, ids, len(ps), ps.source, ps.test.ids if ps.test else None,
                  ps.test.labels if ps.test is not None else None)
    smote_from = raw if cfg.smote and not cfg.paper_protocol else None
    del ps, raw
    device = pick_device(cfg.device)
    results = []
    folds = make_folds(labels, cfg.folds, split)[:cfg.folds_trained or None]
    for fold, (tr, va) in enumerate(tqdm(folds, desc="folds", disable=not progress, leave=False)):
        result = run.read_fold_result(fold)
        if result is None:
            fold_dir = run.fold(fold)
            fold_dir.make()
            made = None
            if smote_from is not None:  # SMOTE on this training fold
                res = smote_for_fold(cfg, smote_from, labels, ids, tr, smote_seed(cfg.seed, fold), progress)
                write_json(fold_dir.smote, res.provenance())
                made = expand_channels(res.images, cfg.channels)
                del res  # at 20 channels its raw images are a second copy of the made ones
            # the made images follow the real rows, which stay rows of the set (no copy of the fold)
            train_x = Rows(x, tr, channels, extra=made)
            train_y = torch.from_numpy(labels[tr])
            if made is not None:
                train_y = torch.cat([train_y, torch.ones(len(made), dtype=torch.int64)])
            fold_data = FoldData(train_x, train_y, Rows(x, va, channels), torch.from_numpy(labels[va]), test_x,
                                 n_real_train=len(tr))
            t0 = time.time()
            fitted = fit_fold(cfg, fold_data, fold_dir, device, progress, on_epoch)
            dataclasses.replace(fitted, train_idx=tr, val_idx=va).save(fold_dir.result)
            fold_dir.drop_resume_point()
            result = run.read_fold_result(fold)
            assert result is not None  # just written
            log.info("fold %d: best val F1 %.4f at step %d, train F1 %.4f, %.1fs", fold, result.best_val_f1,
                     result.best_step, result.train_f1, time.time() - t0)
        elif on_epoch:  # finished before: the progress counts its epochs as done
            on_epoch(fold, cfg.epochs, None)
        results.append(result)
        if on_fold:
            on_fold(fold, result, labels)
    return results, data


def _smote_before_split(cfg, run: RunDir, raw, labels, ids, progress):
    warnings.warn("paper protocol: SMOTE runs before the split, so validation folds hold synthetic images "
                  "interpolated from training images: CV scores leak and read too high", stacklevel=2)
    res = smote_for_fold(cfg, raw, labels, ids, np.arange(len(labels)), smote_seed(cfg.seed, None), progress)
    write_json(run.smote_path, res.provenance())
    return (torch.cat([raw, res.images]), np.concatenate([labels, np.ones(len(res.images), np.int64)]),
            ids + [f"smote_{i}" for i in range(len(res.images))])


@dataclasses.dataclass(frozen=True)
class RunOutcome:
    """What ``run_experiment`` made: the fold results, the data they were scored against, the configured
    head's metrics (``metrics.json``) and the training's wall seconds."""
    folds: list[FoldResult]
    data: CvData
    metrics: Metrics
    wall_s: float


def run_experiment(cfg: ExperimentConfig, run_dir: str | Path, progress: bool = True, on_fold=None,
                   on_epoch=None) -> RunOutcome:
    """Claim ``run_dir``, train every fold (resuming), score the configured head and write metrics.json,
    timing.json, oof.csv and (with a test split) submission.csv. ``on_fold``, ``on_epoch``: see
    ``train_folds``."""
    run = RunDir(run_dir)
    threads, note = torch_threads(cfg.threads)
    torch.set_num_threads(threads)
    # missing pretrained weights refuse the run before a folder is claimed
    preflight = (lambda: build_model(cfg, torch.device("cpu"))) if cfg.pretrained else None
    with run.session(cfg, preflight):
        log.info(note)
        t0 = time.time()
        results, data = train_folds(cfg, run, progress, on_fold, on_epoch)
        wall = time.time() - t0
        scored = score(results, data, cfg.head, cfg.svm_c, cfg.seed)
        metrics = dataclasses.replace(scored.metrics, data=data.source, profile=profile_name(cfg), seed=cfg.seed,
                                      folds=cfg.folds, config_key=cfg.key(), threads=torch.get_num_threads())
        # Throughput differs run to run; it goes beside the metrics, so that metrics.json is reproducible.
        write_json(run.timing_path, {"train_img_s": scored.train_img_s, "eval_img_s": scored.eval_img_s,
                                     "wall_s": wall})
        write_json(run.output_path(cfg, "metrics", ".json"), metrics.as_json())
        _write_oof(run.output_path(cfg, "oof", ".csv"), data, scored.oof)
        if scored.test is not None and data.test_ids is not None:
            _write_submission(run.output_path(cfg, "submission", ".csv"), data.test_ids, scored.test)
        log.info("done in %.1fs: CV F1 %s, test F1 %s", wall, metrics.cv_text(),
                 metrics.test_f1)
    return RunOutcome(results, data, metrics, wall)


def _write_oof(path: Path, data: CvData, oof: np.ndarray) -> None:
    import pandas as pd
    n = data.n_real
    with atomic_path(path) as tmp:
        frame = pd.DataFrame({"ID": data.ids[:n], "label": data.labels[:n], "score": oof[:n]})
        frame.to_csv(tmp, index=False)


def _write_submission(path: Path, ids: list[str], scores: np.ndarray) -> None:
    import pandas as pd
    with atomic_path(path) as tmp:
        pd.DataFrame({"ID": ids, "label": (scores >= 0.5).astype(int)}).to_csv(tmp, index=False)

"""One object owns a run folder: its layout (every file name below is written here and nowhere else; a
fold's files through ``FoldDir``), the claim on it, its lock and its log.

Layout::

    RUN/config.json          resolved configuration (a different one in the same folder is refused)
    RUN/data.json            the data's fingerprint by part (each CSV, each split's patch files): what changed
    RUN/smote.json           --paper-protocol only: provenance of the synthetic images made before the split
    RUN/fold_K/last.pt       checkpoint after the last finished epoch (resume point; dropped once the fold finishes)
    RUN/fold_K/model.pt      final weights (end of the fixed schedule) and the fold's normalisation
    RUN/fold_K/result.npz    predictions and pooled embeddings of the final weights, validation history
    RUN/fold_K/smote.json    provenance of the fold's synthetic images (anchor, neighbour, lambda)
    RUN/metrics.json, RUN/oof.csv, RUN/submission.csv (other heads: metrics-svm-c0.5.json, ...)
    RUN/timing.json, RUN/log.txt, RUN/.lock

Claiming checks everything that could refuse the run *before* anything is written, and a run that fails
before its first fold wrote anything removes what the claim created, so the corrected command starts
clean instead of being refused as "a different configuration".
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from landslide.atomic import open_own, write_text_atomic
from landslide.config import ExperimentConfig
from landslide.errors import LandslideError
from landslide.train.results import FoldResult

log = logging.getLogger("landslide")


def write_json(path: Path, obj) -> None:
    write_text_atomic(path, json.dumps(obj, indent=2, default=float))


def require_every_fold(cfg: ExperimentConfig, what="this configuration") -> None:
    """Thresholds, ensembles, projections and explanations read every fold's out-of-fold scores; a
    preview run (``folds_trained``) trains only some folds."""
    if cfg.folds_trained and cfg.folds_trained < cfg.folds:
        raise LandslideError(f"{what} trains {cfg.folds_trained} of its {cfg.folds} folds (folds_trained="
                             f"{cfg.folds_trained}, profile {cfg.profile}); this command needs every fold's "
                             f"out-of-fold scores: use --profile quick, or --set folds_trained=0")


@dataclass(frozen=True)
class FoldDir:
    """One fold's folder inside a run: what ``fit_fold`` and the cross-validation write there."""
    path: Path
    index: int

    last = property(lambda self: self.path / "last.pt")
    model = property(lambda self: self.path / "model.pt")
    result = property(lambda self: self.path / "result.npz")
    smote = property(lambda self: self.path / "smote.json")

    def make(self) -> None:
        """Create the fold's folder; a link planted in its place would send the fold's files elsewhere."""
        if self.path.is_symlink():
            raise LandslideError(f"{self.path} is a symbolic link (to {os.readlink(self.path)}); a fold's folder "
                                 f"is the tool's own. Remove the link and run the command again")
        self.path.mkdir(parents=True, exist_ok=True)

    def epochs_done(self) -> int:
        """Epochs finished by the resume point (0 without one)."""
        if not self.last.exists():
            return 0
        from landslide.train.checkpoint import load_checkpoint
        return int(load_checkpoint(self.last)["state"]["epoch"])

    def drop_resume_point(self) -> None:
        """A finished fold keeps what later commands read (``model.pt``, ``result.npz``); its resume point
        (weights, optimiser and schedule: about three times the weights) is then dead weight on disk."""
        self.last.unlink(missing_ok=True)


@dataclass(frozen=True)
class ResumePoint:
    """Where a partly trained run goes on: ``fold`` (0-based) after its ``epoch`` finished epochs, every
    fold before it finished. ``fold`` equal to the folds to train: all trained, only scoring is left."""
    fold: int
    epoch: int
    folds: int
    epochs: int

    @property
    def epochs_done(self) -> int:
        return self.fold * self.epochs + self.epoch

    def describe(self) -> str:
        if self.fold >= self.folds:
            return "trained, scoring left"
        if self.epoch >= self.epochs:  # killed while scoring its final weights
            return f"resuming at fold {self.fold + 1}, after its last epoch"
        return f"resuming at fold {self.fold + 1}, epoch {self.epoch + 1}"


class RunDir:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    config_path = property(lambda self: self.path / "config.json")
    data_path = property(lambda self: self.path / "data.json")
    timing_path = property(lambda self: self.path / "timing.json")
    log_path = property(lambda self: self.path / "log.txt")
    smote_path = property(lambda self: self.path / "smote.json")

    def output_path(self, cfg: ExperimentConfig, kind: str, suffix: str) -> Path:
        """metrics.json, oof.csv, submission.csv of the FC head; others carry their head's name, since
        cells that differ only in the head share one folder (Table 3)."""
        head = "" if cfg.head == "fc" else f"-{cfg.head}" + (f"-c{cfg.svm_c:g}" if cfg.head == "svm" else "")
        return self.path / f"{kind}{head}{suffix}"

    def fold(self, index: int) -> FoldDir:
        return FoldDir(self.path / f"fold_{index}", index)

    def read_config(self) -> ExperimentConfig:
        if not self.config_path.is_file():
            raise LandslideError(f"{self.path} is not a run folder (no config.json); train it first")
        try:
            saved = json.loads(self.config_path.read_text())
            if not isinstance(saved, dict):  # ``[]`` or a number would read as the defaults
                raise TypeError("not a JSON object")
            return ExperimentConfig.from_dict(saved)
        except (json.JSONDecodeError, TypeError, UnicodeDecodeError) as exc:
            raise LandslideError(f"{self.config_path}: unreadable ({type(exc).__name__}); delete the run folder "
                                 f"to start over") from None

    def require_same_data(self, cfg: ExperimentConfig) -> None:
        """A finished run's stored scores belong to the data it was trained on: paired with data edited
        since (rows reordered, removed, relabelled), they would put labels on the wrong IDs."""
        from landslide.data.fingerprint import changed_parts, digest, fingerprint_parts
        if not cfg.data_fingerprint:  # made without the command line's fingerprint: nothing to compare
            return
        now = fingerprint_parts(cfg.data)
        if digest(now) == cfg.data_fingerprint:
            return
        kept = self._kept_data_parts()
        where = cfg.data or "the built-in synthetic set"
        changed = [f"{where}/{part}" for part in changed_parts(kept, now)] if kept else [
            f"a CSV or patch file in {where}"]
        raise LandslideError(f"{self.path} was trained on data that has changed since ({', '.join(changed)} "
                             f"differ{'s' if len(changed) == 1 else ''}); its stored scores would be paired with "
                             f"the wrong patches. Restore the data as it was, or train a new run on it (another "
                             f"--out)")

    def _kept_data_parts(self) -> dict:
        """data.json's parts, or {} where it is missing or damaged: the data changed all the same, only
        which part cannot be said."""
        try:
            kept = json.loads(self.data_path.read_text())
        except (OSError, ValueError):
            return {}
        return kept if isinstance(kept, dict) else {}

    def read_fold_result(self, fold: int) -> FoldResult | None:
        """A finished fold's result, or None (not finished, or written by a version that scored the best
        checkpoint: that fold is trained again). A fold whose ``model.pt`` is gone is unfinished too, so
        that resuming writes it again (from ``last.pt`` when that holds the last epoch)."""
        if not self.fold(fold).model.exists():
            return None
        return FoldResult.load(self.fold(fold).result)

    def unfinished_folds(self, cfg: ExperimentConfig) -> list[int]:
        return [k for k in range(cfg.folds_trained or cfg.folds) if self.read_fold_result(k) is None]

    def resume_hint(self) -> str:
        """The step that finishes a run's missing folds (or writes a missing ``model.pt`` again)."""
        return (f"run the command that trained it again with the same options to finish them (`python -m "
                f"landslide train --out {self.path} ...`; a bench grid's run is finished by the bench command "
                f"that reads it), or delete {self.path} to start over")

    def resume_point(self, cfg: ExperimentConfig) -> ResumePoint | None:
        """How far this folder's run of ``cfg`` has come, or None when it has not started (or the folder
        holds another configuration: training it is refused with its own message)."""
        try:
            if not self.check(cfg):
                return None
        except LandslideError:
            return None
        folds = cfg.folds_trained or cfg.folds
        fold = next((k for k in range(folds) if self.read_fold_result(k) is None), folds)
        epoch = self.fold(fold).epochs_done() if fold < folds else 0
        return ResumePoint(fold, epoch, folds, cfg.epochs) if fold or epoch else None

    def check(self, cfg: ExperimentConfig) -> bool:
        """Refuse a folder that holds another configuration's run (heads and device may differ: they do
        not change the training); True when the folder already holds this one."""
        if not self.config_path.exists():
            if self.path.exists() and not self.path.is_dir():
                raise LandslideError(f"{self.path} is a file; choose a folder for --out")
            return False
        old = self.read_config()
        new = cfg.training_fields()
        old_fields = old.training_fields()
        if old_fields == new:
            return True
        diff = sorted(k for k in set(old_fields) | set(new) if old_fields.get(k) != new.get(k))
        if diff == ["data_fingerprint"]:
            raise LandslideError(f"the data at {cfg.data or 'the built-in synthetic set'} changed since {self.path} "
                                 f"was trained (its fingerprint differs); its folds would mix old and new data. "
                                 f"Choose another --out, or delete the folder to train on the new data")
        raise LandslideError(f"{self.path} holds a run of a different configuration (differs in {diff}); "
                             f"choose another --out, or delete the folder to start over")

    @contextmanager
    def session(self, cfg: ExperimentConfig, preflight=None):
        """Lock the folder, claim it for ``cfg`` and log to ``log.txt`` while the block runs; on failure
        before any fold wrote a file, leave nothing behind. ``preflight()``, if given, runs after the
        folder's own check and before anything is created, when the folder is not claimed yet (missing
        weights refuse the run before a folder exists)."""
        self.check(cfg)  # before anything is created
        if preflight is not None and not self.config_path.exists():
            preflight()
        created = not self.path.exists()
        self.path.mkdir(parents=True, exist_ok=True)
        with os.fdopen(open_own(self.path / ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two processes sharing one trained network wait for each other
            fresh = not self.check(cfg)  # again under the lock: another process may have claimed it
            log_file = os.fdopen(open_own(self.log_path, append=True), "a")  # before the claim: a link refused
            if fresh:
                from landslide.data.fingerprint import fingerprint_parts
                write_json(self.data_path, fingerprint_parts(cfg.data))
                write_json(self.config_path, cfg.resolved())
            handler = logging.StreamHandler(log_file)
            handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
            log.addHandler(handler)
            log.setLevel(logging.INFO)
            try:
                yield self
            except BaseException:
                if fresh and not any(self.path.glob("fold_*/*")):
                    self._forget(created)
                raise
            finally:
                log.removeHandler(handler)
                handler.close()
                handler.stream.close()

    def _forget(self, created: bool) -> None:
        for p in (self.config_path, self.data_path, self.log_path):
            p.unlink(missing_ok=True)
        for p in self.path.glob("fold_*"):
            shutil.rmtree(p, ignore_errors=True)
        if created:
            shutil.rmtree(self.path, ignore_errors=True)

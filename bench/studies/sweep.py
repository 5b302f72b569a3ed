"""``python -m bench sweep``: Optuna TPE over the same configuration space as the grids.

Each trial is one configuration trained over k folds; after each fold the running mean validation
F1 is reported, so the MedianPruner stops trials that trail the median of earlier trials at the
same fold. Trained networks live in the same run folders as the grids' (keyed by configuration),
so a trial that repeats a configuration reuses its folds. The best configuration is written as a
grid file (``tables/sweep_best.toml``) that ``bench table2 --grid`` accepts.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import optuna

from bench.grid.cells import run_dir_for
from bench.grid.storage import shown
from bench.grid.store import open_study, storage_url
from landslide.atomic import write_text_atomic
from landslide.config import ExperimentConfig
from landslide.errors import LandslideError
from landslide.metrics import f1_at_half
from landslide.names import require_plain_name
from landslide.options import config_from_args


def suggest(trial: optuna.Trial, base: ExperimentConfig) -> ExperimentConfig:
    """The search space: the factors of Tables 2 and 3 plus their continuous knobs."""
    p = {
        "lr": trial.suggest_float("lr", base.lr / 6, base.lr * 3, log=True),
        "lr_schedule": trial.suggest_categorical("lr_schedule", ["none", "step", "cosine"]),
        "norm": trial.suggest_categorical("norm", ["standard", "robust"]),
        "mixup": trial.suggest_categorical("mixup", [False, True]),
        "cutmix": trial.suggest_categorical("cutmix", [False, True]),
        "smote": trial.suggest_categorical("smote", [False, True]),
        "head": trial.suggest_categorical("head", ["fc", "svm", "lgbm"]),
    }
    if p["mixup"]:
        p["mixup_alpha"] = trial.suggest_float("mixup_alpha", 0.1, 1.0)
        p["mixup_prob"] = trial.suggest_float("mixup_prob", 0.1, 0.8)
    if p["cutmix"]:
        p["cutmix_prob"] = trial.suggest_float("cutmix_prob", 0.1, 0.8)
    if p["smote"]:
        p["smote_per_anchor"] = trial.suggest_int("smote_per_anchor", 1, 5)
        p["smote_alpha"] = trial.suggest_float("smote_alpha", 0.5, 5.0)
        p["smote_beta"] = trial.suggest_float("smote_beta", 0.5, 5.0)
        p["smote_mix"] = trial.suggest_categorical("smote_mix", ["anchor_texture", "linear", "rescaled"])
    if p["head"] == "svm":
        p["svm_c"] = trial.suggest_float("svm_c", 0.05, 2.0, log=True)
    return base.replace(**p)


def fold_score(cfg: ExperimentConfig, result, labels: np.ndarray) -> float:
    from landslide.train.scoring import fold_scores
    _, va_s, _ = fold_scores(result, labels, cfg.head, cfg.svm_c, cfg.seed)
    return f1_at_half(labels[result.val_idx], va_s)


def objective(base: ExperimentConfig, out: Path, progress: bool):
    from landslide.train.cv import run_experiment

    def run(trial: optuna.Trial) -> float:
        cfg = suggest(trial, base)
        scores: list[float] = []

        def on_fold(fold, result, labels):
            scores.append(fold_score(cfg, result, labels))
            trial.report(float(np.mean(scores)), step=fold)
            if trial.should_prune():
                raise optuna.TrialPruned()
        try:
            run_experiment(cfg, run_dir_for(out, cfg), progress, on_fold=on_fold)
        except optuna.TrialPruned:
            raise
        except Exception as exc:  # the study fails the trial; its reason is kept for the closing message
            trial.set_user_attr("error", f"{type(exc).__name__}: {exc}".splitlines()[0][:300])
            raise
        trial.set_user_attr("config", json.dumps(cfg.resolved(), sort_keys=True))
        return float(np.mean(scores))
    return run


def sweep_command(args) -> None:
    import matplotlib
    matplotlib.use("Agg")
    from optuna.visualization.matplotlib import plot_optimization_history, plot_param_importances

    from bench.output import save_figure
    require_plain_name(args.study, "--study")  # one rule for every name the bench keeps (grids, rows, profiles)
    base = config_from_args(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    storage = storage_url(args.storage, out)
    study = open_study(storage, args.study)
    study.sampler = optuna.samplers.TPESampler(seed=base.seed)
    study.pruner = optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=0)
    finished = [t for t in study.trials if t.state.is_finished()]
    todo = max(0, args.trials - len(finished))
    print(f"sweep {args.study}: {len(finished)} trials finished, {todo} to run -> {shown(storage)}")
    study.optimize(objective(base, out, not args.no_progress), n_trials=todo, catch=(Exception,))
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        failed = [t for t in study.trials if t.state == optuna.trial.TrialState.FAIL]
        why = f": {failed[-1].user_attrs.get('error', 'see the errors above')}" if failed else ""
        raise LandslideError(f"sweep {args.study}: no trial completed ({len(failed)} failed{why}); fix the cause "
                             f"and run the same command again (failed trials count towards --trials: raise it or "
                             f"use a new --study)")
    best = study.best_trial
    cfg = json.loads(best.user_attrs["config"])
    fields = {k: cfg[k] for k in best.params} | {"head": cfg["head"]}
    lines = [f'# Best configuration of the Optuna sweep "{args.study}" (trial {best.number}, '
             f'mean CV F1 {best.value:.4f}).',
             "# Run it with: python -m bench table2 --grid tables/sweep_best.toml", "",
             "[grid]", 'name = "sweep_best"', f'title = "Best configuration of sweep {args.study}"',
             'baseline = "best"', f"factors = {json.dumps(sorted(fields))}", "", "[[row]]", 'name = "best"']
    lines += [f"{k} = {json.dumps(v) if not isinstance(v, bool) else str(v).lower()}"
              for k, v in sorted(fields.items())]
    (out / "tables").mkdir(exist_ok=True)
    write_text_atomic(out / "tables" / "sweep_best.toml", "\n".join(lines) + "\n")
    print(f"best trial {best.number}: CV F1 {best.value:.4f} with {best.params}")
    print(f"wrote {out / 'tables' / 'sweep_best.toml'}")
    figs = {"sweep_history": plot_optimization_history(study)}
    if len(complete) >= 2:
        try:
            figs["sweep_importance"] = plot_param_importances(study)
        except (RuntimeError, ValueError) as exc:  # too few distinct trials for the importance evaluator
            print(f"parameter importances skipped: {exc}")
    for name, ax in figs.items():
        for p in save_figure(ax.figure, out / "figures", name):
            print(f"wrote {p}")

"""Tables as views over the results store: ours beside the paper's, with honest intervals.

- CV F1 (the headline): out-of-fold F1 of each fold's *final* weights, mean +- std over folds x seeds.
- best-on-val: the paper's reading, each fold's best validation F1 over its training history, chosen
  on the fold it is reported on; shown with its excess over the headline, never as the headline.
- test F1: the fold ensemble on the labelled test split, mean over seeds, with a 95 % bootstrap
  interval over test patches (paired replicates averaged over seeds: ``landslide.metrics``).
- Changes: every row against the baseline by the corrected resampled t-test over paired (seed, fold)
  scores; an arrow where p < 0.05, "~" where the change is within noise. The folds are identical across
  rows for one seed, which is what makes the pairing valid.
- With a grid's archive of per-patch scores (``with_measures``): the threshold-free metrics, each row
  against its parent, the verdict on the primary metric (``bench.grid.effects``), and the table a person
  reads (``readable_frame``, at most 9 columns, under a one-line summary of the verdicts).
"""
from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

import landslide
from bench.grid.spec import Grid, paper_numbers
from bench.grid.stats import PRIMARY, ROPE
from landslide.metrics import corrected_interval, corrected_ttest, interval
from landslide.profiles import profile_name

ALPHA = 0.05


def _diffs(row: dict[int, list[float]], ref: dict[int, list[float]]) -> list[float]:
    return [a - b for seed in sorted(set(row) & set(ref)) for a, b in zip(row[seed], ref[seed], strict=True)]


def change_interval(row: dict[int, list[float]], ref: dict[int, list[float]], folds: int) -> tuple[float, float]:
    """95 % interval of the mean per-(seed, fold) CV F1 difference (corrected resampled t)."""
    return corrected_interval(_diffs(row, ref), folds)


def test_change(row: dict[int, tuple], ref: dict[int, tuple]) -> tuple[float, float, float]:
    """(difference, low, high) of the seed-averaged test F1 against ``ref`` (seed -> (test F1, bootstrap
    replicates)): the replicates are paired, so they are differenced seed by seed, then averaged over
    the seeds both have."""
    both = sorted(set(row) & set(ref))
    if not both:
        return float("nan"), float("nan"), float("nan")
    diff = np.mean([np.asarray(row[s][1]) - np.asarray(ref[s][1]) for s in both], axis=0)
    return (float(np.mean([row[s][0] - ref[s][0] for s in both])), *interval(diff))


def paired_change(row: dict[int, list[float]], ref: dict[int, list[float]], folds: int
                  ) -> tuple[float, float, str]:
    """(mean difference, p, mark) of per-(seed, fold) CV F1 of ``row`` against ``ref`` (seed -> folds)."""
    diffs = _diffs(row, ref)
    if not diffs:
        return float("nan"), float("nan"), ""
    d, p = corrected_ttest(diffs, folds)
    if np.isnan(p):
        return d, p, "" if d == 0 else "~"
    return d, p, (("↑" if d > 0 else "↓") if p < ALPHA else "~")


def code_version() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).parent, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rev = ""
    return f"landslide-bench {landslide.__version__}" + (f" ({rev})" if rev else "")


def build_table(grid: Grid, cells: list, metrics: dict[str, dict], extra_cols=None) -> pd.DataFrame:
    """One line per grid row; extra_cols(row, cfg, row_metrics) may add columns (e.g. backbones)."""
    paper = paper_numbers(grid.paper_table)
    by_row: dict[str, list] = {}
    for c in cells:
        if c.key in metrics:
            by_row.setdefault(c.row, []).append((c, metrics[c.key]))
    folds_of = {row: {c.seed: m["cv_f1_folds"] for c, m in done} for row, done in by_row.items()}
    boots_of = {row: {c.seed: (m["test_f1"], m["test_f1_boot"]) for c, m in done if m.get("test_f1_boot")}
                for row, done in by_row.items()}
    lines = []
    for row in grid.rows:
        done = sorted(by_row.get(row.name, []), key=lambda cm: cm[0].seed)
        # our network, named: the profile's backbone (the paper's rows are EfficientNetV2's)
        line = {"row": row.name, "model": f"{done[0][0].cfg.backbone}: {row.label}" if done else row.label}
        for f in grid.factors:
            line[f] = row.fields.get(f, "")
        if row.name in paper:
            line["paper_train_f1"] = paper[row.name]["train_f1"]
            line["paper_test_f1"] = paper[row.name]["test_f1"]
        line["cv_f1"] = np.nan
        if done:
            line.update(_scores([m for _, m in done]), n_seeds=len(done), image_px=done[0][0].cfg.image_size)
            k = done[0][0].cfg.folds
            if row.name != grid.baseline:
                base = grid.baseline
                line.update(zip(("delta_base", "p_base", "mark_base"),
                                paired_change(folds_of[row.name], folds_of.get(base, {}), k), strict=True))
                line.update(zip(("delta_base_lo", "delta_base_hi"),
                                change_interval(folds_of[row.name], folds_of.get(base, {}), k), strict=True))
                line.update(zip(("delta_test_base", "delta_test_base_lo", "delta_test_base_hi"),
                                test_change(boots_of[row.name], boots_of.get(base, {})), strict=True))
            if extra_cols:
                line.update(extra_cols(row, done[0][0].cfg, [m for _, m in done]))
        lines.append(line)
    return pd.DataFrame(lines)


def _scores(ms: list[dict]) -> dict:
    """A row's scores over its seeds (see the module doc)."""
    folds = [v for m in ms for v in m["cv_f1_folds"]]
    best = [v for m in ms for v in m.get("best_val_f1_folds") or []]
    out = {"train_f1": float(np.mean([m["train_f1"] for m in ms])), "cv_f1": float(np.mean(folds)),
           "cv_f1_std": float(np.std(folds)) if len(folds) > 1 else np.nan,  # one fold has no spread
           "best_val_f1": float(np.mean(best)) if best else np.nan}
    out["optimism"] = out["best_val_f1"] - out["cv_f1"]
    tests = [m["test_f1"] for m in ms if m.get("test_f1") is not None]
    out["test_f1"] = float(np.mean(tests)) if tests else np.nan
    boots = [m["test_f1_boot"] for m in ms if m.get("test_f1_boot")]
    out["test_f1_lo"], out["test_f1_hi"] = interval(np.mean(boots, axis=0)) if boots else (np.nan, np.nan)
    return out


def header_lines(*lines: str) -> list[str]:
    """A table's header: what it is, then the code version and date every output carries."""
    return [*lines[:1], f"code: {code_version()}; date: {datetime.date.today().isoformat()}", *lines[1:]]


def data_profile_line(base, data: str) -> str:
    """What the cells trained on and with: the data (with the generator's version) and the profile."""
    from landslide.data.fingerprint import SYNTHETIC_VERSION
    if data.startswith("synthetic"):  # the version is in every synthetic cell's key: these cells are its
        data = f"{data}, generator v{SYNTHETIC_VERSION}"
    start = "ImageNet weights" if base.pretrained or base.weights else "trained from scratch"
    folds = (f"the first {base.folds_trained} of {base.folds} folds trained" if base.folds_trained
             else f"{base.folds} folds")
    averaged = f", weight average {base.ema_decay:g}" if base.ema_decay else ""
    # grid cells train on one thread unless told otherwise; another count is another cell (protocol.md)
    threads = f", {base.threads} torch threads per cell" if base.threads > 1 else ""
    return (f"data: {data}; profile: {profile_name(base)} ({base.backbone}, {start}, {folds}, "
            f"{base.epochs} epochs, batch {base.batch_size}, lr {base.lr:g} {base.optimizer}{averaged}{threads})")


def header(grid: Grid, base, seeds: list[int], data: str, stem: str) -> list[str]:
    """A grid table's header; its title opens with the output's name (``bench.output.output_stem``), so a
    preview's or a custom run's table says what it is (table2_preview), not the grid's name alone."""
    models = "the trained fold's network" if base.folds_trained == 1 else "fold ensemble"
    weights = "averaged weights" if base.ema_decay else "weights"
    title = f"{grid.title} (paper Table {grid.paper_table})" if grid.paper_table else grid.title
    return [f"{stem}: {title}",
            f"{data_profile_line(base, data)}; seeds: {','.join(map(str, seeds))}",
            f"code: {code_version()}; date: {datetime.date.today().isoformat()}",
            f"CV F1: out-of-fold F1 of each fold's final {weights} (fixed schedule), mean ± std over folds x seeds. "
            "best-on-val: the paper's reading (each fold's best validation F1, chosen on that fold: optimistic), "
            f"+ its excess over CV F1. Test F1: {models} on our labelled held-out split, mean over seeds "
            "[95 % bootstrap interval] (paper: Zindi public leaderboard). Δ base: against the "
            "baseline, corrected resampled t-test (Nadeau & Bengio 2003) over (seed, fold); "
            f"arrow where p < {ALPHA}, ~ where the change is within noise."]


def cv_text(mean, std, nd: int = 3) -> str:
    """CV F1 as a person reads it: mean ± std over (seed, fold), or the one fold's value said as such."""
    if mean is None or pd.isna(mean):
        return "not run"
    return f"{mean:.{nd}f} " + ("(one fold)" if std is None or pd.isna(std) else f"± {std:.{nd}f}")


def _fmt(v, nd=4):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return f"{v:.{nd}f}" if isinstance(v, float) else str(v)


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Human-readable columns: CV F1 as mean ± std, test F1 with its interval, changes with their marks."""
    out = df.copy()
    n = len(out)

    def col(name):
        return out[name] if name in out else pd.Series([np.nan] * n, index=out.index)
    if "cv_f1" in out:
        out["CV F1"] = [cv_text(m, s, 4) for m, s in zip(out["cv_f1"], col("cv_f1_std"), strict=True)]
    if "best_val_f1" in out:
        out["best-on-val"] = [f"{_fmt(b)} ({o:+.4f})" if not np.isnan(b) else ""
                              for b, o in zip(col("best_val_f1"), col("optimism"), strict=True)]
    if "test_f1_lo" in out:
        out["test_f1"] = [f"{_fmt(t)} [{_fmt(lo, 3)}, {_fmt(hi, 3)}]" if not np.isnan(lo) else _fmt(t)
                          for t, lo, hi in zip(col("test_f1"), col("test_f1_lo"), col("test_f1_hi"), strict=True)]
    for which, title in (("base", "Δ base"),):
        if f"delta_{which}" in out:
            out[title] = [f"{d:+.4f} {m} (p {p:.2f})" if not np.isnan(d) and not np.isnan(p)
                          else (f"{d:+.4f} {m}" if not np.isnan(d) else "")
                          for d, p, m in zip(col(f"delta_{which}").astype(float), col(f"p_{which}").astype(float),
                                             out.get(f"mark_{which}", pd.Series([""] * n, index=out.index)).fillna(""),
                                             strict=True)]
    if "delta_base_lo" in out:  # the interval of Δ base, after its p
        out["Δ base"] = [f"{t} [{lo:+.3f}, {hi:+.3f}]" if not np.isnan(lo) else t for t, lo, hi in
                         zip(out["Δ base"], col("delta_base_lo").astype(float), col("delta_base_hi").astype(float),
                             strict=True)]
    if "delta_test_base" in out:
        out["Δ test vs base [95 %]"] = [
            f"{d:+.4f} [{lo:+.3f}, {hi:+.3f}]" if not np.isnan(d) else ""
            for d, lo, hi in zip(*(col(c).astype(float) for c in ("delta_test_base", "delta_test_base_lo",
                                                                   "delta_test_base_hi")), strict=True)]
    drop = [c for c in ("cv_f1", "cv_f1_std", "best_val_f1", "optimism", "test_f1_lo", "test_f1_hi", "delta_base",
                        "p_base", "mark_base", "n_seeds", "delta_base_lo",
                        "delta_base_hi", "delta_test_base", "delta_test_base_lo", "delta_test_base_hi") if c in out]
    out = out.drop(columns=drop)
    return out.map(lambda v: _fmt(v) if isinstance(v, float) else v)


METRIC_NAMES = {"ap": "AP", "auc": "ROC-AUC", "log_loss": "log loss", "f1_05": "F1", "f1_oof": "F1 at OOF threshold"}
LEGEND = (f"AP: average precision, the primary metric (threshold-free; docs/protocol.md). CV F1: out-of-fold F1 "
          f"at 0.5 (the paper's reading), mean ± std over (seed, fold). Test: the fold ensemble on our labelled "
          f"test split, mean over seeds [95 % hierarchical bootstrap: seeds, then test patches]. Δ: against the "
          f"row's parent (the row it differs from in one factor), on the test split. verdict: the correlated "
          f"Bayesian t-test (Benavoli et al. 2017) over (seed, fold) on {METRIC_NAMES[PRIMARY]}, ROPE ±{ROPE}: "
          f"better / worse / equivalent where that probability is >= 0.95, else undecided; then the same on F1 at "
          f"the cross-fitted out-of-fold threshold, and whether the paper's F1 change replicates. plateau: "
          f"validation F1's last 3 epochs within 0.01 of the 3 before. The CSV keeps every column.")


def with_measures(df: pd.DataFrame, grid: Grid, scores: pd.DataFrame, facts: dict) -> pd.DataFrame:
    """``build_table``'s frame with the archive's measurement columns. The test intervals of F1 at 0.5
    (and its change against the baseline, which ``bench contrast`` reads) become the hierarchical ones."""
    from bench.grid.effects import measure_columns
    extra = measure_columns(grid, scores, facts)
    out = df.drop(columns=[c for c in extra.columns if c in df and c != "row"]).merge(extra, on="row", how="left")
    if "test_f1_05_lo" in out:
        out["test_f1_lo"], out["test_f1_hi"] = out.test_f1_05_lo, out.test_f1_05_hi
    return out


def _iv(v, lo, hi, signed: bool = False) -> str:
    f = "+.3f" if signed else ".3f"
    if v is None or pd.isna(v):
        return ""
    return f"{v:{f}} [{lo:{f}}, {hi:{f}}]" if not pd.isna(lo) else f"{v:{f}}"


def _verdict_text(r) -> str:
    if not isinstance(r.get("verdict"), str) or not r.get("verdict"):
        return ""
    p = {"better": r.get(f"p_better_{PRIMARY}"), "worse": r.get(f"p_worse_{PRIMARY}"),
         "equivalent": r.get(f"p_equiv_{PRIMARY}")}.get(r["verdict"])
    text = f"{METRIC_NAMES[PRIMARY]} {r['verdict']}" + (f" (P {p:.2f})" if p is not None else "")
    text += f"; F1 at OOF threshold {r.get('verdict_f1_oof', '')}"
    if isinstance(r.get("replicates_f1"), str):
        text += f"; paper's F1 change: {r['replicates_f1'].split(':')[0]}"
    return text


def readable_frame(df: pd.DataFrame, grid: Grid) -> pd.DataFrame:
    """The table a person reads: nine columns, one naming style (the CSV keeps every column)."""
    labels = {r.name: r.label for r in grid.rows}
    rows = []
    for r in df.to_dict("records"):
        parent = r.get("parent") or ""
        rows.append({
            "row": r["row"],
            "what changed": labels.get(r["row"], r["row"]) + (f" (vs {parent})" if parent else ""),
            "test AP [95 %]": _iv(r.get("test_ap"), r.get("test_ap_lo"), r.get("test_ap_hi")),
            "CV F1": cv_text(r.get("cv_f1"), r.get("cv_f1_std")),
            "test F1 [95 %]": _iv(r.get("test_f1_05", r.get("test_f1")), r.get("test_f1_lo"), r.get("test_f1_hi")),
            "Δ AP vs parent [95 %]": _iv(r.get("d_ap"), r.get("d_ap_lo"), r.get("d_ap_hi"), signed=True),
            "paper Δ F1": "" if pd.isna(r.get("paper_d_f1", np.nan)) else f"{r['paper_d_f1']:+.3f}",
            "verdict": _verdict_text(r),
            "plateau": r.get("plateau") if isinstance(r.get("plateau"), str) else "",
        })
    return pd.DataFrame(rows)


def summary_line(df: pd.DataFrame) -> str:
    """One line above a table: how many rows each verdict names, on the primary metric."""
    said = [v for v in df.get("verdict", pd.Series(dtype=object)) if isinstance(v, str) and v]
    changed = [df.get(c, pd.Series(dtype=float)).notna().any() for c in (f"d_{PRIMARY}", f"cv_d_{PRIMARY}")]
    if not said and any(changed):
        # rows and parents ran, but the Bayesian test (bench.grid.stats.bayes) has a single (seed, fold) pair
        return (f"verdicts on {METRIC_NAMES[PRIMARY]}: none (a verdict needs two (seed, fold) pairs of a row and "
                f"its parent or more; one fold of one seed gives the changes and their test intervals only)")
    if not said:
        return f"verdicts on {METRIC_NAMES[PRIMARY]}: none (no row has both itself and its parent run)"
    counts = ", ".join(f"{said.count(v)} {v}" for v in ("better", "worse", "equivalent", "undecided") if v in said)
    rows = f"{len(said)} row{'s' if len(said) > 1 else ''}"
    return f"verdicts on {METRIC_NAMES[PRIMARY]} against each row's parent ({rows}): {counts}"

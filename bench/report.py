"""Tables as views over the results store: ours beside the paper's, with a paired test.

CV F1 is the mean +- std over folds x seeds. A row's change against the baseline is marked (up/down
arrow) only where a paired t-test over the same (seed, fold) splits gives p < 0.05; otherwise it is
shown with "~" (within seed-to-seed noise). The folds are identical across rows for one seed, which
is what makes the pairing valid.
"""
from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

import landslide
from bench.grid import Grid, paper_numbers
from landslide.atomic import write_text_atomic

ALPHA = 0.05


def paired_change(row_folds: list[float], base_folds: list[float]) -> tuple[float, float, str]:
    """(mean difference, p-value, mark) of paired per-fold scores."""
    a, b = np.asarray(row_folds, float), np.asarray(base_folds, float)
    if len(a) != len(b) or len(a) == 0:
        return float("nan"), float("nan"), ""
    diff = float(np.mean(a - b))
    if len(a) < 2 or np.allclose(a - b, (a - b)[0]):
        # identical differences: a t-test is undefined (zero spread); only an exact tie is certain
        return diff, float("nan"), "" if diff == 0 else "~"
    p = float(stats.ttest_rel(a, b).pvalue)
    mark = ("↑" if diff > 0 else "↓") if p < ALPHA else "~"
    return diff, p, mark


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
    base = {c.seed: m for c, m in by_row.get(grid.baseline, [])}
    lines = []
    for row in grid.rows:
        done = sorted(by_row.get(row.name, []), key=lambda cm: cm[0].seed)
        line = {"row": row.name, "model": row.label}
        cfg = done[0][0].cfg if done else None
        for f in grid.factors:
            line[f] = row.fields.get(f, "")
        if row.name in paper:
            line["paper_train_f1"] = paper[row.name]["train_f1"]
            line["paper_test_f1"] = paper[row.name]["test_f1"]
        if done:
            folds = [v for _, m in done for v in m["cv_f1_folds"]]
            tests = [m["test_f1"] for _, m in done if m["test_f1"] is not None]
            line.update(train_f1=np.mean([m["train_f1"] for _, m in done]), cv_f1=np.mean(folds),
                        cv_f1_std=np.std(folds), test_f1=np.mean(tests) if tests else np.nan,
                        n_seeds=len(done), image_px=cfg.image_size)
            rf = [v for c, m in done if c.seed in base for v in m["cv_f1_folds"]]
            bf = [v for c, _ in done if c.seed in base for v in base[c.seed]["cv_f1_folds"]]
            if row.name != grid.baseline:
                d, p, mark = paired_change(rf, bf)
                line.update(delta_cv=d, p_value=p, mark=mark)
            if extra_cols:
                line.update(extra_cols(row, cfg, [m for _, m in done]))
        else:
            line["cv_f1"] = np.nan
        lines.append(line)
    return pd.DataFrame(lines)


def header(grid: Grid, base, seeds: list[int], data: str) -> list[str]:
    start = "ImageNet weights" if base.pretrained or base.weights else "trained from scratch"
    return [f"{grid.title} (paper Table {grid.paper_table})" if grid.paper_table else grid.title,
            f"data: {data}; profile: {base.profile} ({base.backbone}, {start}, {base.folds} folds, "
            f"{base.epochs} epochs, batch {base.batch_size}); seeds: {','.join(map(str, seeds))}",
            f"code: {code_version()}; date: {datetime.date.today().isoformat()}",
            "CV F1: out-of-fold, mean +- std over folds x seeds. Test F1: our labelled held-out split "
            "(paper: Zindi public leaderboard). Mark: paired t-test over (seed, fold) against the "
            f"baseline row, arrow where p < {ALPHA}, ~ where the change is within noise."]


def _fmt(v, nd=4):
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else (f"{v:.{nd}f}" if isinstance(v, float) else str(v))


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Human-readable columns: CV F1 as mean +- std, change with its mark."""
    out = df.copy()
    if "cv_f1" in out:
        out["CV F1"] = [f"{_fmt(m)} ± {_fmt(s)}" if not np.isnan(m) else "not run"
                        for m, s in zip(out["cv_f1"], out.get("cv_f1_std", pd.Series([np.nan] * len(out))))]
    if "delta_cv" in out:
        out["Δ CV"] = [f"{d:+.4f} {m}" if isinstance(d, float) and not np.isnan(d) else ""
                       for d, m in zip(out["delta_cv"], out.get("mark", [""] * len(out)))]
    drop = [c for c in ("cv_f1", "cv_f1_std", "delta_cv", "mark", "p_value", "n_seeds") if c in out]
    out = out.drop(columns=drop)
    return out.map(lambda v: _fmt(v) if isinstance(v, float) else v)


def write_table(df: pd.DataFrame, head: list[str], out_dir: Path, name: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    csv_path = out_dir / f"{name}.csv"
    write_text_atomic(csv_path, "".join(f"# {h}\n" for h in head) + df.to_csv(index=False))
    paths.append(csv_path)
    shown = display_frame(df)
    md = "\n".join(f"> {h}" for h in head) + "\n\n" + to_markdown(shown)
    write_text_atomic(out_dir / f"{name}.md", md)
    paths.append(out_dir / f"{name}.md")
    tex = "".join(f"% {h}\n" for h in head) + to_latex(shown)
    write_text_atomic(out_dir / f"{name}.tex", tex)
    paths.append(out_dir / f"{name}.tex")
    return paths


def to_markdown(df: pd.DataFrame) -> str:
    cells = [[str(v) for v in df.columns]] + [[str(v) for v in r] for r in df.itertuples(index=False)]
    lines = ["| " + " | ".join(r) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("---" for _ in df.columns) + "|")
    return "\n".join(lines) + "\n"


_TEX = {"±": r"$\pm$", "Δ": r"$\Delta$", "↑": r"$\uparrow$", "↓": r"$\downarrow$", "~": r"$\sim$",
        "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "*": r"$^*$"}


def _tex(v) -> str:
    return "".join(_TEX.get(ch, ch) for ch in str(v))


def to_latex(df: pd.DataFrame) -> str:
    """A booktabs tabular (needs \\usepackage{booktabs})."""
    rows = [" & ".join(_tex(v) for v in r) + r" \\" for r in df.itertuples(index=False)]
    return "\n".join([r"\begin{tabular}{" + "l" * len(df.columns) + "}", r"\toprule",
                      " & ".join(_tex(c) for c in df.columns) + r" \\", r"\midrule", *rows,
                      r"\bottomrule", r"\end{tabular}"]) + "\n"



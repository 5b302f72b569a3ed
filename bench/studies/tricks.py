"""``python -m bench tricks``: what the challenge winners' cheap tricks add to the paper's final recipe.

Rows are cumulative, on the networks of Table 2's SMOTE row (no retraining: the fold models and cached
embeddings are reused), plus a tabular baseline:

1. recipe: the paper's SVM head (C = 0.1) on one fold's network;
2. + fold ensemble: the k fold networks' test probabilities averaged (what Tables 2-3 report);
3. + TTA x8: every score averaged over the 8 dihedral transforms of the patch (``--tta 4``: 4 of them);
4. + OOF threshold: the threshold that maximises F1 on out-of-fold scores (for a fold's CV score: on
   the *other* folds only; for the test split: on all of them), instead of 0.5;
5. + backbones: the row above averaged with the finished networks of ``bench backbones`` for the same
   seed (the two with the best CV F1; FC head, no TTA), the threshold chosen again as in row 4. The
   members share the folds, so this row has a CV score (read slightly high: the members were picked on
   it); it is left out when no backbone cell has finished;
6. + seed ensemble: the seeds' scores of the row above averaged (test only: the seeds' folds differ);
7. tabular LightGBM on per-band statistics, same folds, no network: on the network's 12 channels with 13
   statistics (mean, std, min, max, 7 percentiles, skewness, kurtosis) and with 7 (mean, std, 5
   percentiles), and with 7 on 20 channels beside them.

CV F1 over (seed, fold) with the corrected resampled t-test against the row above; test F1 with its
95 % bootstrap interval and the paired bootstrap interval of its change against the row above.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.grid.cells import expand, run_dir_for
from bench.grid.inputs import grid_inputs
from bench.grid.report import header_lines
from bench.grid.rundirs import finished_run_dir
from bench.grid.runner import run_grid
from bench.grid.spec import Grid, load_grid
from bench.grid.store import finished_metrics, grid_study, open_study, storage_url
from bench.grid.tables import stored_measured_lines
from bench.output import output_stem, read_table, table_columns, write_table
from landslide.errors import LandslideError
from landslide.metrics import bootstrap_f1, corrected_ttest, interval
from landslide.train.rundir import require_every_fold
from landslide.tricks.ensemble import combine
from landslide.tricks.predict import run_scores
from landslide.tricks.tabular import VARIANTS, cross_validated, variant_name
from landslide.tricks.threshold import best_threshold, cross_fitted, f1_at, per_fold_f1

SVM_C = 0.1


def seed_scores(run_dir: str, tta: int) -> dict:
    """One seed's out-of-fold and per-fold test scores of the recipe, without and with TTA."""
    rs = run_scores(run_dir, tta, "svm", SVM_C)
    return {"labels": rs.labels, "test_labels": rs.test_labels, "fold_of": rs.fold_of, "oof": rs.oof_plain,
            "test": rs.test_plain_by_fold, "oof_tta": rs.oof, "test_tta": rs.test_by_fold,
            "tta_s": rs.tta_seconds, "tta_images": rs.tta_images}


def backbone_members(base, seeds: list[int], out: Path, storage: str | None, keep: int = 2
                     ) -> tuple[list[str], dict[int, list]]:
    """The ``keep`` families of the backbones grid with the best mean CV F1 among those finished for every
    seed, and per seed their run scores (FC head). Nothing is trained here."""
    from bench.figures.backbones import runnable_rows
    grid, _ = runnable_rows(load_grid("backbones"), base.profile)
    study = open_study(storage_url(storage, out), grid_study(grid.name))
    done = finished_metrics(study)
    by_row: dict[str, dict[int, tuple]] = {}
    for c in expand(grid, base, seeds):
        if c.key in done:
            by_row.setdefault(c.row, {})[c.seed] = (done[c.key]["cv_f1_mean"], run_dir_for(out, c.cfg))
    complete = {r: m for r, m in by_row.items() if set(m) == set(seeds)}
    best = sorted(complete, key=lambda r: -np.mean([cv for cv, _ in complete[r].values()]))[:keep]
    return best, {s: [run_scores(complete[r][s][1]) for r in best] for s in seeds} if best else {}


def tta_row_name(tta: int) -> str:
    """The TTA row's label says how many transforms it averaged (x1: none, the row above's scores)."""
    return "+ TTA x1 (no transform: the row above's scores)" if tta == 1 else f"+ TTA x{tta}"


def build_rows(seeds: dict[int, dict], tab: dict[str, dict[int, dict]], tta: int,
               backbones: tuple[list[str], dict] = ([], {})) -> list[dict]:
    """Row name -> per-(seed, fold) CV F1 (or None) and seed-averaged test probabilities' bootstrap;
    ``tab``: a tabular variant's name -> its scores per seed (rows that stand alone); ``tta``: the
    transforms the seeds' TTA scores averaged."""
    y_test = next(iter(seeds.values()))["test_labels"]
    rows = []

    def add(name, cv, tests, alone=False):
        boot = np.mean([bootstrap_f1(y_test, p) for p in tests], axis=0)
        rows.append({"row": name, "cv": cv, "test_f1": float(np.mean([f1_at(y_test, p, 0.5) for p in tests])),
                     "boot": boot, "alone": alone})
    cv_plain = {s: per_fold_f1(d["labels"], d["oof"], d["fold_of"]) for s, d in seeds.items()}
    cv_tta = {s: per_fold_f1(d["labels"], d["oof_tta"], d["fold_of"]) for s, d in seeds.items()}
    add("recipe: SVM (C=0.1) on one fold's network", cv_plain, [d["test"][0] for d in seeds.values()])
    add("+ fold ensemble", cv_plain, [np.mean(d["test"], 0) for d in seeds.values()])
    add(tta_row_name(tta), cv_tta, [np.mean(d["test_tta"], 0) for d in seeds.values()])
    cv_thr, thr_tests = {}, []
    for s, d in seeds.items():
        cv_thr[s] = cross_fitted(d["labels"], d["oof_tta"], d["fold_of"])[1]
        t = best_threshold(d["labels"], d["oof_tta"])
        thr_tests.append(np.mean(d["test_tta"], 0) - t + 0.5)  # shifted so that ">= 0.5" applies ">= t"
    add("+ OOF threshold", cv_thr, thr_tests)
    names, members_by_seed = backbones
    if names:
        for s, d in seeds.items():
            for rs in members_by_seed[s]:
                if not np.array_equal(rs.fold_of, d["fold_of"]):
                    raise LandslideError(f"seed {s}: a backbone cell's folds differ from the recipe's; were they "
                                         f"trained on the same data?")
            d["oof_tta"] = combine([d["oof_tta"]] + [rs.oof for rs in members_by_seed[s]])
            d["test_tta"] = [combine([np.mean(d["test_tta"], 0)] + [rs.test for rs in members_by_seed[s]])]
        cv_bb, bb_tests = {}, []
        for s, d in seeds.items():
            cv_bb[s] = cross_fitted(d["labels"], d["oof_tta"], d["fold_of"])[1]
            bb_tests.append(d["test_tta"][0] - best_threshold(d["labels"], d["oof_tta"]) + 0.5)
        add(f"+ backbones ({', '.join(names)})", cv_bb, bb_tests)
    if len(seeds) > 1:  # one seed has nothing to ensemble
        members = [np.mean(d["test_tta"], 0) for d in seeds.values()]
        oof_mean = combine([d["oof_tta"] for d in seeds.values()])
        y = next(iter(seeds.values()))["labels"]
        add(f"+ ensemble of {len(seeds)} seeds' networks", None,
            [combine(members) - best_threshold(y, oof_mean) + 0.5])
    for name, by_seed in tab.items():
        tab_cv = {s: per_fold_f1(d["labels"], d["oof"], d["fold_of"]) for s, d in by_seed.items()}
        add(name, tab_cv, [d["test"] for d in by_seed.values()], alone=True)
    return rows


def frame(rows: list[dict], folds: int) -> pd.DataFrame:
    lines = []
    for i, r in enumerate(rows):
        line = {"row": r["row"]}
        if r["cv"]:
            v = [x for s in sorted(r["cv"]) for x in r["cv"][s]]
            line.update(cv_f1=float(np.mean(v)), cv_f1_std=float(np.std(v)))
        lo, hi = interval(r["boot"])
        line.update(test_f1=r["test_f1"], test_f1_lo=lo, test_f1_hi=hi)
        prev = rows[i - 1] if i > 0 and not r["alone"] else None  # the tabular rows stand alone
        if prev is not None:
            dlo, dhi = interval(r["boot"] - prev["boot"])
            line.update(delta_test=r["test_f1"] - prev["test_f1"], delta_test_lo=dlo, delta_test_hi=dhi)
            if r["cv"] and prev["cv"] and r["cv"] is not prev["cv"]:
                diffs = [a - b for s in sorted(r["cv"]) for a, b in zip(r["cv"][s], prev["cv"][s], strict=True)]
                line["delta_cv"], line["p_cv"] = corrected_ttest(diffs, folds)
        lines.append(line)
    return pd.DataFrame(lines)


def display(df: pd.DataFrame) -> pd.DataFrame:
    def fmt(v, nd=4):
        return "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.{nd}f}"
    out = pd.DataFrame({"row": df.row})
    out["CV F1"] = [f"{fmt(m)} ± {fmt(s)}" if not np.isnan(m) else "—" for m, s in
                    zip(df.get("cv_f1", np.nan), df.get("cv_f1_std", np.nan), strict=True)]
    out["Δ CV (p)"] = [f"{d:+.4f} ({p:.2f})" if not np.isnan(d) else "" for d, p in
                       zip(df.get("delta_cv", pd.Series(np.nan, index=df.index)).astype(float),
                           df.get("p_cv", pd.Series(np.nan, index=df.index)).astype(float), strict=True)]
    out["test F1 [95 %]"] = [f"{fmt(t)} [{fmt(lo, 3)}, {fmt(hi, 3)}]" for t, lo, hi in
                             zip(df.test_f1, df.test_f1_lo, df.test_f1_hi, strict=True)]
    out["Δ test [95 %]"] = [f"{d:+.4f} [{lo:+.3f}, {hi:+.3f}]" if not np.isnan(d) else "" for d, lo, hi in
                            zip(*(df.get(c, pd.Series(np.nan, index=df.index)).astype(float)
                                  for c in ("delta_test", "delta_test_lo", "delta_test_hi")), strict=True)]
    return out


SUMMARY_START = "steps whose test F1 interval is clear of 0: "


def summary_line(df: pd.DataFrame) -> str:
    """One line above the table: which steps move test F1 with an interval clear of 0, and the last
    network row against the best tabular one (the tabular rows stand alone: they have no change)."""
    d = df.get("delta_test", pd.Series(np.nan, index=df.index)).astype(float)
    lo, hi = (df.get(c, pd.Series(np.nan, index=df.index)).astype(float) for c in ("delta_test_lo", "delta_test_hi"))
    clear = [f"{r} {v:+.4f} [{a:+.4f}, {b:+.4f}]" for r, v, a, b in zip(df.row, d, lo, hi, strict=True)
             if a > 0 or b < 0]
    line = f"{SUMMARY_START}{'; '.join(clear) if clear else 'none'}"
    is_tabular = df.row.isin({variant_name(*v) for v in VARIANTS})
    tabular, networks = df[is_tabular], df[~is_tabular]
    if len(tabular) and len(networks):
        best, last = tabular.loc[tabular.test_f1.idxmax()], networks.iloc[-1]
        line += (f"; the last network row {last.test_f1:.3f} against the best tabular row {best.test_f1:.3f} "
                 f"({last.test_f1 - best.test_f1:+.3f})")
    return line


def is_tricks_table(table: Path) -> bool:
    """Whether ``table`` (a CSV that ``write_table`` wrote) is a tricks table."""
    return {"row", "cv_f1", "test_f1", "delta_test", "delta_cv", "p_cv"} <= set(table_columns(table))


def rebuild_tricks(table: Path, out: Path) -> list[Path]:
    """The tricks table's Markdown and LaTeX with its summary line, again from its CSV (no network runs)."""
    head, df = read_table(table)
    head = [h for h in head if not h.startswith(SUMMARY_START)]
    return write_table(df, [*head, summary_line(df)], out / "tables", table.stem, shown=display(df))


def tricks_command(args) -> None:
    table2 = load_grid("table2")
    inputs = grid_inputs(table2, args)
    grid = Grid(table2.name, table2.title, "smote", table2.factors, [table2.row("smote")], table2.paper_table)
    base, out = inputs.base, inputs.out
    require_every_fold(base)  # before training anything
    finished = run_grid(inputs.with_grid(grid)).finished()
    found = {c.seed: finished_run_dir(out, c.cfg, inputs.progress) for c, _ in finished}
    if not found:
        raise LandslideError("no finished cell of Table 2's smote row for these seeds; run python -m bench table2 "
                             "with the same --seeds first")
    scores = {s: seed_scores(found[s], args.tta) for s in sorted(found)}
    tick = time.perf_counter()
    tab = {variant_name(*v): {s: cross_validated(base.replace(seed=s), s, *v) for s in sorted(found)}
           for v in VARIANTS}
    tab_s = time.perf_counter() - tick
    backbones = backbone_members(base, sorted(found), out, inputs.storage)
    df = frame(build_rows(scores, tab, args.tta, backbones), base.folds)
    tta_rate = sum(d["tta_images"] for d in scores.values()) / max(sum(d["tta_s"] for d in scores.values()), 1e-9)
    measured = stored_measured_lines(inputs.with_grid(table2, tuple(sorted(found))))
    head = header_lines(
        f"What the challenge winners' tricks add (Table 2's SMOTE-row networks, {base.profile} profile, "
        f"{base.backbone}); seeds: {','.join(map(str, sorted(found)))}",
        *(f"Table 2's {line}" for line in measured),
        (f"TTA x{args.tta}: {tta_rate:.0f} patches/s scored on this machine ({args.tta} forwards each)"
         if args.tta > 1 else "TTA x1: no transform (--tta 1)") + "; tabular "
        f"baselines: {tab_s:.1f} s for {len(VARIANTS)} variants x {len(found)} seed(s) x {base.folds} folds "
        f"(features and fits).",
        "Rows are cumulative; CV F1 over (seed, fold), Δ CV: corrected resampled t-test against the row above; "
        "test F1: mean over seeds [95 % bootstrap]; Δ test: paired bootstrap interval against the row above.",
        summary_line(df))
    stem = output_stem("tricks", base)
    write_table(df, head, out / "tables", stem, shown=display(df))
    print((out / "tables" / f"{stem}.md").read_text())

"""A grid table's measurement columns from its archive (``bench.grid.archive``): per row, each metric of
``bench.grid.measure`` on the folds and on the test split (with a hierarchical interval over seeds and
test patches), its change against the row's parent (``bench.grid.stats``), the verdict on the primary
metric, the F1 readings beside the paper's change against the same parent, train AUC and log loss, and
the row's plateau."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bench.grid.measure import METRICS, cell_scores, test_weights
from bench.grid.regime import PLATEAU
from bench.grid.spec import Grid, paper_numbers
from bench.grid.stats import PRIMARY, call, compare, hierarchical
from bench.grid.verdict import judge


def col(metric: str) -> str:
    """A metric's name in a column: f1@0.5 -> f1_05, f1@oof -> f1_oof."""
    return metric.replace("@0.5", "_05").replace("@", "_")


def row_scores(scores: pd.DataFrame) -> dict[str, dict[int, object]]:
    """row -> seed -> CellScores, every cell's test replicates drawn from one shared stream (paired)."""
    n_test = scores[scores.split == "test"].id.nunique()
    weights = test_weights(n_test) if n_test else None
    out: dict[str, dict[int, object]] = {}
    for (row, seed), cell in scores.groupby(["row", "seed"], sort=False):
        out.setdefault(str(row), {})[int(seed)] = cell_scores(cell, weights)
    return out


def measure_columns(grid: Grid, scores: pd.DataFrame, facts: dict) -> pd.DataFrame:
    """One line per grid row with the measurement columns (merged into ``build_table``'s frame by row)."""
    by_row = row_scores(scores)
    paper = paper_numbers(grid.paper_table)
    lines = []
    for row in grid.rows:
        line: dict = {"row": row.name, "parent": row.parent or ""}
        seeds = by_row.get(row.name, {})
        if seeds:
            line.update(_own(seeds))
            line.update(_train(facts, row.name))
        line.update(_plateau(facts, row.name))
        parent = by_row.get(row.parent or "", {})
        if seeds and parent:
            for m in METRICS:
                c = compare(seeds, parent, m)
                line.update({f"d_{col(m)}": c["d"], f"d_{col(m)}_lo": c["lo"], f"d_{col(m)}_hi": c["hi"],
                             f"cv_d_{col(m)}": c["cv_d"], f"p_better_{col(m)}": c["probs"][0],
                             f"p_equiv_{col(m)}": c["probs"][1], f"p_worse_{col(m)}": c["probs"][2],
                             f"verdict_{col(m)}": call(c["probs"])})
            line["verdict"] = line[f"verdict_{col(PRIMARY)}"]
            if row.name in paper and row.parent in paper:
                line["paper_d_f1"] = paper[row.name]["test_f1"] - paper[row.parent]["test_f1"]
                line["replicates_f1"] = judge(line["paper_d_f1"], line["d_f1_05_lo"], line["d_f1_05_hi"])[1]
        base = by_row.get(grid.baseline, {})
        if seeds and base and row.name != grid.baseline:  # what `bench contrast` reads: F1 against the baseline
            c = compare(seeds, base, "f1@0.5")
            line.update({"delta_test_base": c["d"], "delta_test_base_lo": c["lo"], "delta_test_base_hi": c["hi"]})
        isolated = by_row.get(row.isolates or "", {})
        if seeds and isolated:
            c = compare(seeds, isolated, PRIMARY)
            line.update({"isolates": row.isolates, f"iso_d_{col(PRIMARY)}": c["d"],
                         f"iso_d_{col(PRIMARY)}_lo": c["lo"], f"iso_d_{col(PRIMARY)}_hi": c["hi"],
                         "iso_verdict": call(c["probs"])})
        lines.append(line)
    return pd.DataFrame(lines)


def _own(seeds: dict) -> dict:
    """A row's own scores: CV mean over (seed, fold), test seed mean with its hierarchical interval."""
    out = {}
    for m in METRICS:
        out[f"cv_{col(m)}"] = float(np.mean([v for s in seeds.values() for v in s.cv[m]]))
        tested = [s for s in seeds.values() if s.test]
        if tested:
            out[f"test_{col(m)}"] = float(np.mean([s.test[m] for s in tested]))
            out[f"test_{col(m)}_lo"], out[f"test_{col(m)}_hi"] = hierarchical(np.array([s.test_boot[m]
                                                                                        for s in tested]))
    out["oof_thresholds"] = ",".join(f"{t:.2f}" for s in seeds.values() for t in s.thresholds)
    return out


def _train(facts: dict, row: str) -> dict:
    cells = [c for c in facts["cells"] if c["row"] == row]
    auc = [c["train_auc"] for c in cells if c.get("train_auc") is not None and not math.isnan(c["train_auc"])]
    loss = [c["train_log_loss"] for c in cells if c.get("train_log_loss") is not None
            and not math.isnan(c["train_log_loss"])]
    return {"train_auc": float(np.mean(auc)) if auc else math.nan,
            "train_log_loss": float(np.mean(loss)) if loss else math.nan}


def _plateau(facts: dict, row: str) -> dict:
    delta, curves = facts.get("plateau", {}).get(row, [None, 0])
    if delta is None:
        return {"plateau_delta": math.nan, "plateau": ""}
    return {"plateau_delta": delta, "plateau": "yes" if abs(delta) <= PLATEAU else "no", "plateau_curves": curves}

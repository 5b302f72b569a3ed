"""Folds whose final weights lost what training had reached: a diverged run, not a weak model.

The tables score each fold's final (averaged) weights. A fold that reached validation F1 0.77 during
training and ends at 0.02 has diverged (a rate at the edge of stability, typically), and its row's mean
then measures that accident rather than the row's factor. Such a row reads as a large loss with a huge
fold spread; the header names the fold so that nobody reports it as a finding (docs/results.md,
"InceptionV3 at 4e-3").
"""
from __future__ import annotations

DROP = 0.25  # final F1 this far below its best: collapsed (healthy rows: a mean excess of 0.054 at most)


def collapsed_folds(cv_f1_folds: list[float], best_val_f1_folds: list[float] | None) -> list[tuple[int, float, float]]:
    """(fold, final F1, best F1) of every fold whose final F1 is more than DROP below its best."""
    return [(k, final, best) for k, (final, best) in enumerate(zip(cv_f1_folds, best_val_f1_folds or [], strict=False))
            if best - final > DROP]


def collapse_lines(cells: list, metrics: dict[str, dict]) -> list[str]:
    """One header line per row with collapsed folds, naming seed and fold."""
    by_row: dict[str, list[str]] = {}
    for c in sorted(cells, key=lambda c: c.seed):
        m = metrics.get(c.key)
        if m is None or m.get("head", "fc") != "fc":  # a head's F1 against its network's history is no divergence
            continue
        for k, final, best in collapsed_folds(m["cv_f1_folds"], m.get("best_val_f1_folds")):
            by_row.setdefault(c.row, []).append(f"seed {c.seed} fold {k} ended at F1 {final:.3f} after "
                                                f"{best:.3f} during training")
    return [f"collapsed: {row}: {'; '.join(found)} (its final weights diverged: the row's mean measures that, "
            f"not its factor; lower its lr or read best-on-val)" for row, found in by_row.items()]

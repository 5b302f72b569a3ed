"""Folds whose final weights lost what training had reached: a diverged run, not a weak model.

The tables score each fold's final (averaged) weights. A fold that reached a validation F1 near 0.8
during training and ends near zero has diverged (a rate at the edge of stability, typically), and its
row's mean then measures that accident rather than the row's factor. Such a row reads as a large loss
with a huge fold spread; the header names the fold so that nobody reports it as a finding
(docs/results.md, "InceptionV3's committed row is a diverged fold").

Only fc-head cells are judged: a head fitted on a shared network (Table 3) carries that network's
history, which is not the head's; the network itself is judged through the grid's fc row.
"""
from __future__ import annotations

import math

# Final F1 this far below the fold's own best: collapsed. A judgement call, not a fitted value: well
# above the ordinary excess of best-on-val (the committed healthy rows' means are at most 0.054).
DROP = 0.25


def collapsed_folds(cv_f1_folds: list, best_val_f1_folds: list | None) -> list[tuple[int, float, float]]:
    """(fold, final F1, best F1) of every fold whose final F1 is more than DROP below its best; a missing
    (None or NaN) final F1 after a finite best counts as collapsed. Lists of different lengths (metrics
    written before the history was kept) are not judged."""
    best_folds = best_val_f1_folds or []
    if len(best_folds) != len(cv_f1_folds):
        return []
    found = []
    for k, (final, best) in enumerate(zip(cv_f1_folds, best_folds, strict=True)):
        final = math.nan if final is None else float(final)
        best = math.nan if best is None else float(best)
        if math.isfinite(best) and not final >= best - DROP:  # `not >=`: a NaN final is flagged too
            found.append((k, final, best))
    return found


def collapse_lines(cells: list, metrics: dict[str, dict]) -> list[str]:
    """One header line per row with collapsed folds, naming seed and fold."""
    by_row: dict[str, list[str]] = {}
    for c in sorted(cells, key=lambda c: c.seed):
        m = metrics.get(c.key)
        if m is None or m.get("head", "fc") != "fc":
            continue
        for k, final, best in collapsed_folds(m["cv_f1_folds"], m.get("best_val_f1_folds")):
            by_row.setdefault(c.row, []).append(f"seed {c.seed} fold {k} ended at F1 {final:.3f} after "
                                                f"{best:.3f} during training")
    return [f"collapsed: {row}: {'; '.join(found)} (its final weights diverged: the row's mean measures that, "
            f"not its factor; lower its lr and train it again)" for row, found in by_row.items()]

"""The learning-curve figure from hand-made curves: files, a one-line title, the caption, integer ticks."""
import numpy as np

from bench.figures.curves import Curve, draw_curves


def test_draws_validation_and_training_curves_with_a_caption(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt
    seen = {}
    monkeypatch.setattr(plt, "close", lambda fig: seen.setdefault("fig", fig))  # keep the figure to inspect it
    hist = np.c_[np.arange(1, 5) * 10, [0.3, 0.5, 0.6, 0.7]]
    curves = {"baseline": [Curve(hist, np.array([0.6, 0.4, 0.3, 0.2]))] * 2,
              "smote": [Curve(hist, np.array([0.3, 0.2]))]}  # resumed from an old fold: its last two epochs
    paths = draw_curves(curves, 4, "baseline", "Learning curves, quick profile", ["data: synthetic(n=9)",
                        "regime: fitted"], tmp_path / "t2_curves")
    assert sorted(p.name for p in paths) == ["t2_curves.pdf", "t2_curves.png", "t2_curves.txt"]
    assert all(p.stat().st_size > 0 for p in paths)
    assert (tmp_path / "t2_curves.txt").read_text().splitlines()[:2] == ["data: synthetic(n=9)", "regime: fitted"]
    fig = seen["fig"]
    assert "\n" not in fig._suptitle.get_text()
    f1_ax, loss_ax = fig.axes
    assert len(loss_ax.lines) == 2 and list(loss_ax.lines[1].get_xdata()) == [3, 4]
    assert all(float(t).is_integer() for t in f1_ax.get_xticks())

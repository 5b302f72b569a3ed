"""The backbones' tables as a person reads them (``bench backbones``): at most nine columns in one naming
style under a one-line summary; the CSVs keep every column for programs."""
from __future__ import annotations

import pandas as pd

from bench.grid.report import cv_text


def _f(v, fmt: str) -> str:
    return "" if v is None or pd.isna(v) else format(v, fmt)


def _iv(v, lo, hi, fmt: str) -> str:
    return "" if pd.isna(v) else format(v, fmt) + ("" if pd.isna(lo) else f" [{lo:{fmt}}, {hi:{fmt}}]")


def readable_frame(df: pd.DataFrame) -> pd.DataFrame:
    """One line per family: its network (with its input size where the architecture raised it), rate,
    size, fit, scores and throughput."""
    common_px = df.image_px.mode().iloc[0] if "image_px" in df and df.image_px.notna().any() else None
    rows = []
    for r in df.to_dict("records"):
        px = r.get("image_px")
        raised = f", {px:g} px" if common_px is not None and not pd.isna(px) and px != common_px else ""
        network = f"{r.get('family', r['row'])} ({r['timm_model']}{raised})" if r.get("timm_model") else r["row"]
        d = _iv(r.get("delta_base"), r.get("delta_base_lo"), r.get("delta_base_hi"), "+.3f")
        rows.append({
            "row": r["row"], "network": network, "lr": _f(r.get("lr"), "g"),
            "params (M)": _f(r.get("params_m"), ".1f"), "train F1": _f(r.get("train_f1"), ".3f"),
            "CV F1": cv_text(r.get("cv_f1"), r.get("cv_f1_std")),
            "test F1 [95 %]": _iv(r.get("test_f1"), r.get("test_f1_lo"), r.get("test_f1_hi"), ".3f"),
            "Δ CV F1 vs baseline [95 %]": (f"{d} {r['mark_base']}" if d and isinstance(r.get("mark_base"), str)
                                           else d),
            "train img/s": _f(r.get("train_img_s"), ".0f"),
        })
    return pd.DataFrame(rows)


SUMMARY_START = "leading family on test F1: "


def _named(r) -> str:
    return f"{r.get('family', r['row'])} ({r.get('timm_model', '')})"


def summary_line(df: pd.DataFrame) -> str:
    """Which family leads on test F1 (the split no choice saw) and by how much over the next, with both
    intervals and whether they overlap (overlapping intervals: a lead within noise)."""
    done = df[df.test_f1.notna()].sort_values("test_f1", ascending=False) if "test_f1" in df else df.iloc[:0]
    if done.empty:
        return SUMMARY_START + "none (no family finished)"
    first = done.iloc[0]

    def test_f1(r) -> str:  # tables written before the intervals existed have none
        return _iv(r.test_f1, r.get("test_f1_lo"), r.get("test_f1_hi"), ".3f")
    line = f"{SUMMARY_START}{_named(first)} {test_f1(first)}"
    if len(done) == 1:
        return line + " (the only family run)"
    second = done.iloc[1]
    overlap = None if pd.isna(first.get("test_f1_lo")) else not first.test_f1_lo > second.test_f1_hi
    said = ("" if overlap is None else "; the intervals overlap: a lead within noise" if overlap
            else "; the intervals do not overlap")
    return f"{line}, {first.test_f1 - second.test_f1:+.3f} over {_named(second)} {test_f1(second)}{said}"


def readable_rates(scores: pd.DataFrame) -> pd.DataFrame:
    """The inner split's table: every (family, rate) pair's inner validation and train F1."""
    return pd.DataFrame({"row": scores.row, "family": scores.family, "lr": scores.lr.map(lambda v: f"{v:g}"),
                         "inner validation F1": scores.inner_val_f1.map(lambda v: f"{v:.3f}"),
                         "train F1": scores.train_f1.map(lambda v: f"{v:.3f}"),
                         "chosen": scores.chosen.fillna("")})  # a CSV read back holds NaN for ""


RATES_START = "chosen rates (inner validation F1): "


def rates_summary(scores: pd.DataFrame) -> str:
    """Each family's chosen rate and its inner validation F1, best first."""
    chosen = scores[scores.chosen == "yes"].sort_values("inner_val_f1", ascending=False)
    return RATES_START + ", ".join(
        f"{r.family} {r.lr:g} ({r.inner_val_f1:.3f})" for r in chosen.itertuples())

"""``python -m bench smote``: the paper's Fig. 4 for our data. Anchors, their SSIM nearest neighbours and
SMOTE samples (RGB composite and one SAR band), and class counts before and after; beside it a table of
how well texture statistics tell the synthetic landslides from the real ones, for every mix
(``bench.figures.smote_marker``)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from bench.output import output_stem, save_figure, write_table
from landslide.data.bands import RAW_BANDS, RGB_BANDS
from landslide.options import config_from_args
from landslide.train.cv import smote_for_fold, training_set


def _rgb(img: np.ndarray) -> np.ndarray:
    rgb = img[[RAW_BANDS.index(b) for b in RGB_BANDS]].transpose(1, 2, 0)
    lo, hi = np.percentile(rgb, [2, 98])
    return np.clip((rgb - lo) / max(hi - lo, 1e-6), 0, 1)


def smote_command(args) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cfg = config_from_args(args)
    ps = training_set(cfg, not args.no_progress)
    labels = ps.train.labels
    pos = np.nonzero(labels == 1)[0]
    # the whole training split as one fold, with the configured amount and mix
    res = smote_for_fold(cfg, torch.from_numpy(ps.train.images), labels, list(ps.train.ids),
                         np.arange(len(labels)), cfg.seed, not args.no_progress)
    index = {pid: i for i, pid in enumerate(ps.train.ids)}
    sar = RAW_BANDS.index(args.sar_band)
    firsts = [res.anchor_ids.index(pid) for pid in dict.fromkeys(res.anchor_ids)]  # one sample per anchor
    rows = min(args.rows, len(firsts))
    fig, axes = plt.subplots(rows, 7, figsize=(14, 2.1 * rows + 0.6),
                             gridspec_kw={"width_ratios": [1, 1, 1, 1, 1, 1, 1.6]})
    axes = np.atleast_2d(axes)
    for r, m in enumerate(firsts[:rows]):
        a = ps.train.images[index[res.anchor_ids[m]]]
        b = ps.train.images[index[res.neighbour_ids[m]]]
        s = res.images[m].numpy()
        for c, (img, title) in enumerate(((a, "anchor"), (b, "SSIM neighbour"), (s, f"SMOTE λ={res.lambdas[m]:.2f}"))):
            axes[r, 2 * c].imshow(_rgb(img))
            axes[r, 2 * c + 1].imshow(img[sar], cmap="gray")
            axes[r, 2 * c].set_title(f"{title}\nRGB", fontsize=8)
            axes[r, 2 * c + 1].set_title(f"{title}\n{args.sar_band}", fontsize=8)
        for ax in axes[r, :6]:
            ax.axis("off")
        axes[r, 6].axis("off")
    n_pos, n_neg = len(pos), len(ps) - len(pos)
    ax = fig.add_subplot(1, 7, 7)
    bars = ax.bar(["non-\nlandslide", "landslide", "landslide\n+ SMOTE"], [n_neg, n_pos, n_pos + len(res.images)],
                  color=["#8c8c8c", "#d95f02", "#fdae61"])
    ax.bar_label(bars)
    ax.set_title(f"class counts ({ps.source})", fontsize=8)
    amount = f"landslide share {cfg.smote_share}" if cfg.smote_share else f"{cfg.smote_per_anchor} per anchor"
    mix = f", mix {cfg.smote_mix}"
    fig.suptitle(f"SMOTE with SSIM neighbours (k={cfg.smote_k}, {amount}, "
                 f"λ~Beta({cfg.smote_alpha}, {cfg.smote_beta}) clipped to [0.1, 0.9]{mix})")
    for p in save_figure(fig, Path(args.out) / "figures", output_stem("smote", cfg)):
        print(f"wrote {p}")
    marker_table(cfg, ps, res, Path(args.out), not args.no_progress)


def marker_table(cfg, ps, res, out: Path, progress: bool) -> None:
    """tables/smote_marker.{csv,md}: per mix, the out-of-fold AUC of synthetic against real landslides."""
    import pandas as pd

    from bench.figures.smote_marker import best_single_feature_auc, separability_auc, texture_features
    from bench.grid.report import header_lines
    labels = ps.train.labels
    raw = torch.from_numpy(ps.train.images)
    real_pos = texture_features(raw[labels == 1])
    rows = []
    for mix in ("anchor_texture", "rescaled", "linear"):
        synth = res.images if mix == cfg.smote_mix else smote_for_fold(
            cfg.replace(smote_mix=mix), raw, labels, list(ps.train.ids), np.arange(len(labels)), cfg.seed,
            progress).images
        feats = texture_features(synth)
        rows.append({"compared": f"SMOTE ({mix}{', the default' if mix == 'anchor_texture' else ''}"
                                 f"{', Algorithm 1' if mix == 'linear' else ''}) vs real landslides",
                     "n": f"{len(feats)} vs {len(real_pos)}", "auc_logistic_cv": separability_auc(real_pos, feats),
                     "auc_best_single_feature": best_single_feature_auc(real_pos, feats)})
    real_neg = texture_features(raw[labels == 0])
    rows.append({"compared": "real landslides vs real non-landslides (class information)",
                 "n": f"{len(real_pos)} vs {len(real_neg)}", "auc_logistic_cv": separability_auc(real_neg, real_pos),
                 "auc_best_single_feature": best_single_feature_auc(real_neg, real_pos)})
    df = pd.DataFrame(rows)
    head = header_lines(f"SMOTE marker: can texture statistics tell synthetic from real landslides? ({ps.source}, "
                        f"seed {cfg.seed}, k={cfg.smote_k}, " + (f"landslide share {cfg.smote_share}" if cfg.smote_share
                                                                  else f"{cfg.smote_per_anchor} per anchor") + ")",
                        "Features per band: log std of the fine texture (image - Gaussian blur, sigma 1.5) and its "
                        "lag-1 autocorrelation. AUC: 5-fold out-of-fold logistic regression; 0.5 = indistinguishable.")
    shown = df.map(lambda v: f"{v:.3f}" if isinstance(v, float) else v)
    csv_path, md_path = write_table(df, head, out / "tables", output_stem("smote_marker", cfg), shown, latex=False)
    print(md_path.read_text())
    print(f"wrote {csv_path}, {md_path}")

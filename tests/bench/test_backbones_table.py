"""The backbones' tables a person reads: at most nine columns in one style, a summary of who leads."""
import numpy as np
import pandas as pd

from bench.figures.backbones_table import rates_summary, readable_frame, readable_rates, summary_line
from bench.output import write_table

COLS = ["row", "family", "timm_model", "lr", "params_m", "train_f1", "cv_f1", "cv_f1_std", "test_f1", "test_f1_lo",
        "test_f1_hi", "best_val_f1", "optimism", "train_img_s", "eval_img_s", "image_px", "delta_base",
        "delta_base_lo", "delta_base_hi", "p_base", "mark_base"]


def _frame(resnet_lo: float = 0.852) -> pd.DataFrame:
    nan = np.nan
    return pd.DataFrame([
        ("efficientnetv2", "EfficientNetV2", "tf_efficientnetv2_b0", 2e-3, 5.86, 0.743, 0.720, 0.030, 0.732, 0.694,
         0.771, 0.774, 0.054, 75.2, 398.3, 64, nan, nan, nan, nan, nan),
        ("inceptionv3", "InceptionV3", "inception_v3", 4e-3, 21.79, 0.501, 0.487, 0.354, 0.585, 0.537, 0.633, 0.774,
         0.287, 42.6, 139.3, 75, -0.233, -0.9, 0.4, 0.59, "~"),
        ("resnet", "ResNet", "resnet10t", 2e-3, 4.93, 0.931, 0.835, 0.007, 0.877, resnet_lo, 0.904, 0.844, 0.009,
         111.5, 369.6, 64, 0.115, -0.02, 0.25, 0.08, "~"),
        ("regnety", "RegNetY", "regnety_002", 2e-3, 2.80, 0.960, 0.865, 0.017, 0.874, 0.848, 0.900, 0.873, 0.008,
         186.4, 954.4, 64, 0.145, -0.03, 0.32, 0.09, "~"),
        ("vit", "ViT", "vit_tiny_patch16_224", 5e-4, 5.93, 0.848, nan, nan, nan, nan, nan, nan, nan, nan, nan, 64,
         nan, nan, nan, nan, nan)], columns=COLS)


def test_the_backbones_markdown_is_readable_and_the_csv_keeps_every_column(tmp_path):
    df = _frame()
    paths = write_table(df, ["Backbones", summary_line(df)], tmp_path, "backbones", readable_frame(df))
    md = paths[1].read_text()
    table = [ln for ln in md.splitlines() if ln.startswith("| ")]
    assert all(len(ln.strip("|").split("|")) <= 9 for ln in table)
    assert table[0] == ("| row | network | lr | params (M) | train F1 | CV F1 | test F1 [95 %] | "
                        "Δ CV F1 vs baseline [95 %] | train img/s |")
    by_row = {ln.split(" | ")[0].lstrip("| "): ln for ln in table[1:]}
    # the input size only where the architecture raised it; the change with its interval and mark
    assert "| InceptionV3 (inception_v3, 75 px) | 0.004 | 21.8 | 0.501 | 0.487 ± 0.354 |" in by_row["inceptionv3"]
    assert "| ResNet (resnet10t) |" in by_row["resnet"] and "| +0.115 [-0.020, +0.250] ~ | 112 |" in by_row["resnet"]
    assert "| not run |" in by_row["vit"]
    assert md.splitlines()[1] == ("> leading family on test F1: ResNet (resnet10t) 0.877 [0.852, 0.904], +0.003 over "
                                  "RegNetY (regnety_002) 0.874 [0.848, 0.900]; the intervals overlap: a lead within "
                                  "noise")
    assert list(pd.read_csv(paths[0], comment="#").columns) == COLS
    assert "$\\pm$" in paths[2].read_text() and "network" in paths[2].read_text()  # the LaTeX follows the Markdown


def test_a_lead_beyond_noise_and_no_finished_family_are_said_so():
    assert summary_line(_frame(resnet_lo=0.901)).endswith("; the intervals do not overlap")
    assert summary_line(_frame().assign(test_f1=np.nan)) == "leading family on test F1: none (no family finished)"


def test_the_rates_table_reads_in_words():
    scores = pd.DataFrame({"row": ["vit", "vit", "resnet", "resnet"], "family": ["ViT", "ViT", "ResNet", "ResNet"],
                           "lr": [5e-4, 1e-3, 5e-4, 1e-3], "inner_val_f1": [0.7473, 0.5205, 0.7791, 0.8132],
                           "train_f1": [0.84, 0.54, 0.99, 0.98], "chosen": ["yes", "", "", "yes"]})
    shown = readable_rates(scores)
    assert list(shown.columns) == ["row", "family", "lr", "inner validation F1", "train F1", "chosen"]
    assert shown.iloc[0].tolist() == ["vit", "ViT", "0.0005", "0.747", "0.840", "yes"]
    assert rates_summary(scores) == "chosen rates (inner validation F1): ResNet 0.001 (0.813), ViT 0.0005 (0.747)"

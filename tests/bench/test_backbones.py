"""Fig. 5 from a hand-made backbones table: files, caption, one-line title, a diverged row marked, labels
that neither overlap nor leave the axes."""
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from bench.figures.backbones import backbones_figure, draw_backbones, rebuild_backbones
from bench.figures.labels import labels_collide
from bench.output import read_table, write_table
from landslide.errors import LandslideError

ROWS = pd.DataFrame({"row": ["a", "b", "c", "d"], "family": ["RegNetY", "ResNet", "ViT", "InceptionV3"],
                     "timm_model": ["regnety_002", "resnet10t", "vit_tiny", "inception_v3"],
                     "lr": [2e-3, 2e-3, 5e-4, 4e-3], "params_m": [2.8, 4.9, 5.9, 21.8],
                     "cv_f1": [0.86, 0.83, 0.81, 0.49], "cv_f1_std": [0.02, 0.01, 0.02, 0.35],
                     "test_f1": [0.87, 0.88, 0.83, 0.58], "best_val_f1": [0.87, 0.84, 0.82, 0.77],
                     "optimism": [0.01, 0.01, 0.01, 0.28]})


@pytest.fixture
def kept(monkeypatch):
    seen = []
    monkeypatch.setattr(plt, "close", seen.append)
    return seen


def test_draws_from_its_table_with_caption_and_the_diverged_row_marked(tmp_path, kept):
    head = ["Backbone comparison", "data: synthetic(n=9); profile: quick (regnety_002, 3 folds)", "regime: fitted"]
    write_table(ROWS, head, tmp_path / "tables", "backbones")
    paths = backbones_figure(tmp_path / "tables" / "backbones.csv", tmp_path / "figures")
    assert sorted(p.name for p in paths) == ["backbones.pdf", "backbones.png", "backbones.txt"]
    caption = (tmp_path / "figures" / "backbones.txt").read_text()
    assert head[1] in caption and head[2] in caption and "DIVERGED" in caption
    ax = kept[0].axes[0]
    assert "\n" not in ax.get_title() and "quick profile" in ax.get_title()
    labels = {t.get_text().split(" ")[0]: t.get_text() for t in ax.texts}
    assert "DIVERGED" in labels["InceptionV3"] and not any("DIVERGED" in labels[f] for f in ("RegNetY", "ViT"))
    assert not labels_collide(ax, ax.texts)


def test_crowded_points_get_labels_that_do_not_collide(tmp_path, kept):
    crowded = ROWS.assign(params_m=[5.0, 5.1, 5.2, 5.3], cv_f1=[0.80, 0.81, 0.80, 0.82], optimism=0.0)
    draw_backbones(crowded, "F1 against parameters", [], tmp_path, "x")
    ax = kept[0].axes[0]
    assert len(ax.texts) == 4 and not labels_collide(ax, ax.texts)


def test_a_table_without_the_plot_columns_is_refused(tmp_path):
    write_table(ROWS.drop(columns="params_m"), ["t"], tmp_path, "other")
    with pytest.raises(LandslideError, match="params_m"):
        backbones_figure(tmp_path / "other.csv", tmp_path)


@pytest.mark.usefixtures("kept")
def test_a_wide_table_is_rebuilt_readable_from_its_csv(tmp_path):
    wide = ROWS.assign(eval_img_s=300.0, train_img_s=100.0, image_px=[64, 64, 64, 75], test_f1_lo=0.8,
                       test_f1_hi=0.9, delta_base=[None, -0.03, -0.05, -0.37], mark_base=["", "~", "~", "↓"])
    head = ["Backbone comparison", "profile: quick (regnety_002)", "leading family on test F1: stale"]
    write_table(wide, head, tmp_path / "old", "backbones")  # every column in the Markdown, as runs once wrote
    rebuild_backbones(tmp_path / "old" / "backbones.csv", tmp_path)
    md = (tmp_path / "tables" / "backbones.md").read_text()
    columns = next(line for line in md.splitlines() if line.startswith("| ")).strip("|").split("|")
    assert len(columns) <= 9 and "InceptionV3 (inception_v3, 75 px)" in md and "-0.370 ↓" in md
    summaries = [line for line in md.splitlines() if "leading family on test F1" in line]
    assert summaries == ["> leading family on test F1: ResNet (resnet10t) 0.880 [0.800, 0.900], +0.010 over "
                         "RegNetY (regnety_002) 0.870 [0.800, 0.900]; the intervals overlap: a lead within noise"]
    new_head, frame = read_table(tmp_path / "tables" / "backbones.csv")
    pd.testing.assert_frame_equal(frame, read_table(tmp_path / "old" / "backbones.csv")[1])  # numbers untouched
    assert new_head[:2] == head[:2] and (tmp_path / "figures" / "backbones.png").exists()


@pytest.mark.usefixtures("kept")
def test_a_one_row_table_is_rebuilt_without_a_figure(tmp_path):
    write_table(ROWS.iloc[:1], ["one family"], tmp_path / "old", "one")
    paths = rebuild_backbones(tmp_path / "old" / "one.csv", tmp_path)
    assert sorted(p.name for p in paths) == ["one.csv", "one.md", "one.tex"]


def test_the_rates_table_is_rebuilt_with_its_summary(tmp_path):
    rates = pd.DataFrame({"row": ["a", "a", "b"], "family": ["RegNetY", "RegNetY", "ViT"],
                          "lr": [1e-3, 2e-3, 5e-4], "inner_val_f1": [0.70, 0.81, 0.75], "train_f1": [0.8, 0.9, 0.85],
                          "chosen": ["", "yes", "yes"]})
    write_table(rates, ["rates"], tmp_path / "old", "backbones_lr")
    rebuild_backbones(tmp_path / "old" / "backbones_lr.csv", tmp_path)
    md = (tmp_path / "tables" / "backbones_lr.md").read_text()
    assert "> chosen rates (inner validation F1): RegNetY 0.002 (0.810), ViT 0.0005 (0.750)" in md
    assert "| a | RegNetY | 0.001 | 0.700 | 0.800 |  |" in md and "nan" not in md


def test_a_mangled_table_is_refused_by_name_and_nothing_is_written(tmp_path):
    (tmp_path / "old").mkdir()
    bad = tmp_path / "old" / "backbones.csv"
    bad.write_text("# Backbones\nrow,family,timm_model,params_m,cv_f1,cv_f1_std\na,b,c,1,0.8,0.1,x,y\n")
    with pytest.raises(LandslideError, match="backbones.csv: not a table"):
        rebuild_backbones(bad, tmp_path)
    assert not (tmp_path / "tables").exists()

import hashlib
import json
import subprocess
import sys

import numpy as np
import pandas as pd

from landslide.data.synthetic import ZINDI_MEAN, ZINDI_STD, write_synthetic


def _digest(folder):
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_layout_shape_share_and_band_means(synth300):
    train = pd.read_csv(synth300 / "Train.csv")
    assert list(train.columns) == ["ID", "label"] and len(train) == 300
    assert list(pd.read_csv(synth300 / "Test.csv").columns) == ["ID"]
    assert abs(train.label.mean() - 0.1756) <= 0.02
    assert train.ID.str.fullmatch(r"ID_[A-Z0-9]{6}").all()
    patches = np.stack([np.load(synth300 / "train_data" / f"{i}.npy") for i in train.ID])
    assert patches.shape == (300, 64, 64, 12) and patches.dtype == np.float64
    mean = patches.mean(axis=(0, 1, 2))
    assert np.all(np.abs(mean - ZINDI_MEAN) <= 0.5 * ZINDI_STD), (mean - ZINDI_MEAN) / ZINDI_STD
    # optical values are whole, non-negative reflectances, like the real data
    assert np.all(patches[..., :4] == np.round(patches[..., :4])) and patches[..., :4].min() >= 0
    truth = json.loads((synth300 / "truth.json").read_text())
    assert set(truth["signal_bands"]) | set(truth["no_signal_bands"]) <= set(truth["band_names"])


def test_texture_matches_the_real_patch_character(synth300, real_patch):
    """Post-event bands are smooth (lag-1 autocorrelation high), post-minus-pre bands near-white."""
    real = np.load(real_patch)
    ids = pd.read_csv(synth300 / "Train.csv").ID[:40]
    x = np.stack([np.load(synth300 / "train_data" / f"{i}.npy") for i in ids])

    def lag1(a):
        a = a - a.mean(axis=(0, 1))
        return float((a[:, 1:] * a[:, :-1]).mean() / a.var())
    for band in (0, 3, 4, 5, 8, 9):
        assert lag1(real[..., band]) > 0.8 and np.mean([lag1(p[..., band]) for p in x]) > 0.8
    for band in (6, 7, 10, 11):
        assert np.mean([lag1(p[..., band]) for p in x]) < 0.6
    clear = [p for p in x if p[..., 0].std() < 600]  # cloud edges correlate every optical band

    def corr(a, b, patches=x):
        return np.mean([np.corrcoef(p[..., a].ravel(), p[..., b].ravel())[0, 1] for p in patches])
    assert corr(4, 5) > 0.75 and corr(8, 9) > 0.75          # real patch: VV/VH 0.85 and 0.80
    assert corr(0, 1, clear) > 0.85 and corr(1, 2, clear) > 0.85  # real: R/G 0.98, G/B 0.96
    assert corr(0, 3, clear) < 0.5                          # real: red/NIR 0.04
    assert abs(corr(6, 7)) < 0.3 and abs(corr(10, 11)) < 0.3  # real: diff VV/VH 0.12 (near-white speckle)


def test_same_seed_is_byte_identical_and_other_seed_differs(tmp_path):
    a = write_synthetic(tmp_path / "a", n=30, seed=3, test_n=5)
    b = write_synthetic(tmp_path / "b", n=30, seed=3, test_n=5)
    c = write_synthetic(tmp_path / "c", n=30, seed=4, test_n=5)
    assert _digest(a) == _digest(b) != _digest(c)


def test_cli_synth(tmp_path):
    r = subprocess.run([sys.executable, "-m", "landslide", "synth", "--out", str(tmp_path / "d"), "--n", "20",
                        "--seed", "0", "--test-n", "4"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path / "d" / "train_data").glob("*.npy"))) == 20
    assert len(pd.read_csv(tmp_path / "d" / "TestLabels.csv")) == 4

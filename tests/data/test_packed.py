import subprocess
import sys

import numpy as np
import pandas as pd

from landslide.data import load_patches


def test_pack_then_read_equals_folder(synth300, tmp_path):
    out = tmp_path / "s.h5"
    r = subprocess.run([sys.executable, "-m", "landslide", "pack", "--data", str(synth300), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    folder, packed = load_patches(synth300), load_patches(out)
    np.testing.assert_array_equal(folder.train.images, packed.train.images)
    np.testing.assert_array_equal(folder.train.labels, packed.train.labels)
    np.testing.assert_array_equal(folder.test.images, packed.test.images)
    assert folder.train.ids == packed.train.ids and folder.test.ids == packed.test.ids
    index = pd.read_csv(out.with_suffix(".index.csv"))
    assert len(index) == 360 and set(index.split) == {"train", "test"}
    assert not list(tmp_path.glob("*.tmp*"))  # no temporary file left behind


"""A fold's result.npz: written deflated (disk, issue 37) and read back exactly, as is an older,
uncompressed one."""
import dataclasses
import zipfile

import numpy as np

from landslide.compat import FINAL_WEIGHTS_MARKER
from landslide.train.results import FoldResult


def _result() -> FoldResult:
    rng = np.random.default_rng(0)
    emb = np.maximum(rng.normal(size=(40, 8)), 0).astype(np.float32)  # post-ReLU: a share of zeros
    return FoldResult(np.arange(30), np.arange(30, 40), rng.random(30, dtype=np.float32), emb[:30],
                      rng.random(10, dtype=np.float32), emb[30:], 0.8, 12, np.array([[6, 0.7], [12, 0.8]]), 0.95,
                      test_probs=rng.random(5, dtype=np.float32), test_emb=emb[:5],
                      kernels="cpu AVX512 AuthenticAMD family 26 model 2 (AMD EPYC)")


def _equal(a: FoldResult, b: FoldResult) -> bool:
    def same(x, y) -> bool:
        return x == y if isinstance(x, str) else np.array_equal(x, y, equal_nan=True)
    return all(same(getattr(a, f.name), getattr(b, f.name))
               for f in dataclasses.fields(FoldResult) if getattr(a, f.name) is not None)


def test_a_result_is_written_deflated_and_read_back_bit_for_bit(tmp_path):
    kept = _result()
    kept.save(tmp_path / "result.npz")
    with zipfile.ZipFile(tmp_path / "result.npz") as z:
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
    back = FoldResult.load(tmp_path / "result.npz")
    assert back is not None and _equal(kept, back) and back.smote_emb is None


def test_an_uncompressed_result_of_an_older_version_still_reads(tmp_path):
    kept = _result()
    arrays = {k: v for k, v in dataclasses.asdict(kept).items() if v is not None}
    np.savez(tmp_path / "result.npz", **{FINAL_WEIGHTS_MARKER: True}, **arrays)
    back = FoldResult.load(tmp_path / "result.npz")
    assert back is not None and _equal(kept, back)


def test_cv_f1_reads_as_one_fold_where_one_was_trained_not_as_no_spread():
    from landslide.train.results import cv_f1_text
    assert cv_f1_text(0.61481, 0.0, 1) == "0.6148 (one fold)"  # a preview: std 0 is no second fold
    assert cv_f1_text(0.85, 0.01234, 3) == "0.8500 +- 0.0123"
    assert cv_f1_text(0.85, 0.0, 3) == "0.8500 +- 0.0000"  # three folds that agree do have no spread


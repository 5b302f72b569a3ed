"""Atomic writes: a failed write names the final file, keeps its own error and the old file."""

import pytest


def test_a_failed_atomic_write_names_the_final_file(tmp_path):
    from landslide.atomic import write_text_atomic
    (tmp_path / "table.md").mkdir()
    with pytest.raises(OSError) as err:
        write_text_atomic(tmp_path / "table.md", "x")
    assert err.value.filename == str(tmp_path / "table.md")
    assert list(tmp_path.iterdir()) == [tmp_path / "table.md"]


def test_a_failed_write_keeps_its_own_error_and_the_old_file(tmp_path, monkeypatch):
    """A full or read-only folder: the error raised is the write's, not one from cleaning up after it."""
    from landslide import atomic
    target = tmp_path / "metrics.json"
    target.write_text("old")

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    def unlink_fails(*a, **k):  # Path.unlink(self, missing_ok=...)
        raise OSError(30, "Read-only file system")
    monkeypatch.setattr(atomic.os, "replace", full)
    monkeypatch.setattr(atomic.Path, "unlink", unlink_fails)
    with pytest.raises(OSError, match="No space left"):
        atomic.write_text_atomic(target, "new")
    assert target.read_text() == "old"

"""Reliability, round 3 (issue 22): no silent wrong submissions, grids and CSVs validated, a user's own
profile file; and from issue 23, one precedence of configuration sources and errors for unknown grid rows.
Each case ends in one clear message (exit 2, no traceback) or, for good input, in what it did before."""
import shutil
import subprocess
import sys

import pytest

from landslide.data import load_patches
from landslide.errors import DataError


def cli(*args, module="landslide", env=None):
    r = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + r.stderr


@pytest.fixture
def folder(tmp_path, synth300):
    d = tmp_path / "data"
    shutil.copytree(synth300, d)
    return d


# 3. a CSV's header: no repeated or unknown columns -------------------------------------------------------

@pytest.mark.parametrize("header, said", [("ID,label,label", "repeats column(s) ['label']"),
                                          ("ID,label,notes", "column(s) ['notes'] this reader does not use")])
def test_a_train_csv_with_a_repeated_or_extra_column_is_refused(folder, header, said):
    lines = (folder / "Train.csv").read_text().splitlines()
    body = [f"{line},{line.rsplit(',', 1)[1]}" for line in lines[1:]]  # the new column repeats the label
    (folder / "Train.csv").write_text("\n".join([header] + body) + "\n")
    with pytest.raises(DataError, match="row 1") as err:
        load_patches(folder)
    assert said in str(err.value) and "Train.csv" in str(err.value) and "expected exactly ID,label" in str(err.value)


def test_a_row_longer_than_the_header_is_refused(folder):
    lines = (folder / "Test.csv").read_text().splitlines()
    lines[3] += ",0"
    (folder / "Test.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"Test.csv row 4: more values than the header"):
        load_patches(folder)


# 7. an ID in both Train.csv and Test.csv -------------------------------------------------------------------

def test_an_id_in_both_splits_is_refused_with_where(folder):
    train_id = (folder / "Train.csv").read_text().splitlines()[1].split(",")[0]
    shutil.copy(folder / "train_data" / f"{train_id}.npy", folder / "test_data" / f"{train_id}.npy")
    with open(folder / "Test.csv", "a") as fh:
        fh.write(f"{train_id}\n")
    with open(folder / "TestLabels.csv", "a") as fh:
        fh.write(f"{train_id},0\n")
    rc, out = cli("check", "--data", folder)
    assert rc == 2 and "Traceback" not in out
    assert f"1 ID(s) also in {folder / 'Train.csv'} ({train_id})" in out and "leaks" in out

"""The Zindi reader and `landslide check` on bad folders: CSV headers and rows, files no CSV names,
values, encodings and names. Each case is one message naming the file and row (exit 2), or what it did before."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from landslide.data import load_patches
from landslide.data.fingerprint import fingerprint
from landslide.errors import DataError


def cli(*args, module="landslide", env=None):
    r = subprocess.run([sys.executable, "-m", module, *map(str, args)], capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + r.stderr


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


# a finished smoke run on a folder, shared by the commands that read a finished run ---------------------


def test_a_file_no_csv_names_changes_nothing(folder):
    before = fingerprint(str(folder))
    (folder / "train_data" / "ID_GONE.npy").symlink_to(folder / "nowhere.npy")  # dangling
    (folder / "test_data" / "notes.txt").write_text("mine")
    assert cli("check", "--data", folder)[0] == 0
    assert fingerprint(str(folder)) == before


def test_a_dangling_patch_a_csv_names_is_reported_by_the_reader(folder):
    first = (folder / "Train.csv").read_text().splitlines()[1].split(",")[0]
    (folder / "train_data" / f"{first}.npy").unlink()
    (folder / "train_data" / f"{first}.npy").symlink_to(folder / "nowhere.npy")
    fingerprint(str(folder))  # no stat() error blaming --out
    with pytest.raises(DataError, match=f"ID {first} has no file"):
        load_patches(folder)


# 5. validation gaps ----------------------------------------------------------------------------------

def test_values_beyond_float32_are_refused(folder):
    pid = pd.read_csv(folder / "Train.csv").ID[0]
    x = np.load(folder / "train_data" / f"{pid}.npy")
    x[0, 0, 5] = 1e39
    np.save(folder / "train_data" / f"{pid}.npy", x)
    with pytest.raises(DataError, match="out-of-float32-range"):
        load_patches(folder)


def test_an_empty_train_csv_is_a_problem(folder):
    (folder / "Train.csv").write_text("ID,label\n")
    rc, text = cli("check", "--data", folder)
    assert rc == 2 and "no usable rows" in text


def test_bad_files_and_names_each_get_one_line(folder):
    train = pd.read_csv(folder / "Train.csv")
    long_id = "L" * 300
    npz = train.ID[1]
    np.savez(folder / "train_data" / f"{npz}.npy", a=np.zeros(3))
    os.replace(folder / "train_data" / f"{npz}.npy.npz", folder / "train_data" / f"{npz}.npy")
    train.loc[2, "ID"] = "../../etc/passwd"
    train.loc[3, "ID"] = long_id
    train.to_csv(folder / "Train.csv", index=False)
    rc, text = cli("check", "--data", folder)
    assert rc == 2 and "Traceback" not in text
    assert "npz archive" in text and "not a plain file name" in text and "300 characters" in text
    assert "row 4" in text and "row 5" in text  # the CSV rows of the traversal and the long ID


def test_csv_encodings(folder):
    text = (folder / "Train.csv").read_text()
    (folder / "Train.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())  # Excel's UTF-8 with BOM
    assert len(load_patches(folder)) == 300
    (folder / "Train.csv").write_bytes(text.replace("ID,label", "ID,label\u00e9").encode("latin-1"))
    rc, out = cli("check", "--data", folder)
    assert rc == 2 and "UTF-8" in out and "Traceback" not in out
    (folder / "Train.csv").unlink()
    (folder / "Train.csv").mkdir()
    rc, out = cli("check", "--data", folder)
    assert rc == 2 and "is a folder" in out

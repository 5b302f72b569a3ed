"""Reader and validator for a Zindi-layout folder.

Layout: ``Train.csv`` (ID,label), ``Test.csv`` (ID), ``train_data/<ID>.npy``, ``test_data/<ID>.npy``,
each patch (64, 64, 12) float64 channels-last. Our synthetic sets add ``TestLabels.csv`` (ID,label).
Everything is checked up front and every problem is reported at once, naming the file or CSV row.
"""
from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from landslide.errors import DataError
from landslide.names import plain_name_problem

# what names a packed store (landslide.data.packed) rather than a Zindi folder: read as a folder otherwise
STORE_SUFFIXES = (".h5", ".hdf5")
PATCH_SHAPE = (64, 64, 12)
FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_id(pid: str) -> str | None:
    """What is wrong with a patch ID, or None. IDs name files inside the data folder: a path (``../x``,
    ``/etc/x``) would read a file outside it, and a very long name fails in the file system."""
    problem = plain_name_problem(pid)
    return None if problem is None else f"ID: {problem}; shorten or rename it to the file's name without .npy"


@dataclass
class Split:
    ids: list[str]
    images: np.ndarray           # (N, 12, H, W) float32, channels first
    labels: np.ndarray | None    # (N,) int64, or None when the split is unlabelled


@dataclass
class FolderReport:
    problems: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_csv_rows(path: Path, needed: tuple[str, ...], problems: list[str]) -> list[tuple[int, dict]]:
    """Rows of a CSV as (line number, dict); missing file or columns become problems. A UTF-8 byte-order
    mark (Excel writes one) is accepted."""
    if not path.exists():
        problems.append(f"{path}: file not found (a Zindi folder has Train.csv and Test.csv at its top)")
        return []
    if not path.is_file():
        problems.append(f"{path}: is a folder, not a CSV file; put the CSV there")
        return []
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            problem = header_problem(reader.fieldnames or [], needed)
            if problem:
                problems.append(f"{path} row 1: {problem}")
                return []
            rows = [(i, row) for i, row in enumerate(reader, start=2)]
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8 CSV")
        return []
    except csv.Error as exc:
        problems.append(f"{path}: not a readable CSV ({exc}); save it as a plain comma-separated file")
        return []
    # csv files values beyond the header under the key None: a shifted or unquoted row
    long_rows = [i for i, row in rows if None in row]
    problems += [f"{path} row {i}: more values than the header's {len(needed)} column(s); remove the extra "
                 f"values (or quote a value that holds a comma)" for i in long_rows[:20]]
    return [] if long_rows else rows


def header_problem(header: Sequence[str], needed: tuple[str, ...]) -> str | None:
    """What is wrong with a CSV's header row, or None. A repeated column would be read silently with the
    last copy winning (``ID,label,label``), and an unknown one may be the column meant; both are refused."""
    expected = f"expected exactly {','.join(needed)}"
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        return f"header {header} repeats column(s) {repeated}; {expected}"
    missing = [c for c in needed if c not in header]
    if missing:
        return f"missing column(s) {missing}; header is {header} ({expected})"
    extra = [c for c in header if c not in needed]
    if extra:
        return f"header {header} has column(s) {extra} this reader does not use; {expected}"
    return None


def parse_labels(path: Path, rows, problems: list[str]) -> dict[int, int]:
    """Line number -> label for rows whose label is exactly 0 or 1."""
    out = {}
    for line, row in rows:
        raw = (row.get("label") or "").strip()
        if raw in ("0", "1"):
            out[line] = int(raw)
        else:
            problems.append(f"{path} row {line} (ID {row.get('ID')}): label {raw!r} is not 0 or 1; "
                            f"set it to 0 (no landslide) or 1 (landslide)")
    return out


def check_patch(path: Path) -> tuple[np.ndarray | None, str | None]:
    """Load one .npy and return (array, None) or (None, what is wrong and what to do)."""
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as exc:  # truncated, not a .npy, pickled object...
        return None, f"{path}: unreadable .npy ({type(exc).__name__}: {exc}); re-download or re-export this patch"
    if not isinstance(arr, np.ndarray):  # an .npz archive saved under a .npy name
        close = getattr(arr, "close", None)
        if close:
            close()
        return None, f"{path}: is an .npz archive, not a .npy array; save the patch with numpy.save"
    if arr.shape != PATCH_SHAPE:
        return None, f"{path}: shape {arr.shape}, expected {PATCH_SHAPE} (H, W, bands, channels last)"
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        return None, f"{path}: dtype {arr.dtype} is not a real numeric type; save it as float64"
    # training runs in float32: a value beyond its range (e.g. 1e39) becomes inf there
    bad = ~np.isfinite(arr) | (np.abs(arr.astype(np.float64)) > FLOAT32_MAX)
    if bad.any():
        bands = sorted(set(np.nonzero(bad)[2].tolist()))
        return None, (f"{path}: {int(bad.sum())} NaN/Inf or out-of-float32-range value(s) in band index(es) "
                      f"{bands}; fill them (e.g. with the band median) or drop the patch")
    return arr, None


def read_split(root: Path, csv_name: str, data_dir: str, labelled: bool, report: FolderReport,
               label_csv: str = "", skip_bad: bool = False) -> Split | None:
    csv_path = root / csv_name
    rows = read_csv_rows(csv_path, ("ID", "label") if labelled else ("ID",), report.problems)
    if not rows and not csv_path.exists():
        return None
    labels_by_line = parse_labels(csv_path, rows, report.problems) if labelled else {}
    extra_labels = {}
    if label_csv and (root / label_csv).exists():
        lrows = read_csv_rows(root / label_csv, ("ID", "label"), report.problems)
        parsed = parse_labels(root / label_csv, lrows, report.problems)
        extra_labels = {row["ID"].strip(): parsed[line] for line, row in lrows if line in parsed}

    seen: dict[str, int] = {}
    ids, arrays, labels = [], [], []
    for line, row in rows:
        pid = (row.get("ID") or "").strip()
        if not pid:
            report.problems.append(f"{csv_path} row {line}: empty ID; remove the row or fill in the ID")
            continue
        if pid in seen:
            report.problems.append(f"{csv_path} row {line}: duplicate ID {pid} (first on row {seen[pid]}); "
                                   f"remove one of the two rows")
            continue
        seen[pid] = line
        bad_id = check_id(pid)
        if bad_id:
            report.problems.append(f"{csv_path} row {line}: {bad_id}")
            continue
        patch = root / data_dir / f"{pid}.npy"
        arr, problem = check_patch(patch) if patch.is_file() \
            else (None, f"{csv_path} row {line}: ID {pid} has no file {patch}; add the file or remove the row")
        if problem:
            (report.skipped if skip_bad else report.problems).append(problem)
            continue
        if labelled and line not in labels_by_line:
            continue
        assert arr is not None  # check_patch gives an array or a problem
        ids.append(pid)
        arrays.append(np.ascontiguousarray(arr.transpose(2, 0, 1), dtype=np.float32))
        if labelled:
            labels.append(labels_by_line[line])
        elif extra_labels:
            labels.append(extra_labels.get(pid, -1))
    images = np.stack(arrays) if arrays else np.zeros((0, 12, 64, 64), np.float32)
    lab = np.asarray(labels, dtype=np.int64) if (labelled or extra_labels) else None
    if lab is not None and not labelled and (lab < 0).any():
        report.problems.append(f"{root / label_csv}: labels missing for {int((lab < 0).sum())} test ID(s)")
    return Split(ids, images, lab)


def read_folder(root: str | Path, skip_bad: bool = False) -> tuple[Split, Split | None, FolderReport]:
    """Read and validate a Zindi folder. Raises DataError listing every problem (bad patches are
    dropped and listed in the report instead when ``skip_bad``)."""
    root = Path(root)
    if not root.is_dir():
        raise DataError([f"{root}: not a folder; point --data at the folder holding Train.csv"], str(root))
    report = FolderReport()
    train = read_split(root, "Train.csv", "train_data", True, report, skip_bad=skip_bad)
    if train is not None and not train.ids and not report.problems:
        report.problems.append(f"{root / 'Train.csv'}: no usable rows; a training set needs labelled patches")
    test = read_split(root, "Test.csv", "test_data", False, report, label_csv="TestLabels.csv",
                      skip_bad=skip_bad) if (root / "Test.csv").exists() else None
    if train is not None and test is not None:
        report.problems += shared_id_problems(root / "Train.csv", train.ids, root / "Test.csv", test.ids)
    if report.problems:
        raise DataError(report.problems, str(root), skip_bad=skip_bad)
    assert train is not None  # a missing Train.csv is one of the problems
    return train, test, report


def shared_id_problems(train_where, train_ids: list[str], test_where, test_ids: list[str]) -> list[str]:
    """An ID in both splits: its submission row would be ambiguous and, if the patches are the same, the
    test scores would be measured on a training image (a leak)."""
    shared = sorted(set(train_ids) & set(test_ids))
    if not shared:
        return []
    more = f" and {len(shared) - 5} more" if len(shared) > 5 else ""
    return [f"{test_where}: {len(shared)} ID(s) also in {train_where} ({', '.join(shared[:5])}{more}); a patch in "
            f"both splits leaks training data into the test scores. Remove each from one of the two"]

"""``python -m landslide predict``: a Zindi submission from one finished run or an ensemble of runs,
with test-time augmentation and a threshold from out-of-fold scores if asked for."""
from __future__ import annotations

import argparse
import math
from pathlib import Path

from landslide.errors import LandslideError
from landslide.tricks.ensemble import combine
from landslide.tricks.predict import run_scores
from landslide.tricks.threshold import best_threshold, f1_at


def add_predict_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--run", action="append", required=True, metavar="RUN",
                   help="a finished run folder (landslide train --out, or bench's runs/<key>); repeat for an ensemble")
    p.add_argument("--tta", type=int, default=1, choices=[1, 4, 8],
                   help="dihedral transforms averaged (default 1: none)")
    p.add_argument("--head", default="fc", choices=["fc", "svm", "lgbm"], help="head on the embeddings (default fc)")
    p.add_argument("--svm-c", type=float, default=0.1, help="C (> 0) of the SVM head (default 0.1, the paper's best)")
    p.add_argument("--threshold", default=None,
                   help="decision threshold: a number between 0 and 1, or 'oof' for the one that maximises F1 on "
                        "the runs' out-of-fold scores of the real training images (default 0.5; with --ensemble "
                        "rank, oof: a rank is the share of patches scored lower, not a probability)")
    p.add_argument("--ensemble", default="mean", choices=["mean", "rank"], help="how runs are combined (default mean)")
    p.add_argument("--out", required=True, help="the submission CSV to write (ID,label)")


def predict_command(args) -> None:
    import pandas as pd

    from landslide.atomic import atomic_path
    threshold_text = args.threshold or ("oof" if args.ensemble == "rank" else "0.5")
    given = parse_threshold(threshold_text)  # before any run is scored: a typo costs nothing
    check_options(args)
    members = [run_scores(Path(r), args.tta, args.head, args.svm_c) for r in args.run]
    first = members[0]
    if not first.test_ids:
        why = ("it was trained on an inner split (inner_of_fold), which leaves the test split out"
               if first.inner else "its data has no Test.csv")
        raise LandslideError(f"{args.run[0]}: {why}; nothing to submit")
    if any(m.test_ids != first.test_ids for m in members):
        raise LandslideError("the runs were trained on different data (their test IDs differ); ensemble runs of "
                             "one data set")
    test = combine([m.test for m in members], args.ensemble)
    if given is None:
        if any(len(m.labels) != len(first.labels) or (m.labels != first.labels).any() for m in members):
            raise LandslideError("--threshold oof needs runs of one training set")
        threshold = best_threshold(first.labels, combine([m.oof for m in members], args.ensemble))
    else:
        threshold = given
    labels = (test >= threshold).astype(int)
    with atomic_path(Path(args.out)) as tmp:
        pd.DataFrame({"ID": first.test_ids, "label": labels}).to_csv(tmp, index=False)
    oof = combine([m.oof for m in members], args.ensemble)
    print(f"wrote {args.out}: {len(labels)} test patches, {int(labels.sum())} landslides; "
          f"{len(members)} run(s) ({args.ensemble}), head {args.head}, TTA x{args.tta}, threshold {threshold:.4f}"
          f"{' (from out-of-fold scores)' if given is None else ''}; out-of-fold F1 at it "
          f"{f1_at(first.labels, oof, threshold):.4f}" +
          (f"; test F1 {f1_at(first.test_labels, test, threshold):.4f}" if first.test_labels is not None else ""))


def parse_threshold(text: str) -> float | None:
    """A threshold strictly between 0 and 1 (at 0 or below, or NaN, every patch gets one label), or None
    for 'oof'."""
    if text == "oof":
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < 1:  # NaN fails this too
        raise LandslideError(f"--threshold {text}: give a number strictly between 0 and 1, or 'oof' for the one "
                             f"chosen on the runs' out-of-fold scores")
    return value


def check_options(args) -> None:
    """What would fail late or label silently: C of the SVM, one run twice, an --out that is a folder or
    a file the runs are read from (their configuration, the data's CSVs)."""
    if not (math.isfinite(args.svm_c) and args.svm_c > 0):
        raise LandslideError(f"--svm-c {args.svm_c:g}: the SVM's C must be a number > 0 (the paper's best is 0.1)")
    seen: dict[Path, str] = {}
    for run in args.run:
        where = Path(run).resolve()
        if where in seen:
            raise LandslideError(f"--run {run} is given twice (also as {seen[where]}); an ensemble of one run with "
                                 f"itself weighs it double. Give each run once")
        seen[where] = run
    if Path(args.out).is_dir():
        raise LandslideError(f"--out {args.out} is a folder; give the submission's file name, e.g. "
                             f"{Path(args.out) / 'submission.csv'}")
    from landslide.overwrite import refuse_overwriting_inputs
    from landslide.train.rundir import RunDir
    refuse_overwriting_inputs([args.out], [*args.run, *(RunDir(r).read_config().data for r in args.run)])

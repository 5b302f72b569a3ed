"""``python -m landslide``: synth, check, pack, train. Errors a user can fix print as one paragraph."""
from __future__ import annotations

import argparse

from landslide.run_cli import run_cli


def _synth(args) -> None:
    from landslide.data.synthetic import replace_synthetic
    from landslide.overwrite import refuse_filled_folder
    refuse_filled_folder(args.out, args.overwrite)
    out = replace_synthetic(args.out, n=args.n, seed=args.seed, test_n=args.test_n, progress=True)
    print(f"wrote {args.n} training and {args.test_n if args.test_n is not None else max(args.n // 4, 1)} "
          f"test patches to {out}")


def _check(args) -> None:
    from landslide.data import load_patches
    ps = load_patches(args.data, skip_bad=args.skip_bad)
    print(f"ok: {ps.describe()}")
    for s in ps.skipped:
        print(f"skipped: {s}")


def _pack(args) -> None:
    from landslide.data import load_patches
    from landslide.data.packed import store_paths, write_store
    from landslide.overwrite import refuse_overwriting_inputs
    refuse_overwriting_inputs([args.out], [args.data])  # before the data is read: nothing is lost
    refuse_overwriting_inputs(store_paths(args.out), [args.data])  # the name, then its index beside it
    ps = load_patches(args.data, skip_bad=args.skip_bad)
    for s in ps.skipped:
        print(f"skipped: {s}")
    out = write_store(args.out, ps.train, ps.test, source=str(args.data))
    print(f"packed {ps.describe()} into {out} (index: {out.with_suffix('.index.csv')})")


def _predict(args) -> None:
    from landslide.tricks.submission import predict_command
    predict_command(args)


def _train(args) -> None:
    from landslide.train.run import train_command
    train_command(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m landslide",
                                description="Landslide classification from 12-band Sentinel-1/2 patches "
                                            "(Zindi layout).")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("synth", help="write a synthetic Zindi-layout data set with known structure",
                   description="A synthetic Zindi-layout data set with known structure. Writes OUT/Train.csv, "
                               "Test.csv, the test labels, train_data/ and test_data/ patches and truth.json. "
                               "Time: not measured")
    s.add_argument("--out", required=True, help="folder to write (Train.csv, Test.csv, train_data/, ...)")
    s.add_argument("--n", type=int, default=2400, help="training patches (default 2400, the built-in set's)")
    s.add_argument("--test-n", type=int, default=None, help="test patches (default n/4)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--overwrite", action="store_true", help="replace the data set in a folder that holds one "
                                                            "(its CSVs, patches and truth.json; nothing is left over)")
    s.set_defaults(fn=_synth)

    c = sub.add_parser("check", help="validate a Zindi folder or packed store and report every problem",
                   description="Validate a Zindi folder or packed store and report every problem. Writes no "
                               "file. Time: not measured")
    c.add_argument("--data", required=True, help="Zindi-layout folder or .h5 store")
    c.add_argument("--skip-bad", action="store_true", help="drop bad patches (listed) instead of failing")
    c.set_defaults(fn=_check)

    k = sub.add_parser("pack", help="pack a Zindi folder into one HDF5 store with per-band statistics",
                   description="Pack a Zindi folder into one HDF5 store with per-band statistics. Writes OUT "
                               "(.h5) and OUT's .index.csv beside it. Time: not measured")
    k.add_argument("--data", required=True, help="Zindi-layout folder")
    k.add_argument("--out", required=True, help="output .h5 file (a .index.csv is written beside it)")
    k.add_argument("--skip-bad", action="store_true", help="drop bad patches (listed) instead of failing")
    k.set_defaults(fn=_pack)

    from landslide.tricks.submission import add_predict_arguments
    r = sub.add_parser("predict", help="a Zindi submission from finished run(s): TTA, OOF threshold, ensembles",
                   description="A Zindi submission from finished run(s): TTA, OOF threshold, ensembles. "
                               "Writes the submission CSV at --out. Time: not measured")
    add_predict_arguments(r)
    r.set_defaults(fn=_predict)

    from landslide.train.run import add_train_arguments
    t = sub.add_parser("train", help="train one configuration over k folds; write metrics and submission.csv",
                       description="Train one configuration over k folds (resuming a killed run from its last "
                                   "finished epoch) and write OUT/metrics.json, oof.csv, submission.csv (with a "
                                   "test split), timing.json and each fold's model.pt and result.npz. The quick "
                                   "profile's three folds take roughly 10-20 minutes on a 2-core CPU (one Table 2 "
                                   "cell: 582-753 s for a 64-px row, measured 2026-12-04, docs/performance.md)")
    add_train_arguments(t)
    t.set_defaults(fn=_train)
    return p


def main(argv: list[str] | None = None) -> int:
    return run_cli(build_parser(), argv, "finished work is saved; run the same command again to resume")

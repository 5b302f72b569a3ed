"""Errors a user can act on: the CLI prints their message, never a traceback."""


class LandslideError(Exception):
    """A problem with the user's input or setup, with a message that says how to fix it."""


class DataError(LandslideError):
    """One or more problems in a data folder, CSV or packed store, reported together."""

    def __init__(self, problems: list[str], source: str, skip_bad: bool = False):
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in {source}:"
        body = "\n".join(f"  - {p}" for p in self.problems)
        # only `check` and `pack` take --skip-bad, and it drops bad *patches*: CSV problems stay problems
        hint = "Fix or remove the listed files/rows." if skip_bad else (
            "Fix or remove the listed files/rows; to carry on without the bad patches, pack the rest into a "
            "store with `python -m landslide pack --data DIR --out data.h5 --skip-bad` and pass --data data.h5.")
        super().__init__(f"{head}\n{body}\n{hint}")

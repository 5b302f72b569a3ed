"""Errors a user can act on: the CLI prints their message, never a traceback."""


class LandslideError(Exception):
    """A problem with the user's input or setup, with a message that says how to fix it."""


class DataError(LandslideError):
    """One or more problems in a data folder, CSV or packed store, reported together."""

    def __init__(self, problems: list[str], source: str):
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in {source}:"
        body = "\n".join(f"  - {p}" for p in self.problems)
        hint = ("Fix or remove the listed files/rows, or pass --skip-bad to drop bad patches "
                "and carry on with the rest.")
        super().__init__(f"{head}\n{body}\n{hint}")

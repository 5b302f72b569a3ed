"""The results store's URL: checked where it enters (its form, a driver that is installed), shown with its
password masked wherever it is printed or written, and a store that cannot be opened told in one line: what
failed and the fix. ``bench.grid.store`` opens the study; this module knows about URLs and drivers only."""
from __future__ import annotations

import importlib.util
import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError, NoSuchModuleError, OperationalError

from landslide.errors import LandslideError

# a bare ``postgresql://`` (the README's form) means SQLAlchemy's default driver, which changed from psycopg2
# to psycopg 3 in SQLAlchemy 2.1: the URL is completed with whichever of the two is installed
POSTGRES_DRIVERS = ("psycopg", "psycopg2")
INSTALL_HINT = {"postgresql": "pip install 'landslide-bench[postgres]' (psycopg2-binary) and write the URL as "
                              "postgresql://USER:PASSWORD@HOST:PORT/DB",
                "mysql": "pip install pymysql and write the URL as mysql+pymysql://USER:PASSWORD@HOST/DB"}
URL_FORMS = ("sqlite:////absolute/path/results.db, postgresql://USER:PASSWORD@HOST:PORT/DB or "
             "mysql+pymysql://USER:PASSWORD@HOST:PORT/DB")


def shown(url: str) -> str:
    """The URL as it may be printed or written: its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # not a URL SQLAlchemy can parse: mask whatever sits between user: and @
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def checked(url: str) -> str:
    """``url`` parsed, its database kind known and its driver importable; a bare ``postgresql://`` gets the
    installed driver. Raises one message naming the fix otherwise."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise LandslideError(f"--storage {shown(url)}: not a database URL; write one of {URL_FORMS}") from None
    parsed = _with_installed_driver(parsed)
    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError:
        raise LandslideError(f"--storage {shown(url)}: {parsed.drivername!r} is not a database SQLAlchemy knows; "
                             f"write one of {URL_FORMS}") from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        hint = INSTALL_HINT.get(parsed.get_backend_name(), f"install the Python module {exc.name or 'it names'}")
        raise LandslideError(f"--storage {shown(url)}: the database driver {parsed.get_driver_name()!r} is not "
                             f"installed; {hint}") from None
    return parsed.render_as_string(hide_password=False)


def _with_installed_driver(parsed: URL) -> URL:
    if parsed.drivername != "postgresql":
        return parsed
    for driver in POSTGRES_DRIVERS:
        if importlib.util.find_spec(driver) is not None:
            return parsed.set(drivername=f"postgresql+{driver}")
    return parsed  # import_dbapi then names the extra to install


def open_problem(exc: BaseException, url: str) -> LandslideError | None:
    """What a failure to open the store at ``url`` means for the user, or None where it is the creation race
    between workers (or a lock held by another), which is worth trying again."""
    problem = _meaning(exc, url)
    password = make_url(url).password if problem else None
    # a driver's words may quote its connection string: the password never reaches the screen
    return LandslideError(str(problem).replace(str(password), "***")) if problem and password else problem


def _meaning(exc: BaseException, url: str) -> LandslideError | None:
    where = shown(url)
    sqlite = url.startswith("sqlite")
    file = url.split(":///", 1)[-1] if sqlite else where
    # two workers creating the tables at once: the loser's CREATE TABLE says "already exists"
    if (isinstance(exc, IntegrityError) or "locked" in str(exc)
            or (isinstance(exc, OperationalError) and "already exists" in _first_line(exc))):
        return None
    if isinstance(exc, RuntimeError) and "schema" in str(exc):  # Optuna's check of its tables' version
        return LandslideError(f"{file}: a results store of another Optuna version's schema ({exc}); use the "
                              f"Optuna version that wrote it, or another --out/--storage")
    if isinstance(exc, OperationalError) and sqlite:  # a folder, or a place it may not create the file
        return LandslideError(f"{file}: cannot be opened as the results store ({_first_line(exc)}); it must be a "
                              f"file in a writable folder: move what is there away or choose another --out")
    if isinstance(exc, DatabaseError) and sqlite:  # OperationalError is a DatabaseError: checked above
        return LandslideError(f"{file}: not a readable results store ({_first_line(exc)}): truncated or not a "
                              f"database. Move it away (the run folders beside it are reused) or choose "
                              f"another --out")
    if isinstance(exc, OperationalError):
        return LandslideError(f"--storage {where}: {_server_problem(_first_line(exc))}")
    if isinstance(exc, ArgumentError):
        return LandslideError(f"--storage {where}: {_first_line(exc)}; write one of {URL_FORMS}")
    return None


def _server_problem(said: str) -> str:
    if "password" in said or "authentication" in said:
        return f"the server refused the login ({said}); fix the user or password in the URL"
    if "does not exist" in said:
        return f"{said}; create the database on the server first (createdb) or name one that exists"
    return f"cannot reach the database server ({said}); start it, or fix the host and port in the URL"


def _first_line(exc: BaseException) -> str:
    """The driver's own words without SQLAlchemy's wrapping ("(psycopg2.OperationalError) ...", the SQL)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__

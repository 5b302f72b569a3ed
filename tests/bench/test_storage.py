"""bench/grid/storage.py: a storage URL is checked where it enters, printed with its password masked, and a
server that cannot be used is one line naming the fix; the commands refuse such a URL with exit 2."""
import re
import subprocess
import sys

import pytest

from bench.grid.storage import checked, open_problem, shown
from landslide.errors import LandslideError

SECRET = "Sup3rSecretPW"


@pytest.mark.parametrize("url", [f"postgresql+psycopg2://lsb:{SECRET}@127.0.0.1:55432/grid",
                                 f"mysql+pymysql://root:{SECRET}@db/x", f"not a url ://u:{SECRET}@h"])
def test_shown_masks_the_password(url):
    assert SECRET not in shown(url) and "***" in shown(url)


def test_the_readmes_postgresql_form_gets_the_installed_driver():
    pytest.importorskip("psycopg2")
    import importlib.util
    driver = "psycopg" if importlib.util.find_spec("psycopg") else "psycopg2"
    assert checked(f"postgresql://lsb:{SECRET}@h:5/g") == f"postgresql+{driver}://lsb:{SECRET}@h:5/g"


@pytest.mark.parametrize("url, said", [
    ("nonsense", "not a database URL"),
    ("foo://x", "'foo' is not a database SQLAlchemy knows"),
    (f"mysql://u:{SECRET}@h/g", "mysql+pymysql://"),                        # the default driver, not installed
    (f"postgresql+nodriver://u:{SECRET}@h/g", "not a database SQLAlchemy knows"),
])
def test_a_url_that_cannot_work_is_refused_with_the_fix(url, said):
    with pytest.raises(LandslideError, match=re.escape(said)) as caught:
        checked(url)
    assert SECRET not in str(caught.value) and "\n" not in str(caught.value)


def test_a_driver_that_quotes_the_password_is_masked_too():
    from sqlalchemy.exc import OperationalError
    url = f"postgresql+psycopg2://lsb:{SECRET}@h:5/g"
    exc = OperationalError("connect", {}, Exception(f'FATAL:  password authentication failed for "lsb" '
                                                    f'(dsn password={SECRET})'))
    problem = str(open_problem(exc, url))
    assert "fix the user or password" in problem and SECRET not in problem


def _bench(*argv, out):
    return subprocess.run([sys.executable, "-m", "bench", *argv, "--profile", "smoke", "--out",
                           str(out), "--no-progress"], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [["table2", "--seeds", "0"], ["sweep", "--trials", "1", "--seed", "0"]])
def test_an_unreachable_server_is_one_line_without_the_password(tmp_path, command):
    pytest.importorskip("psycopg2")
    url = f"postgresql://lsb:{SECRET}@127.0.0.1:1/grid"  # the README's form; nothing listens on port 1
    done = _bench(*command, "--storage", url, out=tmp_path / "out")
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "cannot reach the database server" in done.stderr
    assert "fix the host and port" in done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert not any(p.is_file() for p in tmp_path.rglob("*"))  # nothing written


def test_the_table_creation_race_is_retried_not_reported():
    # two workers creating a new SQLite store at once: the loser's CREATE TABLE fails; it must load the
    # winner's store, not tell the user the file cannot be opened (seen in CI)
    from sqlalchemy.exc import OperationalError
    exc = OperationalError("CREATE TABLE studies", {}, Exception("table studies already exists"))
    assert open_problem(exc, "sqlite:////tmp/x/results.db") is None

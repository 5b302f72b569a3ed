"""What the bench writes, named and written in one place: a table or figure's file name (``output_stem``),
figures as PNG and PDF (``save_figure``), tables as CSV, Markdown and LaTeX (``write_table``). Every file
is written under a temporary name first."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from landslide.atomic import atomic_path, write_text_atomic
from landslide.config import FIELDS, ExperimentConfig
from landslide.names import require_plain_name
from landslide.profiles import profile_config, profile_name

# what may differ from the profile and still make the profile's own table: the data (a user's tables of
# the real data are the point), seeds, and where and how fast it runs
_SAME_TABLE = {"data", "data_fingerprint", "seed", "device", "threads", "profile", "profile_file"}


def output_stem(name: str, cfg: ExperimentConfig, custom: bool = False) -> str:
    """A table's or figure's file name. A profile other than quick adds its name (a profile file's: its
    file name), and settings that differ from the profile's (``--set``) or a changed grid (``custom``) add
    "custom": a smoke, preview, own-profile or modified run never overwrites the committed (quick) outputs."""
    default = profile_config(cfg.profile_file or cfg.profile)
    custom = custom or any(getattr(cfg, f) != getattr(default, f) for f in FIELDS if f not in _SAME_TABLE)
    profile = profile_name(cfg)
    stem = "_".join([name] + ([profile] if profile != "quick" else []) + (["custom"] if custom else []))
    # the last guard: names are checked where they are read (grid and profile files), but a stem made in
    # code from any other source must not lead out of --out either
    return require_plain_name(stem, f"the output name {stem!r}")


def save_figure(fig, out_dir: Path, name: str, caption: list[str] | None = None) -> list[Path]:
    """``name``.png and .pdf, and with ``caption`` its lines in ``name``.txt beside them: the data, profile,
    regime and legend lines that a title across the plot made unreadable. The figure is closed after."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("png", "pdf"):
        path = out_dir / f"{name}.{ext}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=150, bbox_inches="tight")
        paths.append(path)
    if caption is not None:
        write_text_atomic(out_dir / f"{name}.txt", "".join(f"{line}\n" for line in caption))
        paths.append(out_dir / f"{name}.txt")
    import matplotlib.pyplot as plt
    plt.close(fig)  # a command draws several figures; open ones hold their memory until exit
    return paths


def write_table(df: pd.DataFrame, head: list[str], out_dir: Path, name: str, shown: pd.DataFrame | None = None,
                latex: bool = True) -> list[Path]:
    """CSV (all columns, machine-readable), Markdown and, with ``latex``, LaTeX of ``shown`` (the
    human-readable view; default ``df`` itself). The header lines open each file as comments."""
    out_dir.mkdir(parents=True, exist_ok=True)
    shown = df if shown is None else shown
    texts = {"csv": "".join(f"# {h}\n" for h in head) + df.to_csv(index=False),
             "md": "\n".join(f"> {h}" for h in head) + "\n\n" + to_markdown(shown)}
    if latex:
        texts["tex"] = "".join(f"% {h}\n" for h in head) + to_latex(shown)
    paths = []
    for ext, text in texts.items():
        write_text_atomic(out_dir / f"{name}.{ext}", text)
        paths.append(out_dir / f"{name}.{ext}")
    return paths


def table_columns(path: Path) -> list[str]:
    """The column names of a CSV that ``write_table`` wrote (its first line that is not a header comment)."""
    with path.open() as f:
        return next((line.strip().split(",") for line in f if not line.startswith("#")), [])


def read_table(path: Path) -> tuple[list[str], pd.DataFrame]:
    """A CSV that ``write_table`` wrote: its header lines (without the ``# ``) and its frame, so a figure is
    drawn again from a committed table without the runs that made it."""
    from landslide.errors import LandslideError
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise LandslideError(f"{path}: cannot read it ({exc.strerror}); give a table that a bench command "
                             f"wrote") from None
    head = [line[2:] for line in lines if line.startswith("# ")]
    import warnings
    try:
        with warnings.catch_warnings():  # a row longer than the header: pandas would drop or index the rest
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return head, pd.read_csv(path, comment=None, index_col=False,
                                     skiprows=sum(line.startswith("#") for line in lines))
    except (pd.errors.ParserError, pd.errors.ParserWarning, pd.errors.EmptyDataError) as exc:
        raise LandslideError(f"{path}: not a table a bench command wrote ({str(exc).strip()}); restore it with "
                             f"git checkout -- {path}, or rerun the command that writes it") from None


def to_markdown(df: pd.DataFrame) -> str:
    cells = [[str(v) for v in df.columns]] + [[str(v) for v in r] for r in df.itertuples(index=False)]
    lines = ["| " + " | ".join(r) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("---" for _ in df.columns) + "|")
    return "\n".join(lines) + "\n"


_TEX = {"±": r"$\pm$", "Δ": r"$\Delta$", "↑": r"$\uparrow$", "↓": r"$\downarrow$", "~": r"$\sim$",
        "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "*": r"$^*$"}


def _tex(v) -> str:
    return "".join(_TEX.get(ch, ch) for ch in str(v))


def to_latex(df: pd.DataFrame) -> str:
    """A booktabs tabular (needs \\usepackage{booktabs})."""
    rows = [" & ".join(_tex(v) for v in r) + r" \\" for r in df.itertuples(index=False)]
    return "\n".join([r"\begin{tabular}{" + "l" * len(df.columns) + "}", r"\toprule",
                      " & ".join(_tex(c) for c in df.columns) + r" \\", r"\midrule", *rows,
                      r"\bottomrule", r"\end{tabular}"]) + "\n"

"""Does our change against the baseline replicate the paper's? One rule for every table that says so
(the terminal's compact view, ``bench contrast``): our 95 % interval against the paper's change, which
has no published interval."""
from __future__ import annotations

import math

# The paper gives no interval; a change of its (rounded to its 4 decimals) smaller than this is none.
PAPER_NO_CHANGE = 0.01

RULE = (f"'yes' when our interval excludes 0 on the paper's side and holds its change, 'yes in sign, not in "
        f"size' when it excludes it; 'no' when ours lies on the other side of 0, or holds 0 but not the "
        f"paper's change; 'unresolved' when it holds both. A paper |change| < {PAPER_NO_CHANGE} is none: "
        f"then 'yes' needs ours within ±{PAPER_NO_CHANGE}")


def sign(lo: float, hi: float) -> int:
    """+1 or -1 when a closed 95 % interval excludes 0, else 0 (an interval touching 0 holds it)."""
    return 1 if lo > 0 else -1 if hi < 0 else 0


def paper_sign(change: float) -> int:
    change = round(change, 4)  # 0.57 - 0.56 is 0.0099999...: read at the paper's precision
    return 0 if abs(change) < PAPER_NO_CHANGE else 1 if change > 0 else -1


def judge(paper: float, lo: float, hi: float) -> tuple[str, str]:
    """(short, long) verdict of our interval [lo, hi] on the paper's change ``paper``: the short one for
    a terminal's column ("" where a number is missing), the long one for a table that explains itself."""
    if math.isnan(paper):
        return "", "no paper number"
    if math.isnan(lo) or math.isnan(hi):
        return "", "no interval"
    ours, theirs = sign(lo, hi), paper_sign(paper)
    side = f"ours {'above' if ours > 0 else 'below'} 0"
    if theirs == 0:
        if ours == 0 and -PAPER_NO_CHANGE < lo and hi < PAPER_NO_CHANGE:
            return "yes (no change)", "yes: no change in either"
        if ours == 0:
            return "unresolved", "unresolved: holds 0, and changes beyond the paper's none"
        return "no (paper: none)", f"no: {side}, the paper's {paper:+.3f} (none)"
    holds_paper = lo <= paper <= hi
    if ours == 0:
        return (("unresolved", "unresolved: holds 0 and the paper's change") if holds_paper else
                ("no (within noise)", "no: within noise of 0, the paper's change outside the interval"))
    if ours == theirs:
        return ("yes", "yes") if holds_paper else ("yes (sign only)", "yes in sign, not in size")
    return "no (opposite)", f"no: {side}, the paper's {paper:+.3f}"


def verdict(paper: float, lo: float, hi: float) -> str:
    return judge(paper, lo, hi)[1]


def short_verdict(paper: float, lo: float, hi: float) -> str:
    return judge(paper, lo, hi)[0]

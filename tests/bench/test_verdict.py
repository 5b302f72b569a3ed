"""The one rule that says whether our change replicates the paper's, on hand-chosen intervals."""
import math

import pytest

from bench.grid.verdict import judge, short_verdict, verdict

NAN = math.nan


@pytest.mark.parametrize("paper, lo, hi, expected", [
    (+0.054, +0.020, +0.080, "yes"),                                   # our side, holds the paper's change
    (-0.050, -0.070, -0.030, "yes"),                                   # the same, below 0
    (+0.054, +0.001, +0.030, "yes in sign, not in size"),              # our side, smaller than the paper's
    (+0.024, -0.038, -0.011, "no: ours below 0, the paper's +0.024"),  # the other side
    (-0.050, +0.010, +0.030, "no: ours above 0, the paper's -0.050"),
    (-0.050, -0.006, +0.015, "no: within noise of 0, the paper's change outside the interval"),
    (+0.030, -0.010, +0.050, "unresolved: holds 0 and the paper's change"),
    (+0.020, +0.000, +0.030, "unresolved: holds 0 and the paper's change"),  # touching 0 holds it
    (+0.010, +0.005, +0.020, "yes"),                                   # 0.01 is a change ("under 0.01": none)
    (0.57 - 0.56, +0.005, +0.020, "yes"),      # 0.0099999.. in floats: at the paper's 4 decimals 0.01, a change
    # the paper's "no change" (step: +0.001)
    (+0.001, -0.049, -0.018, "no: ours below 0, the paper's +0.001 (none)"),
    (+0.001, -0.008, +0.009, "yes: no change in either"),
    (+0.001, -0.200, +0.200, "unresolved: holds 0, and changes beyond the paper's none"),
    (NAN, -0.01, +0.01, "no paper number"),
    (+0.02, NAN, NAN, "no interval"),
])
def test_verdict_on_hand_chosen_intervals(paper, lo, hi, expected):
    assert verdict(paper, lo, hi) == expected


def test_the_short_verdict_is_the_long_one_s_reading():
    assert short_verdict(+0.024, -0.038, -0.011) == "no (opposite)"
    assert short_verdict(-0.050, -0.006, +0.015) == "no (within noise)"
    assert short_verdict(+0.001, -0.049, -0.018) == "no (paper: none)"
    assert short_verdict(+0.054, +0.001, +0.030) == "yes (sign only)"
    assert short_verdict(+0.030, -0.010, +0.050) == "unresolved"
    assert short_verdict(NAN, 0.01, 0.02) == "" and short_verdict(0.02, NAN, NAN) == ""
    # every long verdict has its short one, and a short "yes" only ever stands for a long "yes"
    for paper in (-0.05, -0.01, 0.0, 0.004, 0.02, 0.06):
        for lo, hi in ((-0.2, 0.2), (-0.005, 0.005), (0.01, 0.03), (0.03, 0.08), (-0.08, -0.03), (0.0, 0.02)):
            short, long = judge(paper, lo, hi)
            assert short and long and short.split(" ")[0] == long.split(":")[0].split(" ")[0]

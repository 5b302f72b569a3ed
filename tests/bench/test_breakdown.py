"""The fold breakdown's buckets on a hand-made py-spy raw profile."""
from bench.perf.breakdown import OTHER, breakdown, markdown

RAW = [
    "main (cli.py:1);fit_fold (engine.py:2);fit_fold.<locals>.validate (engine.py:3);Preprocess.__call__ (p.py:4) 5",
    "main (cli.py:1);train_step (step.py:9);Tensor.backward (_tensor.py:1) 8",
    "main (cli.py:1);train_step (step.py:9);Module._call_impl (module.py:1) 4",
    "main (cli.py:1);batch_step (pipeline.py:1);Preprocess.__call__ (p.py:4) 2",
    "main (cli.py:1) 1",
]


def test_a_stack_goes_to_its_first_matching_part():
    parts = breakdown(RAW)
    assert parts["validation every epoch (predict on the validation fold)"] == 5  # not normalisation
    assert parts["backward"] == 8 and parts["forward and loss"] == 4
    assert parts["batch gather, normalisation, layout"] == 2 and parts[OTHER] == 1
    table = markdown(parts, rate=2.0)
    assert "| backward | 4.0 | 40.0 % |" in table and table.endswith("| all | 10.0 | 100 % |")

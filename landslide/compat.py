"""What older run folders and results stores need to stay readable, in one place; each entry says what
wrote the old form and when it may go. Nothing here changes what a new run writes.

Each goes once no run folder or results store from before its date is kept (retrain them, or keep it).
"""
from __future__ import annotations

# Configuration fields added after results stores existed (2026-11-28 .. 12-07), with the value that
# reproduces the old behaviour. A configuration read back without one takes this value, and while a field
# sits at it, it is left out of the configuration's identity, so older cells keep their keys.
# Goes: never on its own; dropping an entry re-keys every cell stored before that field existed.
ADDED_LATER = {"smote_share": 0.0, "smote_mix": "linear", "data_fingerprint": "",
               "threads": 0, "channels_last": False, "folds_trained": 0, "compile": False,
               "ema_decay": 0.0, "warmup_epochs": 0.0, "stem_init": "repeat",
               "inner_of_fold": -1, "cpu_fused_optimizer": False}


def renamed_fields(saved: dict) -> dict:
    """``smote_keep_texture`` (2026-11-28) became ``smote_mix``: true meant "rescaled", false "linear".
    Goes with the run folders and stores written before smote_mix existed."""
    saved = dict(saved)
    if "smote_keep_texture" in saved:
        saved.setdefault("smote_mix", "rescaled" if saved.pop("smote_keep_texture") else "linear")
    return saved


def fold_state_fields(saved: dict) -> dict:
    """A ``last.pt``'s training state. Versions up to 2026-11-28 scored each fold's best checkpoint and kept
    its weights there as ``best_state``; the fold now ends with the schedule's last weights, so it is dropped.
    Goes with the half-trained folds written by those versions."""
    return {k: v for k, v in saved.items() if k != "best_state"}


# ``result.npz`` carries this flag since 2026-11-28: the fold's outputs come from its final weights. A file
# without it was written from the best-on-validation checkpoint, and its fold is trained again.
# Goes: never while a fold may have been trained by the first versions; it costs one array per file.
FINAL_WEIGHTS_MARKER = "final_weights"

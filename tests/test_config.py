"""Configuration: one precedence, every field validated when the configuration is made."""
import argparse

import pytest

from landslide.config import FIELDS, ExperimentConfig
from landslide.errors import LandslideError
from landslide.options import config_from_args, parse_sets
from landslide.profiles import profile_config, profile_overrides
from landslide.train.run import add_train_arguments


def test_defaults_are_the_quick_profile():
    assert ExperimentConfig().replace(profile="quick") == profile_config("quick")
    assert profile_overrides("quick") == {"profile": "quick"}


@pytest.mark.parametrize("field,value", [
    ("lr_schedule", "linear"), ("norm", "foo"), ("channels", "13"), ("folds", 1), ("batch_size", 0),
    ("backbone", "resnet_does_not_exist"), ("backbone", "@nofamily"), ("device", "banana"), ("epochs", -1),
    ("epochs", 0), ("lr", 0.0), ("lr", float("nan")), ("head", "knn"), ("smote_share", 1.5), ("smote_mix", "cubic"),
    ("mixup_prob", 1.5), ("drop_rate", -0.1), ("threads", -2), ("epochs", 2.5), ("mixup", "yes")])
def test_bad_values_are_refused_when_the_configuration_is_made(field, value):
    with pytest.raises(LandslideError, match=field):
        profile_config("smoke", **{field: value})


def test_problems_are_reported_together():
    with pytest.raises(LandslideError) as err:
        profile_config("smoke", folds=1, norm="foo")
    assert "folds" in str(err.value) and "norm" in str(err.value)


def parse(*argv):
    p = argparse.ArgumentParser()
    add_train_arguments(p)
    return p.parse_args(["--out", "x", *argv])


def test_precedence_defaults_profile_flags_then_set():
    assert config_from_args(parse("--profile", "smoke")).epochs == 1                  # profile over defaults
    assert config_from_args(parse("--profile", "smoke", "--seed", "4")).seed == 4      # flag over profile
    args = parse("--profile", "smoke", "--seed", "4", "--set", "seed=7", "--set", "epochs=3")
    cfg = config_from_args(args)
    assert (cfg.seed, cfg.epochs) == (7, 3)                                           # --set over everything


def test_set_parsing_types_and_errors():
    assert parse_sets(["epochs=3", "mixup=true", "lr=1e-3", "channels=20"]) == \
        {"epochs": 3, "mixup": True, "lr": 1e-3, "channels": "20"}
    for bad, match in (["epochs"], "FIELD=VALUE"), (["nope=1"], "unknown"), (["epochs=three"], "int"), \
            (["mixup=maybe"], "true/false"):
        with pytest.raises(LandslideError, match=match):
            parse_sets(bad)


def test_config_json_of_older_versions_reads_with_their_meaning():
    saved = profile_config("smoke").resolved()
    for new in ("smote_mix", "smote_share", "data_fingerprint", "threads"):
        saved.pop(new)
    saved["smote_keep_texture"] = True
    cfg = ExperimentConfig.from_dict(saved)
    assert cfg.smote_mix == "rescaled" and cfg.threads == 0
    saved.pop("smote_keep_texture")
    assert ExperimentConfig.from_dict(saved).smote_mix == "linear"  # what every older run did
    with pytest.raises(LandslideError, match="newer"):
        ExperimentConfig.from_dict({**saved, "from_the_future": 1})


def test_a_family_is_keyed_by_the_network_it_names_at_the_profile():
    # "@resnet" at quick is Table 2's resnet10t: the backbone grid reuses that trained cell
    quick = profile_config("quick")
    assert quick.replace(backbone="@resnet").training_key() == quick.replace(backbone="resnet10t").training_key()
    assert quick.replace(backbone="@resnet").training_key() != quick.replace(backbone="@regnety").training_key()
    smoke = profile_config("smoke")
    assert smoke.replace(backbone="@resnet").training_key() == smoke.replace(backbone="test_resnet").training_key()


def test_a_family_without_a_member_at_the_profile_is_refused_and_left_out_of_the_grid():
    from bench.figures.backbones import runnable_rows
    from bench.grid.spec import load_grid
    with pytest.raises(LandslideError, match="no quick member.*wide_resnet50_2"):
        profile_config("quick", backbone="@wideresnet")
    grid, notes = runnable_rows(load_grid("backbones"), "quick")
    assert {r.name for r in grid.rows} == {"efficientnetv2", "inceptionv3", "resnet", "regnety", "vit"}
    assert len(notes) == 4 and all("--profile paper" in n for n in notes)
    assert len(runnable_rows(load_grid("backbones"), "paper")[0].rows) == 9


def test_evidence_commands_default_to_three_seeds():
    from bench.args import parse_seeds
    from bench.cli import build_parser
    p = build_parser()
    assert parse_seeds(p.parse_args(["table2"])) == [0, 1, 2]
    assert parse_seeds(p.parse_args(["tricks"])) == [0, 1, 2]
    assert parse_seeds(p.parse_args(["backbones"])) == [0]
    assert parse_seeds(p.parse_args(["table2", "--seeds", "0"])) == [0]


def test_the_quick_keys_of_the_committed_tables_are_pinned():
    """Keys of the profiles the committed tables were made with (issue 36's quick recipe: 2,400 patches,
    20 epochs, final weights, channels_last memory; and the underfit one, on the same 2,400 patches):
    a field added later must keep them, so that the committed cells and run folders keep their names."""
    quick = profile_config("quick")
    assert (quick.key(), quick.training_key()) == ("3e22abdb4d4b", "0a65c49521b8")
    assert profile_config("underfit").key() == "2dccbc34b900"
    assert profile_config("smoke", smote=True).key() == "38659ba9af3a"


def test_the_long_profile_is_the_quick_one_at_twice_the_epochs():
    """Issue 36.5's budget dimension: a verdict that moves between table2 and table2_long may only be the
    budget's doing, so nothing else of the recipe may differ."""
    quick, long = profile_config("quick"), profile_config("long")
    differs = {f for f in FIELDS if getattr(quick, f) != getattr(long, f)}
    assert differs == {"epochs", "profile"} and long.epochs == 2 * quick.epochs


def test_folds_trained_cannot_exceed_the_folds():
    with pytest.raises(LandslideError, match="folds_trained=4 must be <= folds=3"):
        profile_config("quick", folds_trained=4)

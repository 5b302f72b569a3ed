"""The weight average a fold is scored with (ema_decay > 0): known answers on a tiny network."""
import pytest
import torch

from landslide.train.average import WeightAverage


def tiny():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.BatchNorm1d(1))


def test_the_average_follows_the_warm_up_decay_then_the_set_one():
    model = tiny()
    average = WeightAverage(model, decay=0.5)
    start = model[0].bias.item()
    expected = start
    for n, live in enumerate([1.0, 2.0, 3.0, 4.0], start=1):
        with torch.no_grad():
            model[0].bias.fill_(live)
        average.update(model)
        decay = min(0.5, (1 + n) / (10 + n))  # 2/11, 3/12, 4/13, 5/14: the warm-up is below 0.5 throughout
        expected = decay * expected + (1 - decay) * live
    assert average.model[0].bias.item() == pytest.approx(expected, rel=1e-6)
    # by hand: decays 2/11, 1/4, 4/13, 5/14 from the initial bias
    hand = ((((start * 2 / 11 + 9 / 11) * 0.25 + 2 * 0.75) * 4 / 13 + 3 * 9 / 13) * 5 / 14 + 4 * 9 / 14)
    assert average.model[0].bias.item() == pytest.approx(hand, rel=1e-6)


def test_long_after_the_warm_up_the_set_decay_holds():
    average = WeightAverage(tiny(), decay=0.9)
    average.updates = 1000
    assert average.current_decay() == 0.9


def test_batchnorm_statistics_are_averaged_and_its_counter_copied():
    model = tiny()
    average = WeightAverage(model, decay=0.5)
    with torch.no_grad():
        model[1].running_mean.fill_(2.0)
    model[1].num_batches_tracked.fill_(7)
    average.update(model)
    assert average.model[1].running_mean.item() == pytest.approx(2.0 * (1 - 2 / 11))
    assert average.model[1].num_batches_tracked.item() == 7


def test_the_live_network_is_left_alone_and_the_average_round_trips():
    model = tiny()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    average = WeightAverage(model, decay=0.9)
    with torch.no_grad():
        model[0].weight.add_(1.0)
    average.update(model)
    assert torch.equal(model[0].weight, before["0.weight"] + 1.0)
    assert not average.model[0].weight.requires_grad
    again = WeightAverage(tiny(), decay=0.9)
    again.load_state_dict(average.state_dict())
    assert again.updates == 1
    assert torch.equal(again.model[0].weight, average.model[0].weight)


def test_a_decay_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError, match="decay"):
        WeightAverage(tiny(), decay=1.0)

"""The one training step: no host synchronisation inside it; the loss is read every N steps."""
import pytest
import torch

from landslide.errors import LandslideError
from landslide.train.step import LossWatch, train_step


def tiny():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                               torch.nn.Linear(4, 2))


def test_the_step_never_reads_a_value_back(monkeypatch):
    model = tiny()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(8, 3, 8, 8), torch.nn.functional.one_hot(torch.arange(8) % 2, 2).float()

    def forbidden(*a, **k):
        raise AssertionError("a host synchronisation inside the step")
    monkeypatch.setattr(torch.Tensor, "item", forbidden)
    monkeypatch.setattr(torch.Tensor, "tolist", forbidden)
    monkeypatch.setattr(torch.Tensor, "__bool__", forbidden)
    loss = train_step(model, opt, x, y, torch.device("cpu"))
    assert loss.requires_grad is False and loss.dim() == 0


def test_the_step_is_a_plain_optimisation_step():
    """Known answer: the same update as writing forward, KL loss, backward and SGD by hand."""
    a, b = tiny(), tiny()
    x, y = torch.randn(8, 3, 8, 8), torch.nn.functional.one_hot(torch.arange(8) % 2, 2).float()
    train_step(a, torch.optim.SGD(a.parameters(), lr=0.1), x, y, torch.device("cpu"))
    loss = torch.nn.functional.kl_div(torch.log_softmax(b(x), 1), y, reduction="batchmean")
    loss.backward()
    with torch.no_grad():
        for p in b.parameters():
            p -= 0.1 * p.grad
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q)


def test_loss_watch_reads_every_n_steps_and_stops_on_nan():
    watch = LossWatch(every=3)
    assert [watch.add(torch.tensor(v), "here", "fix") for v in (1.0, 2.0, 3.0)] == [False, False, True]
    assert watch.last_mean == pytest.approx(2.0)
    watch.add(torch.tensor(float("nan")), "here", "fix")
    with pytest.raises(LandslideError, match="loss is nan here; fix"):
        watch.check("here", "fix")


def test_table2_projection_by_hand():
    from bench.perf.gpu_check import projection_lines
    # 8 rows x 5 folds x 50 epochs x 5,718 patches at 100 img/s = 31.8 h of training; evaluation at the
    # paper's cadence: 2,000 x 159 steps / 3 = 106,000 passes over 1,430 patches at 2,641 img/s = 15.9 h
    paper, epoch = projection_lines(100.0, 2641.0)
    assert "47.7 h" in paper and "evaluation 33 %" in paper
    assert "32.1 h" in epoch and "evaluation 1 %" in epoch  # 2,000 passes: 0.3 h of evaluation


@pytest.mark.slow
def test_the_compiled_step_equals_eager():
    """torch.compile (inductor, here on the CPU) changes how the step runs, not what it computes."""
    x, y = torch.randn(8, 3, 8, 8), torch.nn.functional.one_hot(torch.arange(8) % 2, 2).float()
    eager, compiled = tiny(), tiny()
    opt_e, opt_c = torch.optim.Adam(eager.parameters(), 1e-2), torch.optim.Adam(compiled.parameters(), 1e-2)
    fast = torch.compile(compiled)
    for _ in range(3):
        le = train_step(eager, opt_e, x, y, torch.device("cpu"))
        lc = train_step(fast, opt_c, x, y, torch.device("cpu"))
        torch.testing.assert_close(le, lc, rtol=1e-5, atol=1e-6)
    for p, q in zip(eager.parameters(), compiled.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)


def _captured(model, lr: float, milestones: list[int]):
    from landslide.train.optim import shadow_optimizer
    from landslide.train.step import CapturedStep
    opt = torch.optim.AdamW(model.parameters(), lr=torch.tensor(lr), foreach=False)
    shadow = shadow_optimizer(opt)
    sched = torch.optim.lr_scheduler.MultiStepLR(shadow, milestones, 0.1)
    return CapturedStep(model, opt, torch.device("cpu"), shadow, sched), opt


@pytest.mark.slow
def test_the_captured_step_equals_eager_through_a_schedule(monkeypatch):
    """The whole step compiled once (CapturedStep) computes what the eager step does, the rate changes
    inside the graph (no recompilation when the schedule divides it by 10), and after the first
    (compiling) call no step reads a value back from the device."""
    x, y = torch.randn(8, 3, 8, 8), torch.nn.functional.one_hot(torch.arange(8) % 2, 2).float()
    eager, model = tiny(), tiny()
    opt_e = torch.optim.AdamW(eager.parameters(), lr=1e-2)
    sched_e = torch.optim.lr_scheduler.MultiStepLR(opt_e, [2], 0.1)
    step, opt_c = _captured(model, 1e-2, [2])
    losses_e = [train_step(eager, opt_e, x, y, torch.device("cpu"), sched_e)]
    losses_c = [step(x, y)]

    def forbidden(*a, **k):
        raise AssertionError("a host synchronisation inside the captured step")
    with torch._dynamo.config.patch(error_on_recompile=True):
        for _ in range(3):
            losses_e.append(train_step(eager, opt_e, x, y, torch.device("cpu"), sched_e))
            with monkeypatch.context() as m:
                for name in ("item", "tolist", "__bool__"):
                    m.setattr(torch.Tensor, name, forbidden)
                losses_c.append(step(x, y))
    torch.testing.assert_close(torch.stack(losses_c), torch.stack(losses_e), rtol=1e-5, atol=1e-6)
    for p, q in zip(eager.parameters(), model.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)
    assert float(opt_c.param_groups[0]["lr"]) == pytest.approx(opt_e.param_groups[0]["lr"]) == pytest.approx(1e-3)


def test_the_captured_step_trains_whole_batches_only():
    from landslide.train.engine import steps_per_epoch
    # 70 images in batches of 32: eager runs 32 + 32 + 6, the captured step (one shape) 32 + 32
    assert steps_per_epoch(70, 32) == 3 and steps_per_epoch(70, 32, whole_batches=True) == 2
    # a last batch of one image is left out either way (BatchNorm cannot train on it); fewer images than
    # a batch make one step of all of them
    assert steps_per_epoch(65, 32) == 2 and steps_per_epoch(10, 32, whole_batches=True) == 1


@pytest.mark.slow
def test_a_resumed_captured_step_continues_the_schedule_where_it_stopped(tmp_path):
    """Killed after 2 of 4 steps (past the milestone) and resumed from saved states, the captured step
    ends where an uninterrupted one does: the restored rate is 1e-3, not the initial 1e-2."""
    from landslide.train.checkpoint import load_checkpoint, save_checkpoint
    x, y = torch.randn(8, 3, 8, 8), torch.nn.functional.one_hot(torch.arange(8) % 2, 2).float()
    whole, model = tiny(), tiny()
    step, _ = _captured(whole, 1e-2, [1])
    for _ in range(4):
        step(x, y)
    first, opt = _captured(model, 1e-2, [1])
    for _ in range(2):
        first(x, y)
    save_checkpoint({"model": model.state_dict(), "opt": opt.state_dict(), "sched": first.sched.state_dict()},
                    tmp_path / "last.pt")
    ckpt = load_checkpoint(tmp_path / "last.pt")
    again = tiny()
    again.load_state_dict(ckpt["model"])
    resumed, opt_r = _captured(again, 1e-2, [1])
    resumed.restore(ckpt["opt"], ckpt["sched"])
    assert float(opt_r.param_groups[0]["lr"]) == pytest.approx(1e-3)
    for _ in range(2):
        resumed(x, y)
    for p, q in zip(whole.parameters(), again.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)


def test_optimiser_and_schedule_registries_hold_exactly_the_configurations_choices():
    from typing import get_args, get_type_hints

    from landslide.config import ExperimentConfig
    from landslide.train.optim import OPTIMIZERS, SCHEDULES
    hints = get_type_hints(ExperimentConfig)
    assert set(OPTIMIZERS) == set(get_args(hints["optimizer"]))
    assert set(SCHEDULES) == set(get_args(hints["lr_schedule"]))


def test_a_warm_up_rises_linearly_then_runs_the_schedule_over_the_remaining_steps():
    from landslide.profiles import profile_config
    from landslide.train.optim import make_schedule

    def rates(sched, opt, n):
        out = []
        for _ in range(n):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return out
    cfg = profile_config("smoke", epochs=4, warmup_epochs=1, lr_schedule="cosine", lr=1e-3)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=cfg.lr)
    sched = make_schedule(cfg, opt, 40)  # 10 steps an epoch: 10 of warm-up, a cosine over 30
    got = rates(sched, opt, 40)
    # from lr/10 in even steps towards lr, reached at the first step after the warm-up (torch's LinearLR)
    assert got[:10] == pytest.approx([1e-3 * (0.1 + 0.9 * i / 10) for i in range(10)])
    plain = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=cfg.lr)
    assert got[10:] == pytest.approx(rates(torch.optim.lr_scheduler.CosineAnnealingLR(plain, T_max=30), plain, 30))
    # a killed fold resumes its schedule from the state dict, warm-up or not
    opt2 = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=cfg.lr)
    first = make_schedule(cfg, opt2, 40)
    rates(first, opt2, 7)
    opt3 = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=cfg.lr)
    resumed = make_schedule(cfg, opt3, 40)
    opt3.load_state_dict(opt2.state_dict())
    resumed.load_state_dict(first.state_dict())
    assert rates(resumed, opt3, 33) == pytest.approx(got[7:])


def test_the_fused_optimiser_on_the_cpu_is_a_setting_that_old_configurations_read_as_off():
    from landslide.config import ExperimentConfig
    from landslide.profiles import profile_config
    from landslide.train.optim import make_optimizer
    model = torch.nn.Linear(3, 2)
    fused = make_optimizer(profile_config("smoke", cpu_fused_optimizer=True), model)
    assert fused.defaults["fused"] is True
    # a cell stored before the field existed was trained unfused and keeps its key
    old = ExperimentConfig.from_dict({k: v for k, v in profile_config("smoke").resolved().items()
                                      if k != "cpu_fused_optimizer"})
    assert old.cpu_fused_optimizer is False
    assert not make_optimizer(old, model).defaults["fused"]
    assert old.key() == profile_config("smoke").key() != profile_config("smoke", cpu_fused_optimizer=True).key()

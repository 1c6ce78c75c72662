"""Every NN preset's story, checked on the engine (no AppTest): what its description says the student
will see is what the runs do, robustly.

Policy, for each preset:

* The preset is run as the page runs it (its seed, usually 0) and every run's verdict
  (:func:`lrlab.verdict.judge`, the badge) is asserted, and the orderings the text claims.
* The same verdicts must hold when the initial weights are perturbed by ``REL = 1e-9`` relative
  (``PERTURB`` copies, batched into the same training pass): a verdict that flips under that is a
  verdict of the last bits of one machine's arithmetic, not of the lr.
* Each general statement of the text must also hold on ``SEEDS`` = 8 seeds (a seed draws the data,
  the weights and the batch order), or on 7 of 8 where the text says "usually" or "most".
* The learning rates the text names (``lr = x``) are the learning rates run.

The page's own settings that change what it shows are mirrored here: the sharpness tool's period
(``steps // 25``) and power iterations (60), the fine-tuning shift (the moons moved by (1, 1)).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

import numpy as np
import pytest

from lrlab import finetune, rangetest, schedules, sharpness, sweep, training, verdict
from lrlab.ui.nn import config as N
from lrlab.ui.nn import presets as nn_presets

SEEDS = range(8)
PERTURB, REL = 4, 1e-9
SHARP_EVERY, SHARP_ITERS = 25, 60  # the page's sharpness tool: every steps // 25, 60 iterations
SHIFT = {"translate": (1.0, 1.0)}  # the page's "translate" fine-tuning task


def preset_cfg(name: str, **changes) -> N.NNConfig:
    cfg, problems = N.from_query(nn_presets.PRESETS[name].params)
    assert problems == []
    return replace(cfg, **changes)


@cache
def _train(cfg: N.NNConfig, init: bytes | None) -> training.TrainResult:
    return train(cfg, None if init is None else np.frombuffer(init).reshape(-1, N.build_model(cfg).n_params))


def train(cfg: N.NNConfig, init=None) -> training.TrainResult:
    """The page's training of ``cfg``: K runs, one per lr of ``cfg.lrs`` (K copies per lr with ``init``
    (K', P): run ``k * m + j`` is lr ``k`` from ``init[j]``)."""
    lrs = N.lr_arg(cfg)
    if init is not None:
        m = len(init)
        lrs = np.repeat(lrs, m) if isinstance(lrs, np.ndarray) else [s for s in lrs for _ in range(m)]
        init = np.tile(init, (len(cfg.lrs), 1))
    return training.train(
        N.build_model(cfg),
        N.build_data(cfg),
        N.build_optimizer(cfg),
        lrs,
        cfg.steps,
        batch_size=cfg.batch_size(),
        seed=cfg.seed,
        record_every=cfg.steps,
        init=init,
    )


def perturbed_inits(cfg: N.NNConfig, m: int = PERTURB) -> np.ndarray:
    """``m`` initial weight vectors: the page's, then ``m - 1`` copies perturbed by REL relative."""
    p0 = N.build_model(cfg).init(cfg.seed)
    noise = np.random.default_rng(12345).standard_normal((m, p0.size))
    noise[0] = 0.0
    return p0 * (1.0 + REL * noise)


def verdicts(cfg: N.NNConfig) -> tuple[str, ...]:
    """The verdict of each lr of ``cfg``, asserted to be the same from every perturbed start."""
    res = _train(replace(cfg, tool="none"), perturbed_inits(cfg).tobytes())
    names = np.array(verdict.judge(res).name).reshape(len(cfg.lrs), PERTURB)
    for k, row in enumerate(names):
        assert len(set(row)) == 1, f"lr = {cfg.lrs[k]}: the verdict flips under a 1e-9 perturbation: {row}"
    return tuple(names[:, 0])


def on_seeds(cfg: N.NNConfig):
    """(seed, result) of ``cfg`` trained from each of SEEDS (cached: presets share runs)."""
    for s in SEEDS:
        yield s, _train(replace(cfg, seed=s, tool="none"), None)


def text_lrs(name: str) -> set[float]:
    """The learning rates the description names as ``lr = x`` (not ``2/lr = x``)."""
    text = nn_presets.PRESETS[name].description
    return {float(v) for v in re.findall(r"(?<![/\w])lr = (\d[\d.]*(?:e-?\d+)?)", text)}


def rebound(loss, start: int) -> float:
    """The largest climb of ``loss`` from a low reached at or after ``start`` (the verdict's rule)."""
    tail = np.asarray(loss)[start:]
    return float(np.max(tail / np.minimum.accumulate(tail)))


@pytest.mark.parametrize(
    "name",
    [
        "three_lrs",
        "divergence",
        "minibatch",
        "sched_step",
        "sched_exponential",
        "sched_polynomial",
        "sched_cosine",
        "warmup",
        "edge_of_stability",
        "adam_spirals",
        "overfitting",
    ],
)
def test_the_lrs_in_the_text_are_the_lrs_run(name):
    assert text_lrs(name) == set(preset_cfg(name).lrs)


# -- training presets -----------------------------------------------------------------------------


def test_three_lrs():
    cfg = preset_cfg("three_lrs")
    assert verdicts(cfg) == ("too_slow", "trained", "loss_rose")
    for s, res in on_seeds(cfg):
        v = verdict.judge(res)
        assert v.name == ("too_slow", "trained", "loss_rose"), s
        assert v.ratio[0] > verdict.SLOW  # "over a quarter of the loss is still there"
        assert res.val_acc[0, -1] < res.val_acc[1, -1], s  # fewer validation points right than lr = 1
        assert res.train_loss[2, 1] > res.train_loss[2, 0], s  # lr = 30: the first step goes up
        assert res.train_loss[2, -1] > res.train_loss[2, 0], s  # ... and it ends above its start


def test_divergence():
    cfg = preset_cfg("divergence")
    assert verdicts(cfg) == ("trained", "trained", "diverged")
    res = train(cfg, perturbed_inits(cfg))
    assert set(res.diverged_at[2 * PERTURB :]) == {6}  # "stopped at step 6", from every start
    survived = 0
    for s, res in on_seeds(cfg):
        assert np.all(np.diff(res.train_loss[0]) < 0), s  # lr = 0.1: falls at every step
        assert res.diverged_at[2] <= 6, s  # lr = 1 explodes within a few steps
        if res.diverged_at[1] is None:  # lr = 0.5 "still falls, but unevenly"
            survived += 1
            assert res.train_loss[1, -1] < verdict.SLOW * res.train_loss[1, 0], s
            assert np.sum(np.diff(res.train_loss[1]) > 0) >= 10, s
    assert survived >= len(SEEDS) - 1  # "an unlucky start can still tip a run over late"


def test_minibatch_noise():
    cfg = preset_cfg("minibatch")
    assert verdicts(cfg) == ("too_slow", "jumpy", "loss_rose")
    for s, res in on_seeds(cfg):
        assert verdict.judge(res).name == ("too_slow", "jumpy", "loss_rose"), s
    for s, res in on_seeds(replace(cfg, batch=0, lrs=(5.0,))):  # lr = 5 trains with full batches
        assert verdict.judge(res).name == ("trained",), s


DECAYS = ["sched_step", "sched_exponential", "sched_polynomial", "sched_cosine"]


@pytest.mark.parametrize("name", DECAYS)
def test_decay_calms_the_minibatch_jumps(name):
    cfg = preset_cfg(name)
    assert verdicts(cfg) == ("trained", "trained")
    # from step 160 (past step decay's cut at 150) to the end
    start = 160 if name == "sched_step" else cfg.steps - max(2, round(verdict.TAIL * cfg.steps))
    for s, res in on_seeds(cfg):
        for k in range(2):  # calm at the end: no climb back of JUMPY x or more
            assert rebound(res.train_loss[k], start) < verdict.JUMPY, (s, k)
    # the same runs at a constant lr = 1 keep jumping
    for s, res in on_seeds(replace(cfg, schedule="constant", schedule_params=(), lrs=(1.0,))):
        assert verdict.judge(res).name == ("jumpy",), s


def test_decay_schedules_follow_their_descriptions():
    t = np.arange(300)
    lin = 1 - t / 300
    cos = np.asarray(N.build_schedule(preset_cfg("sched_cosine"), 1.0)(t), float)
    assert np.all(cos[1:150] > lin[1:150]) and np.all(cos[151:] < lin[151:])  # above, then below
    assert cos[0] - cos[1] < 0.01 * (lin[0] - lin[1])  # flat at the start (and by symmetry the end)
    poly = np.asarray(N.build_schedule(preset_cfg("sched_polynomial"), 1.0)(t), float)
    np.testing.assert_allclose(poly, lin, rtol=1e-12)  # a straight line to zero at step 300
    expo = np.asarray(N.build_schedule(preset_cfg("sched_exponential"), 1.0)(np.arange(301)), float)
    assert expo[-1] == pytest.approx(1 / 8, rel=0.05)  # "to an eighth by step 300"
    step = np.asarray(N.build_schedule(preset_cfg("sched_step"), 1.0)(t), float)
    assert np.all(step[:150] == 1.0) and np.allclose(step[150:], 0.1)


def test_cyclic_jumps_at_the_peaks_and_settles_in_the_valleys():
    cfg = preset_cfg("sched_cyclic")
    assert verdicts(cfg) == ("trained",)
    lr = np.asarray(N.build_schedule(cfg, cfg.lrs[0])(np.arange(cfg.steps + 1)), float)
    assert lr[75] == pytest.approx(2.0) and lr[225] == pytest.approx(1.025)
    assert lr[0] == lr[150] == pytest.approx(0.05) and lr.min() == pytest.approx(0.05)
    peaks, valleys = [(60, 90), (210, 240)], [(135, 165), (280, 300)]
    for s, res in on_seeds(cfg):
        change = np.abs(np.diff(np.log(res.train_loss[0])))
        calm = max(change[a:b].mean() for a, b in valleys)
        assert all(change[a:b].mean() > 3 * calm for a, b in peaks), s


def test_warmup_eases_the_large_lr_in():
    cfg = preset_cfg("warmup")
    cold = replace(cfg, schedule_params=())
    assert dict(cfg.schedule_params) == {"warmup_steps": 100}  # from a third: PyTorch's default
    assert schedules.WARMUP_START_FACTOR == pytest.approx(1 / 3)
    assert verdicts(cfg) == ("trained", "overfitting")
    for s, res in on_seeds(cfg):  # with warm-up neither loss ever rises above its start
        assert np.all(np.max(res.train_loss, axis=1) == res.train_loss[:, 0]), s
    for s, res in on_seeds(cold):  # without: lr = 3 jumps well above its start, lr = 0.3 does not
        peak = np.max(res.train_loss, axis=1) / res.train_loss[:, 0]
        assert peak[0] == 1.0 and peak[1] > 1.5, s
    runs = train(cold, perturbed_inits(cold, 8))
    peak = np.max(runs.train_loss[8:], axis=1) / runs.train_loss[8:, 0]
    assert np.all((peak > 5) & (peak < 7))  # "to 6 times it here", from every perturbed start
    final = runs.train_loss[8:, -1]  # "left to chance": a 1e-9 change moves it tenfold or more
    assert final.max() > 10 * final.min()
    warm = train(cfg, perturbed_inits(cfg, 8)).train_loss[8:, -1]
    assert warm.max() < 1.01 * warm.min()  # with warm-up the same starts end alike


def test_adam_on_spirals():
    cfg = preset_cfg("adam_spirals")
    assert verdicts(cfg) == ("too_slow", "trained", "trained")
    for s, res in on_seeds(cfg):
        assert verdict.judge(res).name == ("too_slow", "trained", "trained"), s
        assert np.all(res.val_acc[1:, -1] == 1.0), s  # "every validation point right"


def test_overfitting():
    cfg = preset_cfg("overfitting")
    assert verdicts(cfg) == ("overfitting", "too_slow")
    v = verdict.judge(train(cfg))
    assert 120 <= v.val_best_step[0] <= 150  # "here after about 135 steps"
    overfit = slow = 0
    for s, res in on_seeds(cfg):
        v = verdict.judge(res)
        assert v.ratio[0] < 0.05, s  # "the training loss goes to almost zero"
        if v.name[0] == "overfitting":
            overfit += 1
            assert v.val_best_step[0] <= 300 and v.val_rise[0] >= 2, s  # "within 300", "twice or more"
        assert v.val_rise[1] < 1.2 and v.name[1] != "overfitting", s  # lr = 0.0005: still near its low
        slow += v.name[1] == "too_slow"  # "usually too slowly to finish"
    assert overfit >= len(SEEDS) - 1 and slow >= len(SEEDS) - 1  # "on most seeds", "usually"


# -- tools ---------------------------------------------------------------------------------------


def test_lr_finder():
    cfg = preset_cfg("lr_finder")
    assert verdicts(cfg) == ("too_slow", "trained", "loss_rose")  # the three lrs trained above it
    for s in SEEDS:
        c = replace(cfg, seed=s)
        res = N.range_test(c)
        sm = res.smoothed
        assert np.all(np.abs(sm[:30] - sm[0]) < 1e-3 * sm[0]), s  # flat while the lr is tiny
        assert sm.min() < 0.8 * sm[0], s  # falls while it is useful
        assert res.losses[-1] > 5 * res.losses.min(), s  # shoots up at the end
        lrs = [N.nice(v) for v in res.suggestions.values()]  # what a click trains
        checks = rangetest.check_trained(res, train(replace(c, lrs=tuple(lrs))), lrs)
        assert checks["steepest"].outcome == checks["minimum_10"].outcome == "trained", s
        valley = checks["valley"]
        assert valley.too_small and valley.outcome == "too_slow" and valley.lr == 0.004, s
        assert valley.fall < rangetest.FLAT and "at every step" in valley.sentence, s
        _, window = rangetest.read_window(res.lrs, res.smoothed, *res.skip)
        b, e, _ = rangetest.valley_span(window)  # the longest descent begins with the test
        assert b <= 0 and np.all(np.diff(window[: e + 1]) < 0), s
    assert "(0.004, too slow)" in nn_presets.PRESETS["lr_finder"].description


def test_grid_search_picks_by_the_validation_loss():
    cfg = preset_cfg("grid_search")
    assert text_lrs("grid_search") == set(cfg.lrs)
    assert verdicts(cfg) == ("too_slow", "trained", "diverged")
    lrs = sweep.log_grid(cfg.sweep_min, cfg.sweep_max, cfg.sweep_num)
    text = nn_presets.PRESETS["grid_search"].description
    assert (
        f"{len(lrs)} learning rates from {lrs[0]:g} to {lrs[-1]:g}" in text and f"{cfg.steps} steps" in text
    )
    model, data, opt = N.build_model(cfg), N.build_data(cfg), N.build_optimizer(cfg)
    for init in perturbed_inits(cfg):
        res = sweep.sweep_mlp(model, data, opt, lrs, steps=cfg.steps, seed=cfg.seed, init=init)
        assert res.scored_by == "validation" and f"here {res.best_lr:.2g}" in text  # "here 0.22"
        assert res.best_lr == lrs[np.nanargmin(res.val_loss)] and res.band_at(res.best_lr) == "good"
    for s in SEEDS:
        c = replace(cfg, seed=s)
        res = sweep.sweep_mlp(N.build_model(c), N.build_data(c), opt, lrs, steps=c.steps, seed=s)
        assert res.bands[0] == "too small" and res.bands[-1] == "too large" and "good" in res.bands, s
        assert res.diverged[lrs >= 1].all(), s  # "from 1 on, every run diverges"
        assert res.band_at(res.best_lr) == "good", s


def test_sweep_on_a_surface_ends_its_good_band_at_the_theory_edge():
    from lrlab import surfaces

    cfg = preset_cfg("sweep_surface")
    assert cfg.sweep_on == "quadratic"
    lrs = sweep.log_grid(cfg.sweep_min, cfg.sweep_max, cfg.sweep_num)
    res = sweep.sweep_surface(surfaces.make(cfg.sweep_on), N.build_optimizer(cfg), lrs, steps=cfg.steps)
    assert (
        res.critical.diverge == pytest.approx(0.5)
        and "2/λ = 0.5" in nn_presets.PRESETS["sweep_surface"].description
    )
    good = res.lrs[np.array(res.bands) == "good"]
    assert good.size and good.max() <= 0.5 and res.diverged[res.lrs > 0.5].all()


def test_edge_of_stability():
    cfg = preset_cfg("edge_of_stability")
    assert verdicts(cfg) == ("trained", "trained")
    text = nn_presets.PRESETS["edge_of_stability"].description
    assert "2/lr = 27" in text and "2/lr = 6.7" in text and f"{2 / 0.075:.0f}" == "27"
    for s in SEEDS:
        c = replace(cfg, seed=s)
        res = sharpness.track(
            N.build_model(c),
            N.build_data(c),
            N.build_optimizer(c),
            N.lr_arg(c),
            steps=c.steps,
            every=max(1, c.steps // SHARP_EVERY),
            iters=SHARP_ITERS,
            seed=s,
        )
        (slow, fast), edge = res.sharpness, 2 / np.asarray(c.lrs)
        loss = res.train.train_loss
        assert slow[-1] > 1.15 * slow[0] and slow.max() < edge[0] / 2, s  # rising, far below 27
        assert np.all(np.diff(loss[0]) < 0), s  # ... and its loss falls at every step
        reached = int(np.argmax(fast >= edge[1]))
        assert fast[reached] >= edge[1] and fast.max() > edge[1], s  # climbs to 2/lr and overshoots
        assert np.all((fast[-5:] > 0.75 * edge[1]) & (fast[-5:] < 1.4 * edge[1])), s  # hovers around it
        assert loss[1, -1] < loss[1, res.steps[reached]], s  # the loss keeps falling ...
        assert np.sum(np.diff(loss[1]) > 0) >= 5, s  # ... unevenly


def test_finetuning_forgets_with_the_large_lr():
    cfg = preset_cfg("finetune")
    text = nn_presets.PRESETS["finetune"].description
    assert {float(v) for v in re.findall(r"lr = (\d[\d.]*)", text)} == set(cfg.ft_lrs)
    assert f"within {cfg.ft_steps} steps" in text and "moved by (1, 1)" in text
    for s in SEEDS:
        c = replace(cfg, seed=s)
        res = finetune.run(
            N.build_model(c),
            N.build_data(c),
            SHIFT,
            lrs=c.ft_lrs,
            steps=c.ft_steps,
            optimizer=N.build_optimizer(c),
            seed=s,
            record_every=c.ft_steps,
        )
        old, new = res.original_acc, res.new_acc
        assert old[0, -1] >= 0.8, s  # the small lr keeps most of its old skill ...
        assert new[0, -1] - new[0, 0] <= 0.1, s  # ... and barely adapts
        assert new[1, -1] >= 0.9 and new[1, -1] > new[0, -1] + 0.1, s  # the large lr learns the new task
        assert old[1, -1] < old[0, -1] - 0.05, s  # ... and forgets much more of the original

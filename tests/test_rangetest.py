"""LR range test: suggestions on synthetic curves with known answers, smoothing, and a real run."""

import numpy as np
import pytest

from lrlab import datasets, rangetest, training
from lrlab.mlp import MLP

LOG_LRS = np.linspace(-6.0, 1.0, 141)  # step 0.05 in log10(lr)
LRS = 10.0**LOG_LRS


def _curve(x):
    """Flat near 1, a steep logistic drop centred at lr = 1e-3, then a quadratic blow-up past 10^-0.5."""
    drop = 0.9 / (1.0 + np.exp(-3.0 * (x + 3.0)))
    return 1.0 - drop + 10.0 * np.maximum(x + 0.5, 0.0) ** 2


def test_suggestions_on_a_known_curve():
    s = rangetest.suggest(LRS, _curve(LOG_LRS))
    # the drop's slope -0.9*3/4 per unit log10 is steepest at its centre, lr = 1e-3
    assert s["steepest"] == pytest.approx(1e-3, rel=1e-9)
    # the minimum sits just past 10^-0.5, where the blow-up starts (the drop still falls a little)
    i_min = int(np.argmin(_curve(LOG_LRS)))
    assert LOG_LRS[i_min] == pytest.approx(-0.5, abs=0.051)
    assert s["minimum_10"] == pytest.approx(LRS[i_min] / 10, rel=1e-12)
    # the curve falls strictly from the first point to the minimum: the longest valley is that whole
    # stretch, so the valley is fastai's point b + (e-b)/3 + (e-b)/6 with b = -1, e = i_min
    n = i_min + 1
    assert s["valley"] == pytest.approx(LRS[-1 + int(n / 3) + int(n / 3 / 2)], rel=1e-12)
    assert 1e-4 < s["valley"] < 1e-2


def test_valley_picks_the_longest_decreasing_run_not_the_first_dip():
    # a 3-point dip, a bump, then a 12-point descent, then a rise
    losses = np.r_[3.0, 2.5, 2.0, 4.0, np.linspace(3.9, 0.5, 12), 1.0, 5.0]
    # longest strictly decreasing subsequence: 4.0, 3.9, ..., 0.5 (13 points, ending at index 15)
    # or 3.0, 2.5, 2.0, then the descent below 2.0... which is shorter; b = 15 - 13 = 2
    i = rangetest.valley_index(losses)
    assert i == 2 + int(13 / 3) + int(13 / 3 / 2)
    assert rangetest.valley_index([1.0, 2.0]) == 0  # fastai's index would be -1: clipped


def test_skip_windows_ignore_the_edges():
    losses = np.r_[0.0, np.linspace(1.0, 0.2, 20), 5.0]
    lrs = np.geomspace(1e-4, 1.0, len(losses))
    assert rangetest.suggest(lrs, losses)["minimum_10"] == pytest.approx(1e-5)
    inner = rangetest.suggest(lrs, losses, skip_start=1, skip_end=1)
    assert inner["minimum_10"] == pytest.approx(lrs[-2] / 10)


def test_smoothing_is_a_bias_corrected_ema():
    x = np.array([2.0, 4.0, 1.0])
    s = rangetest.smooth_losses(x, 0.05)
    assert s[0] == pytest.approx(2.0, rel=1e-14)  # bias correction: the first value is the first loss
    expected_1 = (0.95 * 0.05 * 2.0 + 0.05 * 4.0) / (1 - 0.95**2)
    assert s[1] == pytest.approx(expected_1, rel=1e-15)
    np.testing.assert_allclose(rangetest.smooth_losses(np.full(50, 3.0)), 3.0, rtol=1e-14)


def test_exponential_schedule():
    lrs = rangetest.exponential_lrs(1e-6, 10.0, 100)
    assert lrs[0] == pytest.approx(1e-6) and lrs[-1] == pytest.approx(10.0)
    np.testing.assert_allclose(lrs[1:] / lrs[:-1], (1e7) ** (1 / 99), rtol=1e-12)


def test_run_stops_when_the_loss_explodes_and_suggests_lrs_that_train():
    data = datasets.make("sin", n=160, noise=0.1, seed=0)
    model = MLP((1, 16, 16, 1), "tanh", "mse")
    res = rangetest.run(model, data, "sgd", batch_size=32, seed=0)
    assert res.stopped_at is not None
    n = res.stopped_at + 1
    assert res.lrs.shape == res.losses.shape == res.smoothed.shape == (n,)
    assert res.smoothed[-1] > 4 * np.min(res.smoothed[:-1])
    np.testing.assert_allclose(res.lrs, rangetest.exponential_lrs(1e-6, 10.0, 100)[:n])
    # every suggestion sits well below the lr where the loss exploded
    for lr in res.suggestions.values():
        assert 1e-6 <= lr < res.lrs[-1] / 2
    # the recorded loss is the loss at the weights each step produced (here: of the next batch)
    table = np.r_[res.lrs, np.zeros(3)]
    again = training.train(model, data, "sgd", lambda t: table[t], 3, batch_size=32, seed=0)
    assert res.losses[0] == pytest.approx(again.batch_loss[1], rel=1e-12)
    # the steepest-descent lr trains better than one 100x smaller
    lr = res.suggestions["steepest"]
    tr = training.train(model, data, "sgd", [lr, lr / 100], 100, batch_size=32, seed=0)
    assert tr.train_loss[0, -1] < 0.5 * tr.train_loss[1, -1]


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="start_lr"):
        rangetest.exponential_lrs(1.0, 0.1, 100)
    with pytest.raises(ValueError, match="num_steps"):
        rangetest.exponential_lrs(1e-6, 1.0, 2)
    with pytest.raises(ValueError, match="smooth"):
        rangetest.smooth_losses([1.0], 0.0)
    with pytest.raises(ValueError, match="same length"):
        rangetest.suggest([1.0, 2.0], [1.0])


# -- does a suggestion train? ----------------------------------------------------------------------

MOONS = datasets.make("moons", n=256, noise=0.1, seed=0)  # the NN lab's default view
NET = MLP((2, 16, 16, 1))


def test_valley_span_gives_the_descent_and_the_index():
    losses = np.r_[3.0, 2.5, 2.0, 4.0, np.linspace(3.9, 0.5, 12), 1.0, 5.0]
    b, e, i = rangetest.valley_span(losses)
    assert (b, e) == (2, 15) and i == rangetest.valley_index(losses) == 2 + int(13 / 3) + int(13 / 6)


def test_on_the_smooth_full_batch_moons_the_valley_is_too_small_and_says_why():
    res = rangetest.run(NET, MOONS, "sgd", seed=0)
    assert res.skip == (10, 5)
    lrs, window = rangetest.read_window(res.lrs, res.smoothed, *res.skip)
    b, e, _ = rangetest.valley_span(window)
    # the smoothed loss falls at every step of the window up to its lowest point, so the longest
    # descent is the whole window and the valley lands half way along it in log lr
    assert b == -1 and e == int(np.argmin(window)) and np.all(np.diff(window[: e + 1]) < 0)
    assert res.suggestions["valley"] == pytest.approx(0.004, rel=0.02)
    names = list(res.suggestions)
    trained = training.train(NET, MOONS, "sgd", list(res.suggestions.values()), 300, seed=0)
    checks = rangetest.check_trained(res, trained)
    assert list(checks) == names
    valley = checks["valley"]
    kept = trained.train_loss[2, -1] / trained.train_loss[2, 0]
    assert valley.too_small and valley.outcome == "too_slow" and valley.kept == pytest.approx(kept)
    s0, lo = res.smoothed[0], res.smoothed.min()
    assert valley.fall == pytest.approx((s0 - res.marker("valley")[1]) / (s0 - lo), rel=1e-12)
    assert valley.fall < rangetest.FLAT
    s = valley.sentence
    assert s.startswith(f"lr = {valley.lr:.2g} is too small here (300 steps at it keep {100 * kept:.0f}%")
    assert "flat start" in s and f"{100 * valley.fall:.2g}% of its fall" in s and "at every step" in s
    assert f"from lr = {lrs[0]:.2g} to {lrs[e]:.2g}" in s
    for name in ("steepest", "minimum_10"):
        c = checks[name]
        assert not c.too_small and c.outcome == "trained" and c.fall > rangetest.FLAT
        assert (
            c.sentence
            == f"lr = {c.lr:.2g}: 300 steps at it end “trained”, with {100 * c.kept:.2g}% of the loss left."
        )


def test_check_trained_uses_the_lrs_run_and_refuses_a_mismatch():
    res = rangetest.run(NET, MOONS, "sgd", seed=0)
    lrs = [float(f"{v:.2g}") for v in res.suggestions.values()]  # what a click applies (rounded)
    trained = training.train(NET, MOONS, "sgd", lrs, 50, seed=0)
    checks = rangetest.check_trained(res, trained, lrs)
    assert [c.lr for c in checks.values()] == lrs
    assert all("50 steps" in c.sentence for c in checks.values())
    with pytest.raises(ValueError, match="one run and one lr per suggestion"):
        rangetest.check_trained(res, training.train(NET, MOONS, "sgd", lrs[:2], 5, seed=0))


def test_check_sweep_reads_the_band_of_the_cell_holding_each_suggestion():
    from lrlab import sweep

    res = rangetest.run(NET, MOONS, "sgd", seed=0)
    swept = sweep.sweep_mlp(NET, MOONS, "sgd", sweep.log_grid(1e-3, 100.0, 13), steps=300, seed=0)
    checks = rangetest.check_sweep(res, swept)
    for name, lr in res.suggestions.items():
        c = checks[name]
        i = int(np.argmin(np.abs(np.log(swept.lrs / lr))))
        assert c.outcome == swept.bands[i] == swept.band_at(lr)
        assert c.too_small == (c.outcome == "too small")
        assert c.kept == pytest.approx(swept.final_loss[i] / swept.initial_loss)
        where = f"“{c.outcome}” band, where the swept lr {swept.lrs[i]:.3g} keeps {100 * c.kept:.2g}%"
        assert where + " of the loss after 300 steps" in c.sentence
    assert checks["valley"].too_small and checks["steepest"].outcome == "good"
    narrow = sweep.sweep_mlp(NET, MOONS, "sgd", sweep.log_grid(0.1, 10.0, 5), steps=20, seed=0)
    outside = rangetest.check_sweep(res, narrow)["valley"]  # 0.004: the sweep did not try it
    assert (
        outside.too_small is None and outside.outcome is None and "outside the swept lrs" in outside.sentence
    )


def test_with_mini_batches_the_descent_breaks_up_and_the_sentence_says_only_that():
    res = rangetest.run(NET, MOONS, "sgd", batch_size=32, seed=0)
    lrs, window = rangetest.read_window(res.lrs, res.smoothed, *res.skip)
    b, e, _ = rangetest.valley_span(window)
    assert b > 0 and not np.all(np.diff(window[b : e + 1]) < 0)  # noisy: not a fall at every step
    trained = training.train(NET, MOONS, "sgd", list(res.suggestions.values()), 300, batch_size=32, seed=0)
    valley = rangetest.check_trained(res, trained)["valley"]
    assert valley.too_small and valley.fall < rangetest.FLAT
    assert f"along its longest descent from lr = {lrs[b]:.2g} to {lrs[e]:.2g} and" in valley.sentence
    assert "every step" not in valley.sentence and "by a hair" not in valley.sentence

"""The truth audit: what the engine SAYS about a run (regime, threshold side, sentence) against what the
run SHOWS, on every built-in surface x sgd / momentum / rmsprop / adam x a grid of learning rates.

The criteria below are written here, from the raw trajectory (losses, points, gradient norms) and from
the theory's formulas re-derived in this file; they do not call the classifier's helpers. Each one is
a necessary condition for an honest verdict, with a margin, so that a run near a boundary is not
counted against either side:

* ``diverged`` <=> the run was stopped, or its gap above the minimum grew to > 1e6 times its start.
* ``converged`` / ``local_minimum`` => the final gap to the approached minimum is < 1e-6 of the
  starting gap and the gradient < 1e-2 of the largest it was, or the run stays within 1% of its
  starting distance from the minimum over its last quarter; the minimum is (not) the global one.
  Conversely a run that meets this and was not stopped is converged, oscillating or local_minimum.
* ``oscillating`` => the displacement from the minimum flips sign >= 2 times along one of the
  Hessian's eigenvectors there, and the gap closed.
* ``stalled`` => over the second half the gap changed by < 1% of itself; a run whose loss never
  changed is stalled; a run whose gap fell by > 10% over the second half is not.
* ``too_slow`` => not there yet, and the gap still fell over the second half.
* ``unstable`` => not stopped, not blown up, and either still crossing the minimum back and forth in
  its second half (a bounded bouncing run: its gap at two instants says nothing) or not closing in
  (gap at the end >= half of the gap at the middle).
* thresholds (sgd, momentum; theory re-derived here at the approached minimum): a run cannot settle
  at a minimum where lr is past the divergence line; on the four quadratic surfaces (constant Hessian)
  the theory is exact: past the line diverged, below it not, on it unstable, and SGD below 1/lambda
  never oscillates; the engine's ``Critical.side`` agrees with the side computed here.
* sentences: no unexplained "long-run factor"; every "lr = X" is an lr the run used; every "λ = Z",
  "1/λ = Y", "2/λ = Y", "2(1+β)/λ = Y" is the top curvature at the approached minimum (or its
  threshold); every "A = X > B = Y" (or <, ≤, ≥) holds; "keeps P% of the distance" is the theory's
  factor; a stopped run's sentence names its step; "far from any minimum" is not said of a run that
  closed 99.9% of its gap; "each step overshoots by more than the last" needs growing swings.

``contradictions_on_grid()`` counts the runs with at least one failed criterion (the number in the
lead's notes: before and after the classifier was rewritten); the test requires none.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import lrlab
from lrlab import optimizers, surfaces, theory

STEPS = 300
LOG_LRS = np.geomspace(1e-4, 10.0, 9)
MULTIPLES = (0.5, 0.9, 1.0, 1.1, 2.0)
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
QUADRATICS = ("quadratic", "ravine", "booth", "matyas")  # constant Hessian: the linear theory is exact
NUM = r"(-?[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?)"


# -- the theory, re-derived here -------------------------------------------------------------------


def lines(name: str, beta: float, lam: float) -> dict[str, float]:
    """The theory's lines on curvature ``lam``: {rule text: lr}."""
    if name == "sgd":
        return {"1/λ": 1 / lam, "2/λ": 2 / lam}
    return {"(1−√β)²/λ": (1 - math.sqrt(beta)) ** 2 / lam, "2(1+β)/λ": 2 * (1 + beta) / lam}


def factor(name: str, beta: float, lr: float, lam: float) -> float:
    """Per-step factor of the distance along curvature ``lam`` (spectral radius of the linear step)."""
    if name == "sgd":
        return abs(1 - lr * lam)
    return float(np.max(np.abs(np.roots([1.0, -(1 + beta - lr * lam), beta]))))


def reference_lambda(surface) -> float:
    """Top curvature at the global minimum nearest the start: where the grid's threshold lrs are set."""
    glob = [m for m in surface.minima if m.is_global]
    m = min(glob, key=lambda m: math.dist(m.xy, surface.start))
    return float(np.linalg.eigvalsh(surface.hessian(np.array(m.xy)))[-1])


def grid_lrs(surface, name: str) -> np.ndarray:
    lrs = list(LOG_LRS)
    if name in ("sgd", "momentum"):
        for edge in lines(name, 0.9, reference_lambda(surface)).values():
            lrs += [k * edge for k in MULTIPLES]
    return np.array(sorted(lrs))


# -- one run -----------------------------------------------------------------------------------------


def flips(points, centre, axes, floor: float) -> int:
    """Most sign changes of the displacement along one eigenvector, ignoring components below floor."""
    c = (points - centre) @ axes
    most = 0
    for i in range(c.shape[1]):
        v = c[:, i]
        v = v[np.abs(v) > floor]
        most = max(most, int(np.sum(np.sign(v[1:]) != np.sign(v[:-1]))))
    return most


def the_minimum(surface, tr, end):
    """(xy, value, is_global) of the minimum the run approaches: the engine's record if it verifies
    (stationary, positive-definite Hessian, not above the run's end), else the listed one nearest."""
    rec = getattr(tr, "approached", None)
    if rec is not None:
        xy = np.array(rec.xy, float)
        g = np.linalg.norm(surface.grad(xy))
        lam = np.linalg.eigvalsh(surface.hessian(xy))
        scale = 1 + float(np.nanmax(tr.grad_norm))
        if g <= 1e-8 * scale and lam[0] > 0 and float(surface.value(xy)) <= float(surface.value(end)) + 1e-12:
            listed = [m for m in surface.minima if math.dist(m.xy, rec.xy) < 1e-6 * (1 + math.hypot(*m.xy))]
            is_global = listed[0].is_global if listed else float(surface.value(xy)) <= floor_of(surface)
            return xy, float(surface.value(xy)), is_global, True
    m = min(surface.minima, key=lambda m: math.dist(m.xy, end))
    return np.array(m.xy), m.value, m.is_global, False


def floor_of(surface) -> float:
    return min(m.value for m in surface.minima)


def audit_run(surface, name: str, tr, engine_side=None) -> list[str]:
    """Every criterion of the module docstring that this single run fails, as short texts."""
    bad: list[str] = []
    loss, pts, gn = tr.loss, tr.points, tr.grad_norm
    n = int(np.argmin(np.isfinite(loss))) if not np.all(np.isfinite(loss)) else len(loss)
    L, P, G = loss[:n], pts[:n], gn[:n]
    stopped = tr.diverged_at is not None
    regime, text = tr.regime, tr.explanation
    lrs = np.asarray(tr.lr, float)
    lr = float(lrs[0])
    beta = float(tr.hyper.get("momentum", 0.9))
    f_lo = floor_of(surface)
    mxy, mval, mglobal, verified = the_minimum(surface, tr, P[-1])
    if getattr(tr, "approached", None) is not None and not verified:
        bad.append("the cited minimum is not a minimum below the run's end")
    lams, axes = np.linalg.eigh(surface.hessian(mxy))
    res = 1e-12 * (1 + abs(mval) + abs(L[0]))  # rounding of a loss
    gap = L - mval
    gap0 = max(gap[0], 0.0)
    mid = (n - 1) // 2
    d0 = float(np.linalg.norm(P[0] - mxy))
    dist = np.linalg.norm(P - mxy, axis=-1)
    q = max(n // 4, 1)
    hovering = dist[-q:].max() <= 1e-2 * d0  # stays within 1% of where it started: at the minimum
    reached = (gap[-1] <= 1e-6 * gap0 + res and G[-1] <= 1e-2 * G.max() + 1e-300) or hovering
    low = L - f_lo
    blew_up = low[-1] > 1e6 * max(low[0], res)
    swings = flips(P, mxy, axes, 1e-9 * d0 + 1e-300)
    late_swings = flips(P[mid:], mxy, axes, 1e-9 * d0 + 1e-300)

    # -- the regime against the raw trajectory
    if (regime == "diverged") != (stopped or blew_up):
        bad.append(f"{regime} but stopped={stopped} blew_up={blew_up}")
    if regime in ("converged", "local_minimum"):
        if not reached:
            bad.append(f"{regime} but gap {gap[-1]:.3g} of {gap0:.3g}, |g| {G[-1]:.3g} of {G.max():.3g}")
        if (regime == "converged") != bool(mglobal):
            bad.append(f"{regime} at a minimum with is_global={mglobal}")
    if reached and not stopped and regime not in ("converged", "oscillating", "local_minimum"):
        bad.append(f"{regime} but reached the minimum (gap {gap[-1]:.3g} of {gap0:.3g})")
    if regime == "oscillating" and (stopped or swings < 2 or not gap[-1] < gap0):
        bad.append(f"oscillating but {swings} sign flips, gap {gap0:.3g} -> {gap[-1]:.3g}")
    late = abs(gap[-1] - gap[mid])
    if regime == "stalled" and (reached or late > 1e-2 * max(gap[mid], res)):
        bad.append(f"stalled but the gap went {gap[mid]:.4g} -> {gap[-1]:.4g} over the second half")
    if not reached and not stopped and np.ptp(L) <= res and regime != "stalled":
        bad.append(f"{regime} but the loss never changed")
    if not reached and not stopped and gap[-1] < 0.9 * gap[mid] and regime == "stalled":
        bad.append(f"{regime} but the gap fell {gap[mid]:.4g} -> {gap[-1]:.4g} over the second half")
    if regime == "unstable" and late_swings < 2 and gap[-1] < 0.5 * gap[mid]:
        bad.append(f"unstable, not bouncing, but gap {gap[mid]:.4g} -> {gap[-1]:.4g} in the second half")
    if regime == "too_slow" and (reached or stopped or not gap[-1] < gap[mid]):
        bad.append(f"too_slow but gap {gap[mid]:.4g} -> {gap[-1]:.4g} in the second half")
    if regime == "unstable" and (stopped or blew_up):
        bad.append("unstable but it was stopped or blew up")

    # -- thresholds (constant lr, sgd and momentum), at the approached minimum
    if name in ("sgd", "momentum") and lams[-1] > 0:
        ln = lines(name, beta, float(lams[-1]))
        over, div = ln.values()
        side = (
            "edge"
            if abs(lr - div) <= 1e-9 * div
            else "diverge"
            if lr > div
            else "overshoot"
            if lr > over
            else "monotone"
        )
        if regime in ("converged", "oscillating", "local_minimum") and side == "diverge" and d0 > 0:
            bad.append(f"{regime} at a minimum where lr {lr:.4g} is past the divergence line {div:.4g}")
        if surface.name in QUADRATICS:
            if side == "diverge" and lr > div * (1 + 1e-6) and regime != "diverged":
                bad.append(f"{regime} though lr {lr:.4g} > {div:.4g} on a quadratic")
            if lr < div * (1 - 1e-6) and regime == "diverged":
                bad.append(f"diverged though lr {lr:.4g} < {div:.4g} on a quadratic")
            if side == "edge" and regime != "unstable":
                bad.append(f"{regime} on the divergence line of a quadratic (lr {lr:.4g} = {div:.4g})")
            if name == "sgd" and side == "monotone" and regime == "oscillating":
                bad.append(f"oscillating though lr {lr:.4g} <= 1/λ = {over:.4g}")
        if engine_side is not None and engine_side != side:
            bad.append(f"engine side {engine_side!r}, theory at the approached minimum {side!r}")

    # -- the sentence
    bad += audit_sentence(text, name, beta, lrs, lams, stopped, tr.diverged_at, gap, gap0, swings, L)
    return bad


def close(a: float, b: float, rel: float = 6e-3) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-300


def audit_sentence(text, name, beta, lrs, lams, stopped, stop_step, gap, gap0, swings, L) -> list[str]:
    bad = []
    if "long-run factor" in text:
        bad.append("unexplained 'long-run factor'")
    if "far from any minimum" in text and gap[-1] <= 1e-3 * gap0:
        bad.append("'far from any minimum' after closing 99.9% of the gap")
    if "overshoots by more than the last" in text and not (swings >= 3 and L[-1] > 10 * L[0]):
        bad.append("'each step overshoots by more than the last' without growing swings")
    if stopped and f"step {stop_step}" not in text:
        bad.append(f"stopped at step {stop_step} but the sentence does not say so")
    used = np.unique(lrs)
    for v in re.findall(r"\blr = " + NUM, text):
        if not any(close(float(v), u) for u in used):
            bad.append(f"'lr = {v}' is not an lr the run used")
    lam = float(lams[-1])
    if lam > 0:
        known = {"λ": lam, **lines("sgd", beta, lam), **lines("momentum", beta, lam)}
        for rule, v in re.findall(r"(\(1−√β\)²/λ|2\(1\+β\)/λ|1/λ|2/λ|λ) = " + NUM, text):
            if not close(float(v), known[rule]):
                bad.append(f"'{rule} = {v}' but the approached minimum gives {known[rule]:.4g}")
    for a, x, op, b, y in re.findall(
        r"(\S+) = " + NUM + r" (<|>|≤|≥) (\S+) = " + NUM, text.replace(",", " ").replace(":", " ")
    ):
        x, y = float(x), float(y)
        holds = {"<": x < y, ">": x > y, "≤": x <= y * (1 + 1e-3), "≥": x >= y * (1 - 1e-3)}[op]
        if not holds:
            bad.append(f"'{a} = {x:g} {op} {b} = {y:g}' is false")
    if name in ("sgd", "momentum") and lam > 0 and len(used) == 1:
        for pct, which in re.findall(
            r"keeps " + NUM + r"% of the distance along the (steepest|flattest)", text
        ):
            want = 100 * factor(name, beta, float(used[0]), lam if which == "steepest" else float(lams[0]))
            if abs(float(pct) - want) > max(0.06 * want, 0.6) and not close(float(pct), want):
                bad.append(f"'keeps {pct}% ... {which}' but the theory gives {want:.3g}%")
    return bad


def engine_side(surface, opt, tr):
    """The threshold side the engine reports for this run: ``theory.critical_lrs`` at the minimum
    the run approaches (``theory.reference_point`` of its points)."""
    crit = theory.critical_lrs(surface, opt, at=theory.reference_point(surface, tr.points))
    return None if crit is None or crit.diverge is None else crit.side(float(tr.lr[0]))


def audit_grid(surface_name: str, name: str) -> list[tuple[float, list[str]]]:
    surface = surfaces.make(surface_name)
    opt = optimizers.make(name)
    lrs = grid_lrs(surface, name)
    batch = lrlab.descend(surface, opt, lrs, steps=STEPS, internals=False)
    out = []
    for k, lr in enumerate(lrs):
        tr = batch.run(k)
        side = engine_side(surface, opt, tr) if name in ("sgd", "momentum") else None
        out.append((float(lr), audit_run(surface, name, tr, side)))
    return out


def contradictions_on_grid(verbose: bool = False) -> tuple[int, int]:
    """(runs contradicted, runs audited) over the whole grid."""
    bad = total = 0
    for s in surfaces.names():
        for name in OPTIMIZERS:
            for lr, problems in audit_grid(s, name):
                total += 1
                if problems:
                    bad += 1
                    if verbose:
                        print(f"{s:15s} {name:8s} lr={lr:<10.4g} " + " | ".join(problems))
    return bad, total


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("surface_name", surfaces.names())
def test_every_verdict_on_the_grid_agrees_with_the_run(surface_name, name):
    wrong = [(lr, p) for lr, p in audit_grid(surface_name, name) if p]
    assert not wrong, "\n".join(f"lr={lr:.4g}: " + " | ".join(p) for lr, p in wrong)


if __name__ == "__main__":
    bad, total = contradictions_on_grid(verbose=True)
    print(f"{bad} of {total} runs contradicted")


# -- the contradictions seen before the classifier was rewritten, each kept as a regression test ------


def test_bouncing_forever_on_the_divergence_line_is_unstable():
    surf = surfaces.from_expression("x**2 + 10*y**2")  # λ = 20: lr 0.1 is exactly 2/λ
    tr = lrlab.descend(surf, "sgd", 0.1, steps=100)
    assert tr.regime == "unstable" and "2/λ = 0.1" in tr.explanation
    assert theory.critical_lrs(surf, "sgd", at=tr.approached.xy).side(0.1) == "edge"


def test_a_typed_formula_that_converges_says_so():
    surf = surfaces.from_expression("sin(x)*cos(y)+0.1*(x**2+y**2)")
    tr = lrlab.descend(surf, "sgd", 0.1, steps=300)
    assert tr.grad_norm[-1] < 1e-4 and tr.regime in ("converged", "oscillating")
    assert "far from any minimum" not in tr.explanation
    # the theory is read at the minimum the run reached, where its gradient vanishes
    assert np.linalg.norm(surf.grad(np.array(tr.approached.xy))) < 1e-9


def test_no_progress_is_stalled_not_too_slow():
    flat = lrlab.descend(surfaces.make("plateau"), "rmsprop", 0.5, steps=200)
    assert flat.regime == "stalled"
    still = lrlab.descend(surfaces.make("quadratic"), "sgd", 0.0, steps=50)
    assert still.regime == "stalled" and "lr = 0" in still.explanation


def test_leaving_at_a_steady_pace_is_not_called_growing_overshoot():
    tr = lrlab.descend(surfaces.make("plateau"), "rmsprop", 0.5, steps=200)
    assert "overshoots by more than the last" not in tr.explanation


def test_no_unexplained_factor_in_any_sentence():
    for name in ("sgd", "momentum", "adam"):
        tr = lrlab.descend(surfaces.make("rosenbrock"), name, [1e-4, 1e-3, 1e-2], steps=300)
        assert not any("long-run factor" in e for e in tr.explanation)


def test_thresholds_of_a_typed_formula_come_from_the_minimum_not_the_start():
    surf = surfaces.from_expression("sin(x)*cos(y)+0.1*(x**2+y**2)")
    tr = lrlab.descend(surf, "sgd", 0.3, steps=300)
    at_start = theory.critical_lrs(surf, "sgd", at=tr.points[0])
    at_min = theory.critical_lrs(surf, "sgd", at=theory.reference_point(surf, tr.points))
    lam_min = float(np.linalg.eigvalsh(surf.hessian(np.array(tr.approached.xy)))[-1])
    assert at_min.lam == pytest.approx(lam_min) and at_min.lam != pytest.approx(at_start.lam)
    # the loss chart's f* is that minimum's value, never above a loss the run recorded
    from lrlab.figures import surface as F

    run = F.Run("lr = 0.3", tr)
    assert F.floor_value(surf, runs=[run]) <= np.nanmin(tr.loss) + 1e-12


def test_a_start_where_the_formula_is_undefined_is_refused():
    surf = surfaces.from_expression("log(x)+y**2", bounds=((-3, 3), (-3, 3)))
    with pytest.raises(ValueError, match=r"not defined at the start \(-2\.1, 2\.1\)"):
        lrlab.descend(surf, "sgd", 0.1, steps=10)


def test_a_run_still_moving_in_a_local_minimums_dip_says_the_minimum_is_local():
    # four optimizers from the six-hump camel's default start all end in the dip at loss -0.2155; two
    # settled ("stuck in a local minimum"), the others still oscillate or crawl: their sentences name
    # the dip as local too, so no word on screen suggests they found the lowest minimum
    surf = surfaces.make("six_hump_camel")
    words = {}
    for name in ("sgd", "momentum", "adam", "rmsprop"):
        tr = lrlab.descend(surf, name, [0.01], steps=100)
        regime, sentence = tr.regime[0], tr.explanation[0]
        assert tr.approached[0].is_global is False
        words[name] = regime
        if regime == "local_minimum":
            assert "not the lowest" in sentence and "local one" not in sentence
        elif regime != "diverged":
            assert sentence.endswith(
                "The minimum it approaches is a local one, at loss -0.215; the lowest one is at loss -1.03."
            ), sentence
    assert {"local_minimum"} < set(words.values())  # some settled, some still moving
    # a run approaching the global minimum says nothing of the kind
    tr = lrlab.descend(surfaces.make("quadratic"), "sgd", [0.3], steps=100)
    assert "local one" not in tr.explanation[0]

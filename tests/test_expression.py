"""User formulas: hostile input refused fast and precisely, exact derivatives against finite
differences and direct NumPy, round trips through the printer, the Surface built from a formula."""

import ast
import math
import time
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lrlab import expression as ex
from lrlab import surfaces

# -- hostile input ---------------------------------------------------------------------------------
# (text, a substring the message must contain: the offending fragment, character or column)
HOSTILE = [
    ("__import__('os').system('ls')", "column 12"),
    ("__import__", "'__import__' at column 1"),
    ("().__class__", "'().__class__'"),
    ("x.__class__.__bases__", "attribute access"),
    ("x.real", "'x.real' at column 1"),
    ("lambda: 1", "':'"),
    ("lambda x 1", "column 10"),
    ("[x for x in y]", "'['"),
    ("sin(x for x in y)", "'(x for x in y)' at column 4"),
    ("open('f')", '"\'"'),
    ("open(f)", "'open' at column 1"),
    ("eval(x)", "'eval'"),
    ("sin(x, y)", "'sin(x, y)' at column 1"),
    ("sin()", "'sin()'"),
    ("sin(x=1)", "'='"),
    ("sin(*x)", "'*x' at column 5"),
    ("sin(x)(y)", "'sin(x)' at column 1"),
    ("x(1)", "'x' at column 1"),
    ("'a'", "column 1"),
    ("b'a'", "column 2"),
    ("f'{x}'", "column 2"),
    ("9**9**9", "'9**9' at column 4"),
    ("x**10**10", "'10**10' at column 4"),
    ("x**(y)", "'y' at column 5"),
    ("2**x", "'x' at column 4"),
    ("2**1000", "'1000' at column 4"),
    ("x**11", "'11'"),
    ("x**-10.5", "'-10.5'"),
    ("1e308*10", "'1e308' at column 1"),
    ("10**7", "'10**7'"),
    ("1e6*1e6 + x", "'1e6*1e6'"),
    ("9" * 200, "column 1"),
    ("1e999", "'1e999'"),
    ("exp(1000) + x", "'exp(1000)' at column 1"),
    ("x + 1/0", "'1/0' at column 5"),
    ("log(0)*x", "'log(0)'"),
    ("sqrt(-1)", "'sqrt(-1)'"),
    ("(-8)**(1/3)", "'(-8)**(1/3)'"),
    ("0**-1", "'0**-1'"),
    ("(" * 1000 + "x" + ")" * 1000, "2001 characters"),
    ("(" * 31 + "x" + ")" * 31, "column 31"),
    ("-" * 10000 + "x", "10001 characters"),
    ("x" * 5000, "5000 characters"),
    ("x+" * 60 + "x", "121 terms"),
    ("-" * 150 + "x", "151 terms"),
    ("x if y else 1", "'x if y else 1' at column 1"),
    ("x<y", "'<'"),
    ("x and y", "'x and y'"),
    ("not x", "'not x'"),
    ("x//y", "'x//y'"),
    ("x%y", "'%'"),
    ("x^2", "x**2"),
    ("x@y", "'@'"),
    ("(x:=1)", "':'"),
    ("x[0]", "'['"),
    ("*x", "column 1"),
    ("x, y", "'x, y'"),
    ("await x", "'await x'"),
    ("\u0445\u0445", "U+0445"),  # Cyrillic look-alikes of xx
    ("\uff58", "U+FF58"),  # fullwidth x: Python itself would read it as x (NFKC)
    ("\uff11 + x", "U+FF11"),  # fullwidth digit 1
    ("x\0", "U+0000"),
    ("x\n+ y", "U+000A"),
    ("x\t+ y", "U+0009"),
    ("", "empty"),
    ("   ", "empty"),
    ("exp", "'exp' at column 1"),
    ("sin", "'sin'"),
    ("z", "'z' at column 1"),
    ("X", "'X'"),
    ("1j", "'1j'"),
    ("True", "'True'"),
    ("None", "'None'"),
    ("...", "'...'"),
    ("x y", "column 3"),
    ("2x", "column 1"),
    ("(x", "column 1"),
    ("x)", "column 2"),
    ("x +", "column"),
]


def _refusal(text):
    with pytest.raises(ValueError) as info:
        ex.parse(text)
    return str(info.value)


@pytest.mark.parametrize(("text", "fragment"), HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_formula_is_refused_quickly_naming_the_fragment(text, fragment):
    assert fragment in _refusal(text)
    # A ceiling per refusal from the issue (100 ms), not a benchmark: the best of three runs, so a
    # scheduler hiccup cannot fail it; refusals take well under a millisecond.
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        with pytest.raises(ValueError):
            ex.parse(text)
        best = min(best, time.perf_counter() - t0)
    assert best < 0.1


@pytest.mark.parametrize(
    "text", ["x" * 201, "(" * 31 + "x" + ")" * 31, "x\0", "\u0445", "((x)", "x))", "", 12, None]
)
def test_cheap_limits_refuse_before_ast_parse(text, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("ast.parse was reached")

    monkeypatch.setattr(ast, "parse", boom)
    with pytest.raises(ValueError):
        ex.parse(text)


def test_limits_are_inclusive():
    assert ex.parse("(" * 30 + "x" + ")" * 30) == ex.Var("x")
    assert ex.evaluate(ex.parse("-x" + "+x" * 49), 1.0, 0.0) == 48  # 100 nodes
    assert "101 terms" in _refusal("--x" + "+x" * 49)
    assert ex.parse("x**10").right == ex.Num(10.0)
    assert ex.parse("x**-10").right == ex.Neg(ex.Num(10.0))
    assert ex.parse("10**6*x").left == ex.Pow(ex.Num(10.0), ex.Num(6.0))
    assert ex.parse("1e6 + x").left == ex.Num(1e6)
    assert len(ex.parse(" " * 195 + "x + y").children) == 2  # 200 characters


# -- valid formulas: values, gradients, Hessians -------------------------------------------------
# (text, the same function written in NumPy, a sampler of points where it is smooth)
def _box(lo, hi):
    return lambda rng, n: rng.uniform(lo, hi, (2, n))


def _away_from_axes(rng, n):
    p = rng.uniform(0.2, 2.5, (2, n))
    return p * rng.choice([-1.0, 1.0], (2, n))


VALID = [
    ("x**2 + 10*sin(y)", lambda x, y: x**2 + 10 * np.sin(y), _box(-3, 3)),
    ("(1-x)**2 + 100*(y-x**2)**2", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2, _box(-2, 2)),
    (
        "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
        lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
        _box(-5, 5),
    ),
    (
        "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)",
        lambda x, y: 20 + x**2 - 10 * np.cos(2 * np.pi * x) + y**2 - 10 * np.cos(2 * np.pi * y),
        _box(-3, 3),
    ),
    ("exp(-(x**2 + y**2)/2)", lambda x, y: np.exp(-(x**2 + y**2) / 2), _box(-3, 3)),
    ("log(1 + x**2 + y**2)", lambda x, y: np.log(1 + x**2 + y**2), _box(-3, 3)),
    ("sqrt(1 + x**2 + 2*y**2)", lambda x, y: np.sqrt(1 + x**2 + 2 * y**2), _box(-3, 3)),
    ("tanh(x*y) + 0.1*x**2", lambda x, y: np.tanh(x * y) + 0.1 * x**2, _box(-2, 2)),
    ("abs(x) + 2*abs(y)", lambda x, y: np.abs(x) + 2 * np.abs(y), _away_from_axes),
    ("x**4 - 2*x**2 + y**2/2", lambda x, y: x**4 - 2 * x**2 + y**2 / 2, _box(-2, 2)),
    ("sinh(x/3)*cosh(y/3)", lambda x, y: np.sinh(x / 3) * np.cosh(y / 3), _box(-3, 3)),
    ("atan(x)*arctan(y)", lambda x, y: np.arctan(x) * np.arctan(y), _box(-3, 3)),
    ("log1p(x**2) + sigmoid(y)", lambda x, y: np.log1p(x**2) + 1 / (1 + np.exp(-y)), _box(-3, 3)),
    ("x/(1 + y**2) - y/(2 + x**2)", lambda x, y: x / (1 + y**2) - y / (2 + x**2), _box(-3, 3)),
    ("(x**2 + y**2)**0.75", lambda x, y: (x**2 + y**2) ** 0.75, _away_from_axes),
    ("tan(x/4) + e*y**2", lambda x, y: np.tan(x / 4) + np.e * y**2, _box(-3, 3)),
    ("-(x**-2 + 1)**-1 + y**3/3", lambda x, y: -((x**-2 + 1) ** -1) + y**3 / 3, _away_from_axes),
    ("x*y*exp(-x**2 - y**2)", lambda x, y: x * y * np.exp(-(x**2) - y**2), _box(-2, 2)),
    ("0.5*x**2 + 5*y**2 - x*y", lambda x, y: 0.5 * x**2 + 5 * y**2 - x * y, _box(-3, 3)),
    ("sqrt(abs(x - y)) + cos(x)*sin(y)", lambda x, y: np.sqrt(np.abs(x - y)) + np.cos(x) * np.sin(y), None),
    ("+x - -y + sign(x)", lambda x, y: x + y + np.sign(x), _away_from_axes),
]


def _points(sampler, seed):
    rng = np.random.default_rng(seed)
    if sampler is None:  # sqrt(|x - y|): keep x - y away from 0
        x = rng.uniform(-3, 3, 40)
        return x, x + rng.choice([-1.0, 1.0], 40) * rng.uniform(0.3, 2.0, 40)
    return sampler(rng, 40)


@pytest.mark.parametrize(("text", "fn", "sampler"), VALID, ids=[v[0] for v in VALID])
def test_value_gradient_hessian_match_numpy_and_finite_differences(text, fn, sampler):
    f = ex.parse(text)
    (fx, fy), (fxx, fxy, fyy) = ex.gradient(f), ex.hessian(f)
    x, y = _points(sampler, seed=len(text))
    np.testing.assert_allclose(ex.evaluate(f, x, y), fn(x, y), rtol=1e-12, atol=1e-12)

    h = 1e-5
    gx, gy = ex.evaluate(fx, x, y), ex.evaluate(fy, x, y)
    scale = 1 + np.abs(fn(x, y)).max()
    fd_x = (fn(x + h, y) - fn(x - h, y)) / (2 * h)
    fd_y = (fn(x, y + h) - fn(x, y - h)) / (2 * h)
    np.testing.assert_allclose(gx, fd_x, rtol=1e-6, atol=1e-6 * scale)
    np.testing.assert_allclose(gy, fd_y, rtol=1e-6, atol=1e-6 * scale)

    # Hessian: central differences of the (already checked) exact gradient
    gscale = 1 + np.abs(gx).max() + np.abs(gy).max()
    hxx = (ex.evaluate(fx, x + h, y) - ex.evaluate(fx, x - h, y)) / (2 * h)
    hxy = (ex.evaluate(fx, x, y + h) - ex.evaluate(fx, x, y - h)) / (2 * h)
    hyx = (ex.evaluate(fy, x + h, y) - ex.evaluate(fy, x - h, y)) / (2 * h)
    hyy = (ex.evaluate(fy, x, y + h) - ex.evaluate(fy, x, y - h)) / (2 * h)
    np.testing.assert_allclose(ex.evaluate(fxx, x, y), hxx, rtol=1e-6, atol=1e-6 * gscale)
    np.testing.assert_allclose(ex.evaluate(fxy, x, y), hxy, rtol=1e-6, atol=1e-6 * gscale)
    np.testing.assert_allclose(ex.evaluate(fxy, x, y), hyx, rtol=1e-6, atol=1e-6 * gscale)
    np.testing.assert_allclose(ex.evaluate(fyy, x, y), hyy, rtol=1e-6, atol=1e-6 * gscale)


def test_derivatives_are_simplified():
    rosen = ex.parse("(1-x)**2 + 100*(y-x**2)**2")
    assert ex.to_text(ex.hessian(rosen)[1]) == "-400*x"
    assert ex.to_text(ex.diff(rosen, "y")) == "200*(y - x**2)"
    f = ex.parse("x**2 + 10*sin(y)")
    assert [ex.to_text(d) for d in ex.gradient(f)] == ["2*x", "10*cos(y)"]
    assert [ex.to_text(d) for d in ex.hessian(f)] == ["2", "0", "-10*sin(y)"]
    assert ex.to_text(ex.diff(ex.parse("abs(x)"), "x")) == "sign(x)"
    assert ex.to_text(ex.diff(ex.parse("sqrt(x)"), "x")) == "1/(2*sqrt(x))"
    assert ex.to_text(ex.diff(ex.parse("x**(1/2)"), "y")) == "0"


def test_long_product_hessian_matches_closed_form_without_recursion():
    f = ex.parse("*".join(["x"] * 50))  # 99 nodes, a deep left-nested tree
    fxx = ex.hessian(f)[0]
    assert ex.evaluate(fxx, 1.1, 0.0) == pytest.approx(50 * 49 * 1.1**48, rel=1e-12)
    assert ex.evaluate(f, np.ones((3, 4)), 0.0).shape == (3, 4)


def test_evaluation_outside_the_domain_is_silent_nan_or_inf():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(ex.evaluate(ex.parse("log(x)"), -1.0, 0.0))
        assert np.isnan(ex.evaluate(ex.parse("sqrt(y)"), 0.0, -1.0))
        assert np.isposinf(ex.evaluate(ex.parse("1/x"), 0.0, 0.0))
        assert np.isposinf(ex.evaluate(ex.parse("exp(x)"), 1000.0, 0.0))
        assert ex.evaluate(ex.parse("sigmoid(x)"), -1000.0, 0.0) == 0.0
        assert np.isposinf(ex.evaluate(ex.diff(ex.parse("sqrt(x)"), "x"), 0.0, 0.0))
        assert np.isposinf(ex.evaluate(ex.parse("x**-2"), 0.0, 1.0))


def test_evaluate_broadcasts_and_returns_full_arrays():
    out = ex.evaluate(ex.parse("3"), np.zeros((2, 1)), np.zeros((1, 5)))
    assert out.shape == (2, 5) and np.all(out == 3.0)
    with pytest.raises(ValueError, match="Expr"):
        ex.evaluate("x + y", 0.0, 0.0)
    with pytest.raises(ValueError, match="'z'"):
        ex.diff(ex.parse("x"), "z")


def test_printer_keeps_structure_and_normalize_is_canonical():
    cases = {
        "(1-x)**2+100*(y-x**2)**2": "(1 - x)**2 + 100*(y - x**2)**2",
        "-x**2": "-x**2",
        "(-x)**2": "(-x)**2",
        "x**-2": "x**-2",
        "x**2**0.5": "x**2**0.5",
        "(x**2)**3": "(x**2)**3",
        "x - (y - 1)": "x - (y - 1)",
        "(x - y) - 1": "x - y - 1",
        "x / (y * 2)": "x/(y*2)",
        "x*(y+1)": "x*(y + 1)",
        "-(x*y)": "-(x*y)",
        "2*pi + e*x": "2*pi + e*x",
        "arctan(+x)": "atan(x)",
        "1.50 + 1e-05*x + 1_000*y": "1.5 + 1e-05*x + 1000*y",
    }
    for text, expected in cases.items():
        assert ex.normalize(text) == expected
        assert ex.normalize(expected) == expected
        assert ex.parse(expected) == ex.parse(text)


def test_normalize_always_parses_back_even_when_spacing_would_exceed_the_limit():
    long = "+".join(["1234.5*x"] * 22)  # 197 characters, 87 nodes, no spaces
    assert len(long) == 197 and len(ex.to_text(ex.parse(long))) == 197 + 2 * 21
    assert ex.normalize(long) == long  # the compact form, no longer than the text typed
    assert ex.normalize(ex.normalize(long)) == ex.normalize(long)
    numbers = "1e6*x + .5*y - 0.001 + 1e-05 + 1_0"
    assert ex.to_text(ex.parse(numbers), compact=True) == "1e6*x+.5*y-.001+1e-5+10"
    assert ex.to_text(ex.parse(numbers)) == "1000000*x + 0.5*y - 0.001 + 1e-05 + 10"


# -- random formulas -----------------------------------------------------------------------------
NUMBERS = st.one_of(
    st.integers(0, 20).map(str),
    st.floats(0, 50, allow_nan=False).map(lambda v: f"{v:.3g}"),
    st.sampled_from(["pi", "e", "0.5", "1e-3", "1e6", "1e7"]),
)
LEAVES = st.one_of(st.sampled_from(["x", "y"]), NUMBERS)
FUNCS = sorted(ex.FUNCTIONS) + ["arctan"]


def _grow(children):
    pair = st.tuples(children, children)
    return st.one_of(
        st.builds(lambda p, op: f"{p[0]} {op} {p[1]}", pair, st.sampled_from(["+", "-", "*", "/"])),
        st.builds(lambda p, op: f"({p[0]}){op}({p[1]})", pair, st.sampled_from(["+", "-", "*", "/"])),
        children.map(lambda a: f"-{a}"),
        children.map(lambda a: f"({a})"),
        st.builds(lambda fn, a: f"{fn}({a})", st.sampled_from(FUNCS), children),
        st.builds(
            lambda a, k: f"({a})**{k}",
            children,
            st.sampled_from(["2", "3", "-1", "0.5", "(1/3)", "-2.5", "10", "11", "y", "2**3", "(-1)"]),
        ),
    )


FORMULAS = st.recursive(LEAVES, _grow, max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORMULAS)
@example("(((pi)*(y) * (pi)*(pi)))")  # found by this test: pi*(pi*u) looped in the constant folding
def test_random_formulas_parse_or_refuse_and_evaluate_without_warnings(text):
    try:
        f = ex.parse(text)
    except ValueError:
        return
    x, y = np.random.default_rng(len(text)).uniform(-3, 3, (2, 16))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trees = (f, *ex.gradient(f), *ex.hessian(f))
        values = [ex.evaluate(t, x, y) for t in trees]
        again = ex.parse(ex.to_text(f))
        np.testing.assert_array_equal(ex.evaluate(again, x, y), values[0])  # NaN == NaN here
    assert all(v.shape == (16,) and v.dtype == np.float64 for v in values)
    assert again == f and ex.parse(ex.to_text(f, compact=True)) == f
    canonical = ex.normalize(text)
    assert ex.parse(canonical) == f and ex.normalize(canonical) == canonical
    assert len(ex.to_text(f, compact=True)) <= len(text.replace(" ", ""))


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(max_size=300), st.text(alphabet="xy()+-*/.,0123456789 episncoqrtlagbh_jE", max_size=80))
)
def test_random_text_only_ever_raises_value_error(text):
    try:
        f = ex.parse(text)
    except ValueError:
        return
    assert isinstance(f, ex.Expr)


# -- surfaces ------------------------------------------------------------------------------------
def test_surface_from_expression_matches_the_builtin_quadratic():
    custom = surfaces.from_expression("(4*x**2 + y**2)/2", bounds=((-2, 2), (-2, 2)))
    quad = surfaces.make("quadratic", a=4.0, b=1.0)
    xy = np.random.default_rng(1).uniform(-2, 2, (7, 5, 2))
    np.testing.assert_allclose(custom.value(xy), quad.value(xy), rtol=1e-14)
    np.testing.assert_allclose(custom.grad(xy), quad.grad(xy), rtol=1e-14)
    np.testing.assert_allclose(custom.hessian(xy), quad.hessian(xy), rtol=1e-14)
    assert custom.name == "custom" and custom.formula == "(4*x**2 + y**2)/2"
    assert "user formula" in custom.description
    assert custom.minima == () and custom.global_min is None
    assert custom.start == (-1.4, 1.4) and custom.bounds == ((-2.0, 2.0), (-2.0, 2.0))
    # the page shows the description as Markdown: it holds no formula (whose ** would turn bold)
    assert "*" not in custom.description
    # a start the page shows in its boxes as typed: -2.1, not -2.0999999999999996
    assert surfaces.from_expression("x**2 + 3*y**2", bounds=((-3, 3), (-3, 3))).start == (-2.1, 2.1)


def test_surface_from_expression_start_bounds_and_errors():
    surf = surfaces.from_expression("x**2 + 10*sin(y)")
    assert surf.start == pytest.approx((-2.1, 2.1)) and surf.formula == "x**2 + 10*sin(y)"
    assert surfaces.from_expression("x*y", start=(0.5, -1)).start == (0.5, -1.0)
    assert surfaces.from_expression(" x *y ").formula == ex.normalize("x*y")
    np.testing.assert_allclose(surf.grad([1.0, 0.0]), [2.0, 10.0])
    for bad in [dict(bounds=((1, 0), (0, 1))), dict(bounds=((0, np.inf), (0, 1))), dict(bounds=3)]:
        with pytest.raises(ValueError, match="bounds"):
            surfaces.from_expression("x", **bad)
    for bad in [(5.0, 0.0), (0.0,), "ab"]:
        with pytest.raises(ValueError, match="start"):
            surfaces.from_expression("x", start=bad)
    with pytest.raises(ValueError, match="'z'"):
        surfaces.from_expression("z")


def test_text_python_only_warns_about_is_refused_without_a_warning():
    # "1or x" is a SyntaxWarning to Python (and then valid syntax): refused as unreadable, nothing leaks
    for text in ("1or x", "1if x else 2", "2and y"):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            with pytest.raises(ValueError, match="cannot read the formula at column 1"):
                ex.parse(text)
        assert seen == [], (text, [str(w.message) for w in seen])

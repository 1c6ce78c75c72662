"""User formulas f(x, y): a safe parser, exact symbolic derivatives and a vectorized evaluator.

A formula is read with :func:`ast.parse` (only to get a syntax tree; nothing is ever evaluated by
Python) and rebuilt, node by node, from an allowlist into a small immutable tree of :class:`Expr`.

Accepted:

* numbers ``3``, ``2.5``, ``1e-3`` (at most ``MAX_CONSTANT`` in magnitude), the names ``x`` and ``y``,
  the constants ``pi`` and ``e``;
* ``a + b``, ``a - b``, ``a * b``, ``a / b``, ``-a``, ``+a``, parentheses;
* ``a ** c`` where the exponent ``c`` is a constant (no x or y) with ``|c| <= MAX_EXPONENT``;
  write ``x**y`` as ``exp(y*log(x))`` and ``2**x`` as ``exp(x*log(2))``;
* one-argument calls of ``FUNCTIONS``: sin cos tan exp log sqrt tanh abs sinh cosh atan
  (alias arctan) log1p sigmoid sign.

Everything else is refused with a ``ValueError`` that quotes the offending fragment and its column
(1-based). Limits, checked cheapest first so a refusal never does expensive work: at most
``MAX_CHARS`` characters, only ASCII letters, digits, spaces and ``+-*/().,_``, parentheses nested at
most ``MAX_DEPTH`` deep (scanned before :func:`ast.parse` sees the text), at most ``MAX_NODES`` nodes,
and every constant subexpression finite and at most ``MAX_CONSTANT`` in magnitude. Constant
subexpressions are computed only from bounded pieces (|c| <= 1e6, |exponent| <= 10, so at most
1e60 before the check), never huge numbers.

Derivatives follow the usual rules, with light simplification (``0*a -> 0``, ``1*a -> a``,
``a + 0 -> a``, constants folded) so the trees stay small:

* (u v)' = u' v + u v',  (u / v)' = u'/v - u v' / v**2,  (u**c)' = c u**(c-1) u'
* sin' = cos, cos' = -sin, tan'(u) = cos(u)**-2, exp' = exp, log'(u) = 1/u,
  sqrt'(u) = 1 / (2 sqrt(u)), tanh'(u) = 1 - tanh(u)**2, abs'(u) = sign(u), sign' = 0,
  sinh' = cosh, cosh' = sinh, atan'(u) = 1/(1 + u**2), log1p'(u) = 1/(1 + u),
  sigmoid'(u) = sigmoid(u) (1 - sigmoid(u)).

Derivative trees share subtrees (they are DAGs); every walk here is iterative and visits each shared
node once, so no Python recursion limit is involved.

>>> from lrlab import expression as ex
>>> f = ex.parse("(1-x)**2 + 100*(y-x**2)**2")
>>> ex.to_text(f)
'(1 - x)**2 + 100*(y - x**2)**2'
>>> float(ex.evaluate(ex.diff(f, "x"), 1.0, 1.0))
0.0
"""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np

MAX_CHARS = 200
MAX_DEPTH = 30
MAX_NODES = 100
MAX_EXPONENT = 10.0
MAX_CONSTANT = 1e6

_ALLOWED_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 +-*/().,_")
_CHAR_HINTS = {"^": "write powers as x**2", "[": "use parentheses", "]": "use parentheses"}


def _sigmoid(u):
    return 0.5 * (1.0 + np.tanh(0.5 * u))  # = 1 / (1 + exp(-u)), without overflow


FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "tanh": np.tanh,
    "abs": np.abs,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "atan": np.arctan,
    "log1p": np.log1p,
    "sigmoid": _sigmoid,
    "sign": np.sign,
}
_ALIASES = {"arctan": "atan"}
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x", "y")


# -- the tree ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expr:
    """A node of a formula. Subclasses: Num, Var, Neg, Add, Sub, Mul, Div, Pow, Call.

    Nodes are immutable and compare structurally (``parse("x+1") == parse("x + (1)")``). Use
    :func:`normalize` text, not the tree, as a cache key: ``==`` and ``hash`` recurse, which is
    cheap on parsed formulas (at most MAX_NODES nodes) but not on large derivative trees.
    """

    @property
    def children(self) -> tuple[Expr, ...]:
        return ()

    def __str__(self) -> str:
        return to_text(self)


@dataclass(frozen=True)
class Num(Expr):
    value: float
    name: str = ""  # "pi" or "e" for the named constants, printed by name


@dataclass(frozen=True)
class Var(Expr):
    name: str  # "x" or "y"


@dataclass(frozen=True)
class Neg(Expr):
    arg: Expr

    @property
    def children(self):
        return (self.arg,)


@dataclass(frozen=True)
class _Binary(Expr):
    left: Expr
    right: Expr

    @property
    def children(self):
        return (self.left, self.right)


class Add(_Binary):
    pass


class Sub(_Binary):
    pass


class Mul(_Binary):
    pass


class Div(_Binary):
    pass


class Pow(_Binary):
    """``left ** right``; ``right`` is always a constant (no x or y)."""


@dataclass(frozen=True)
class Call(Expr):
    fn: str  # a key of FUNCTIONS
    arg: Expr

    @property
    def children(self):
        return (self.arg,)


_BINARY_OPS = {
    Add: np.add,
    Sub: np.subtract,
    Mul: np.multiply,
    Div: np.divide,
    Pow: np.power,
}


def _postorder(root: Expr) -> list[Expr]:
    """Distinct nodes of ``root`` (by identity), each after its children; iterative."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in seen:
            continue
        if expanded:
            seen.add(id(node))
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node.children) if id(c) not in seen)
    return order


# -- evaluation ----------------------------------------------------------------------------------
def _apply(node: Expr, vals: list, x, y):
    if isinstance(node, Num):
        return np.float64(node.value)
    if isinstance(node, Var):
        return x if node.name == "x" else y
    if isinstance(node, Neg):
        return np.negative(vals[0])
    if isinstance(node, Call):
        return FUNCTIONS[node.fn](vals[0])
    return _BINARY_OPS[type(node)](vals[0], vals[1])


def evaluate(expr: Expr, x, y) -> np.ndarray:
    """f(x, y) for arrays ``x``, ``y`` (broadcast together), as a float64 array of their shape.

    Outside the domain the result is nan or inf, silently (log(-1) -> nan, 1/0 -> inf).
    """
    if not isinstance(expr, Expr):
        raise ValueError(f"expr must be an Expr from parse(), got {type(expr).__name__}")
    x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    memo: dict[int, np.ndarray] = {}
    with np.errstate(all="ignore"):
        for node in _postorder(expr):
            memo[id(node)] = _apply(node, [memo[id(c)] for c in node.children], x, y)
        return np.asarray(memo[id(expr)], dtype=np.float64) + np.zeros(x.shape)


def _const(node: Expr) -> float:
    """The value of a tree without x or y."""
    return float(evaluate(node, 0.0, 0.0))


# -- simplifying constructors (used by diff) -----------------------------------------------------
def _fold(node: Expr) -> Expr:
    """Replace a node whose children are all numbers by its value (same float64 arithmetic)."""
    if node.children and all(isinstance(c, Num) and not c.name for c in node.children):
        return Num(_const(node))
    return node


def _is(node: Expr, value: float) -> bool:
    return isinstance(node, Num) and node.value == value


def neg(a: Expr) -> Expr:
    if isinstance(a, Neg):
        return a.arg
    if isinstance(a, Mul) and isinstance(a.left, Num) and not a.left.name:
        return mul(Num(-a.left.value), a.right)
    return _fold(Neg(a))


def add(a: Expr, b: Expr) -> Expr:
    if _is(a, 0):
        return b
    if _is(b, 0):
        return a
    if isinstance(b, Neg):
        return sub(a, b.arg)
    return _fold(Add(a, b))


def sub(a: Expr, b: Expr) -> Expr:
    if _is(b, 0):
        return a
    if _is(a, 0):
        return neg(b)
    if isinstance(b, Neg):
        return add(a, b.arg)
    return _fold(Sub(a, b))


def mul(a: Expr, b: Expr) -> Expr:
    if _is(a, 0) or _is(b, 0):
        return Num(0.0)
    if _is(a, 1):
        return b
    if _is(b, 1):
        return a
    if _is(a, -1):
        return neg(b)
    if _is(b, -1):
        return neg(a)
    if isinstance(b, Num) and not isinstance(a, Num):
        a, b = b, a  # constant first
    if isinstance(a, Num) and isinstance(b, Mul) and isinstance(b.left, Num):
        c = mul(a, b.left)
        if isinstance(c, Num):  # c1*(c2*u) -> (c1 c2)*u; named constants (pi, e) don't fold
            return mul(c, b.right)
    if isinstance(b, Neg):
        return neg(mul(a, b.arg))
    if isinstance(a, Neg):
        return neg(mul(a.arg, b))
    return _fold(Mul(a, b))


def div(a: Expr, b: Expr) -> Expr:
    if _is(b, 1):
        return a
    if _is(a, 0):
        return Num(0.0)
    if isinstance(a, Neg):
        return neg(div(a.arg, b))
    return _fold(Div(a, b))


def power(a: Expr, c: float) -> Expr:
    if c == 0:
        return Num(1.0)
    if c == 1:
        return a
    if isinstance(a, Pow) and isinstance(a.right, Num) and float(c).is_integer():
        if float(a.right.value).is_integer():  # (u**m)**n = u**(m n) for integers m, n
            return power(a.left, a.right.value * c)
    return _fold(Pow(a, Num(float(c))))


def call(fn: str, a: Expr) -> Expr:
    return _fold(Call(fn, a))


# -- derivatives ---------------------------------------------------------------------------------
def _d_call(fn: str, u: Expr) -> Expr:
    """d fn(u) / du."""
    match fn:
        case "sin":
            return call("cos", u)
        case "cos":
            return neg(call("sin", u))
        case "tan":
            return power(call("cos", u), -2)
        case "exp":
            return call("exp", u)
        case "log":
            return div(Num(1.0), u)
        case "sqrt":
            return div(Num(1.0), mul(Num(2.0), call("sqrt", u)))
        case "tanh":
            return sub(Num(1.0), power(call("tanh", u), 2))
        case "abs":
            return call("sign", u)
        case "sign":
            return Num(0.0)
        case "sinh":
            return call("cosh", u)
        case "cosh":
            return call("sinh", u)
        case "atan":
            return div(Num(1.0), add(Num(1.0), power(u, 2)))
        case "log1p":
            return div(Num(1.0), add(Num(1.0), u))
        case "sigmoid":
            s = call("sigmoid", u)
            return mul(s, sub(Num(1.0), s))
    raise ValueError(f"unknown function {fn!r}; accepted: {', '.join(FUNCTIONS)}")


def diff(expr: Expr, var: str) -> Expr:
    """The exact partial derivative d expr / d var, for var in ("x", "y"), lightly simplified."""
    if var not in VARIABLES:
        raise ValueError(f"var must be 'x' or 'y', got {var!r}")
    d: dict[int, Expr] = {}
    for n in _postorder(expr):
        if isinstance(n, Num):
            r = Num(0.0)
        elif isinstance(n, Var):
            r = Num(1.0 if n.name == var else 0.0)
        elif isinstance(n, Neg):
            r = neg(d[id(n.arg)])
        elif isinstance(n, Call):
            du = d[id(n.arg)]
            r = Num(0.0) if _is(du, 0) else mul(_d_call(n.fn, n.arg), du)
        else:
            a, b = n.left, n.right
            da, db = d[id(a)], d[id(b)]
            if isinstance(n, Add):
                r = add(da, db)
            elif isinstance(n, Sub):
                r = sub(da, db)
            elif isinstance(n, Mul):
                r = add(mul(da, b), mul(a, db))
            elif isinstance(n, Div):
                r = sub(div(da, b), div(mul(a, db), power(b, 2)))
            else:  # Pow with a constant exponent
                c = _const(b)
                r = Num(0.0) if _is(da, 0) else mul(mul(Num(c), power(a, c - 1)), da)
        d[id(n)] = r
    return d[id(expr)]


def gradient(expr: Expr) -> tuple[Expr, Expr]:
    """(df/dx, df/dy) as trees."""
    return diff(expr, "x"), diff(expr, "y")


def hessian(expr: Expr) -> tuple[Expr, Expr, Expr]:
    """(f_xx, f_xy, f_yy) as trees."""
    fx, fy = gradient(expr)
    return diff(fx, "x"), diff(fx, "y"), diff(fy, "y")


# -- printing ------------------------------------------------------------------------------------
_PREC = {Add: 1, Sub: 1, Mul: 2, Div: 2, Neg: 3, Pow: 4}
_ATOM = 5


def _num_text(node: Num, compact: bool) -> str:
    """``2``, ``0.5``, ``1e-05`` (Python's repr, integers without ``.0``); with ``compact`` the
    shortest text that reads back as the same float (``.5``, ``1e6``), never longer than any
    literal of that value."""
    v = node.value
    if node.name:
        return node.name
    if not math.isfinite(v):
        return repr(v)
    if not compact:
        return str(int(v)) if v == int(v) and abs(v) < 1e16 else repr(v)
    d = Decimal(repr(v)).normalize()  # repr: the shortest digits that round-trip
    sign, digits, exp = d.as_tuple()
    positional = f"{abs(d):f}"
    positional = positional[1:] if positional.startswith("0.") else positional
    mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
    power10 = exp + len(digits) - 1
    scientific = mantissa + (f"e{power10}" if power10 else "")
    return "-" * sign + min(positional, scientific, key=len)


def to_text(expr: Expr, compact: bool = False) -> str:
    """Python-syntax text of ``expr`` with the fewest parentheses that keep its exact structure,
    so ``parse(to_text(e))`` rebuilds ``e`` for any tree from :func:`parse` (when it fits in
    MAX_CHARS). ``compact``: no spaces around + and -, shortest numbers; the compact text of a parsed
    formula is never longer than the formula typed."""
    plus, minus = ("+", "-") if compact else (" + ", " - ")
    symbol = {Add: plus, Sub: minus, Mul: "*", Div: "/"}
    out: dict[int, tuple[str, int]] = {}  # id -> (text, precedence)

    def wrap(child: Expr, min_prec: int) -> str:
        text, prec = out[id(child)]
        return text if prec >= min_prec else f"({text})"

    for n in _postorder(expr):
        if isinstance(n, Num):
            t = _num_text(n, compact)
            out[id(n)] = (t, 3 if t.startswith("-") else _ATOM)
        elif isinstance(n, Var):
            out[id(n)] = (n.name, _ATOM)
        elif isinstance(n, Call):
            out[id(n)] = (f"{n.fn}({out[id(n.arg)][0]})", _ATOM)
        elif isinstance(n, Neg):
            out[id(n)] = ("-" + wrap(n.arg, 3), 3)
        elif isinstance(n, Pow):  # right-associative; the exponent may be a unary minus
            out[id(n)] = (wrap(n.left, 5) + "**" + wrap(n.right, 3), 4)
        else:  # left-associative + - * /
            p = _PREC[type(n)]
            out[id(n)] = (wrap(n.left, p) + symbol[type(n)] + wrap(n.right, p + 1), p)
    return out[id(expr)][0]


# -- parsing -------------------------------------------------------------------------------------
_NODE_NAMES = {
    ast.Attribute: "attribute access is",
    ast.Subscript: "subscripts are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "boolean operators are",
    ast.IfExp: "conditional expressions are",
    ast.Lambda: "lambdas are",
    ast.NamedExpr: "assignment expressions are",
    ast.Tuple: "a comma outside a function call is",
    ast.Starred: "starred arguments are",
    ast.GeneratorExp: "generators are",
    ast.ListComp: "comprehensions are",
    ast.Await: "await is",
    ast.JoinedStr: "f-strings are",
}
_OP_TEXT = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Not: "not",
    ast.Invert: "~",
}
_BINOPS = {ast.Add: Add, ast.Sub: Sub, ast.Mult: Mul, ast.Div: Div}


class _Reader:
    """Turns the ``ast`` tree of a formula into an :class:`Expr`, refusing anything not allowed.

    ``values`` holds the value of each constant subtree (None where x or y appears), computed from
    its children's values, so every constant is checked as soon as it is built.
    """

    def __init__(self, text: str, lead: int):
        self.text, self.lead = text, lead
        self.values: dict[int, float | None] = {}

    def fail(self, node: ast.AST, reason: str):
        fragment = ast.get_source_segment(self.text, node) or self.text
        raise ValueError(f"{fragment!r} at column {node.col_offset + self.lead + 1}: {reason}")

    def built(self, node: ast.AST, expr: Expr) -> Expr:
        """Record ``expr``'s value if constant; refuse it if not finite or above MAX_CONSTANT."""
        vals = [self.values[id(c)] for c in expr.children]
        if isinstance(expr, Var) or None in vals:
            self.values[id(expr)] = None
            return expr
        with np.errstate(all="ignore"):
            v = float(_apply(expr, vals, 0.0, 0.0))
        if not math.isfinite(v):
            self.fail(node, f"this constant is not a finite number (it is {v})")
        if abs(v) > MAX_CONSTANT:
            self.fail(node, f"constant {v:g} is too large; |constants| <= {MAX_CONSTANT:g}")
        self.values[id(expr)] = v
        return expr

    def read(self, node: ast.AST) -> Expr:
        match node:
            case ast.Constant(value=v) if type(v) in (int, float):
                if not abs(v) <= MAX_CONSTANT:  # before float(): also catches nan and huge ints
                    self.fail(node, f"number too large; |constants| <= {MAX_CONSTANT:g}")
                return self.built(node, Num(float(v)))
            case ast.Constant(value=v):
                self.fail(node, f"{type(v).__name__} values are not allowed, only real numbers")
            case ast.Name(id=name):
                return self.built(node, self.name(node, name))
            case ast.UnaryOp(op=ast.USub(), operand=a):
                return self.built(node, Neg(self.read(a)))
            case ast.UnaryOp(op=ast.UAdd(), operand=a):
                return self.read(a)
            case ast.BinOp(op=ast.Pow(), left=a, right=b):
                return self.pow(node, a, b)
            case ast.BinOp(op=op, left=a, right=b) if type(op) in _BINOPS:
                return self.built(node, _BINOPS[type(op)](self.read(a), self.read(b)))
            case ast.BinOp(op=op) | ast.UnaryOp(op=op):
                self.fail(node, f"operator {_OP_TEXT.get(type(op), type(op).__name__)!r} is not allowed")
            case ast.Call():
                return self.call(node)
        kind = _NODE_NAMES.get(type(node), f"{type(node).__name__} expressions are")
        self.fail(node, f"{kind} not allowed")

    def name(self, node: ast.AST, name: str) -> Expr:
        if name in VARIABLES:
            return Var(name)
        if name in CONSTANTS:
            return Num(CONSTANTS[name], name)
        if name in FUNCTIONS or name in _ALIASES:
            self.fail(node, f"the function {name} must be called on one argument, e.g. {name}(x)")
        self.fail(node, f"unknown name; accepted: x, y, pi, e and the functions {', '.join(FUNCTIONS)}")

    def pow(self, node: ast.AST, a: ast.AST, b: ast.AST) -> Expr:
        exponent = self.read(b)  # checked first: a huge exponent is refused before any power
        c = self.values[id(exponent)]
        if c is None:
            self.fail(b, "the exponent must be a number (no x or y); write u**v as exp(v*log(u))")
        if abs(c) > MAX_EXPONENT:
            self.fail(b, f"exponent {c:g} is too large; |exponent| <= {MAX_EXPONENT:g}")
        return self.built(node, Pow(self.read(a), exponent))

    def call(self, node: ast.Call) -> Expr:
        func = node.func
        if not isinstance(func, ast.Name):
            self.fail(func, f"only these functions can be called: {', '.join(FUNCTIONS)}")
        fn = _ALIASES.get(func.id, func.id)
        if fn not in FUNCTIONS:
            self.fail(func, f"unknown function; accepted: {', '.join(FUNCTIONS)}")
        if node.keywords:
            self.fail(node.keywords[0].value, f"{func.id} takes no keyword arguments")
        if len(node.args) != 1:
            self.fail(node, f"{func.id} takes exactly one argument, got {len(node.args)}")
        if isinstance(node.args[0], ast.Starred):
            self.fail(node.args[0], "starred arguments are not allowed")
        return self.built(node, Call(fn, self.read(node.args[0])))


def _check_text(text) -> None:
    """The cheap checks, all before ast.parse: type, length, characters, parentheses."""
    if not isinstance(text, str):
        raise ValueError(f"a formula must be a str, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ValueError(f"formula is {len(text)} characters long; at most {MAX_CHARS} are accepted")
    if not text.strip(" "):
        raise ValueError("empty formula: type an expression in x and y, e.g. x**2 + 10*sin(y)")
    depth = 0
    opened: list[int] = []
    for col, ch in enumerate(text, start=1):
        if ch not in _ALLOWED_CHARS:
            hint = _CHAR_HINTS.get(ch, "use only letters, digits, spaces and + - * / ( ) . ,")
            raise ValueError(f"character {ch!r} (U+{ord(ch):04X}) at column {col} is not allowed: {hint}")
        if ch == "(":
            depth += 1
            opened.append(col)
            if depth > MAX_DEPTH:
                raise ValueError(
                    f"'(' at column {col} nests parentheses {depth} deep; at most {MAX_DEPTH} allowed"
                )
        elif ch == ")":
            if depth == 0:
                raise ValueError(f"')' at column {col} closes nothing")
            depth -= 1
            opened.pop()
    if opened:
        raise ValueError(f"'(' at column {opened[-1]} is never closed")


def parse(text: str) -> Expr:
    """Read the formula ``text`` into an :class:`Expr`, or raise ValueError naming what is wrong."""
    _check_text(text)
    body = text.strip(" ")
    lead = len(text) - len(text.lstrip(" "))
    try:
        with warnings.catch_warnings():  # "1or x" parses with a SyntaxWarning: refused like an error
            warnings.simplefilter("error", SyntaxWarning)
            tree = ast.parse(body, mode="eval")
    except (SyntaxError, RecursionError) as err:
        col = (getattr(err, "offset", None) or 1) + lead
        near = text[col - 1 : col + 9] or text[-10:]
        msg = getattr(err, "msg", "too complex")
        raise ValueError(f"cannot read the formula at column {col} (near {near!r}): {msg}") from None
    nodes = sum(isinstance(n, ast.expr) for n in ast.walk(tree))
    if nodes > MAX_NODES:
        raise ValueError(f"formula has {nodes} terms and operations; at most {MAX_NODES} are accepted")
    return _Reader(body, lead).read(tree.body)


def normalize(text: str) -> str:
    """Canonical text of a formula, a stable cache key: ``to_text(parse(text))``, or its compact
    form when that would exceed MAX_CHARS, so the result always parses back to the same tree."""
    expr = parse(text)
    pretty = to_text(expr)
    return pretty if len(pretty) <= MAX_CHARS else to_text(expr, compact=True)


# -- the functions of a surface ----------------------------------------------------------------
@lru_cache(maxsize=256)
def _compiled(canonical: str) -> tuple[Expr, tuple[Expr, Expr], tuple[Expr, Expr, Expr]]:
    expr = parse(canonical)
    return expr, gradient(expr), hessian(expr)


def functions(text: str) -> tuple[str, Callable, Callable, Callable]:
    """(canonical text, f, g, h) of the formula ``text``: f(x, y), g(x, y) -> (f_x, f_y) and
    h(x, y) -> (f_xx, f_xy, f_yy), vectorized, from the exact derivative trees (what a
    :class:`lrlab.surfaces.Surface` is made of; ``surfaces.from_expression`` builds one)."""
    canonical = normalize(text)
    expr, (fx, fy), (fxx, fxy, fyy) = _compiled(canonical)
    return (
        canonical,
        lambda x, y: evaluate(expr, x, y),
        lambda x, y: (evaluate(fx, x, y), evaluate(fy, x, y)),
        lambda x, y: (evaluate(fxx, x, y), evaluate(fxy, x, y), evaluate(fyy, x, y)),
    )

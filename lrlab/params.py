"""Parameter declarations: each tunable value's kind, range and choices, said once.

Every surface, optimizer and schedule declares its parameters as :class:`Param` records beside the
code that uses them (``surfaces.params(name)``, ``optimizers.params(name)``,
``schedules.params(name)``). The engine checks values with them (:meth:`Param.check`); the app builds
its widgets and parses its URLs from the same records (:meth:`Param.parse`, :meth:`Param.format`),
so a range or a list of choices lives in one place.

Kinds:

=========== ==================================== ===========================================
kind        value                                text form (URL, text box)
=========== ==================================== ===========================================
``real``    a finite float in [lo, hi]           ``0.1``, ``1e-3``
``integer`` an int in [lo, hi]                   ``30`` (``30.0`` is accepted)
``flag``    True or False                        ``true`` / ``false`` (also 1/0, yes/no, on/off)
``choice``  one of ``choices``                   the choice itself
``reals``   a tuple of finite floats             ``0.9,0.999``
``integers`` a tuple of ints (sorted if ``sort``) ``30,60,80``
``choices`` a tuple of distinct ``choices``       ``sgd,adam``
``text``    a string of at most ``count[1]`` chars the text itself
=========== ==================================== ===========================================

``optional`` parameters also accept None ("auto": the owner derives the value, e.g. a cyclic
schedule's ``max_lr``, and ``auto`` says how); its text is ``auto``. ``lr`` marks a
learning-rate-valued parameter (``schedules.Schedule.scaled`` multiplies those). ``count`` bounds how
many values a tuple holds.

>>> from lrlab.params import real
>>> momentum = real("momentum", 0.9, 0.0, 1.0, hi_open=True)
>>> momentum.check(0.5), momentum.parse("0.95"), momentum.format(0.95), momentum.range_text
(0.5, 0.95, '0.95', '[0, 1)')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

KINDS = ("real", "integer", "flag", "choice", "reals", "integers", "choices", "text")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
AUTO = "auto"


@dataclass(frozen=True)
class Param:
    """One parameter: name, default, kind, and what values it accepts (see the module docstring)."""

    name: str
    default: object
    kind: str
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False
    lr: bool = False
    count: tuple[int, int] = (1, 1)
    note: str = ""  # why the range is what it is, appended to the error message
    auto: str = ""  # for an optional parameter: what None ("auto") stands for
    sort: bool = False  # a tuple of integers is kept sorted (a schedule's milestones)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}; one of {', '.join(KINDS)}")

    # -- what it accepts -------------------------------------------------------------------------
    @property
    def range_text(self) -> str:
        """The accepted interval, e.g. ``[0, 1)`` or ``(0, inf)``."""
        left = "(" if self.lo_open or self.lo == -math.inf else "["
        right = ")" if self.hi_open or self.hi == math.inf else "]"
        return f"{left}{self.lo:g}, {self.hi:g}{right}"

    def describe(self) -> str:
        """What a value must be, in words: 'a finite number in [0, 1)', 'one of 'cos', 'linear''."""
        if self.kind == "real":
            return f"a finite number in {self.range_text}"
        if self.kind == "integer":
            return f"an integer >= {self.lo:g}" if self.hi == math.inf else f"an integer in {self.range_text}"
        if self.kind == "flag":
            return "True or False"
        if self.kind == "choice":
            return "one of " + ", ".join(map(repr, self.choices))
        if self.kind == "text":
            return f"a text of at most {self.count[1]} characters"
        lo, hi = self.count
        if self.kind == "choices":
            return f"{lo} to {hi} of " + ", ".join(map(repr, self.choices))
        n = f"{lo}" if lo == hi else f"{lo} to {hi}"
        each = "a finite number in " + self.range_text if self.kind == "reals" else "an integer"
        if self.kind == "integers" and self.lo > -math.inf:
            each += f" >= {self.lo:g}"
        return f"{n} values, each {each}"

    def _fail(self, value):
        note = f" ({self.note})" if self.note else ""
        raise ValueError(f"{self.name} must be {self.describe()}{note}, got {value!r}")

    def _checked(self, value, text: str):
        """``check(value)``, its message quoting the text the value was read from."""
        try:
            return self.check(value)
        except ValueError as e:
            if "[" in str(e).split(" must ")[0]:  # an element's message ("betas[1] must ..."): keep it
                raise
            self._fail(text)

    def _in_range(self, x: float) -> bool:
        return (
            math.isfinite(x)
            and (x > self.lo if self.lo_open else x >= self.lo)
            and (x < self.hi if self.hi_open else x <= self.hi)
        )

    def check(self, value):
        """``value`` normalized (float, int, bool, str or tuple), or ValueError naming the parameter,
        what it accepts and the value given."""
        if value is None and self.optional:
            return None
        if self.kind == "real":
            if isinstance(value, bool) or not isinstance(value, Real) or not self._in_range(float(value)):
                self._fail(value)
            return float(value)
        if self.kind == "integer":
            return self._integer(value, value)
        if self.kind == "flag":
            if not isinstance(value, bool) and type(value).__name__ != "bool_":
                self._fail(value)
            return bool(value)
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                self._fail(value)
            return value
        if self.kind == "text":
            if not isinstance(value, str) or not self.count[0] <= len(value) <= self.count[1]:
                self._fail(value)
            return value
        if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
            self._fail(value)
        items = list(value)
        if self.kind == "choices":  # distinct, in the order given
            items = list(dict.fromkeys(items))
            if not self.count[0] <= len(items) <= self.count[1] or not all(
                isinstance(v, str) and v in self.choices for v in items
            ):
                self._fail(value)
            return tuple(items)
        if not self.count[0] <= len(items) <= self.count[1]:
            self._fail(value)
        one = Param(
            self.name,
            None,
            "real" if self.kind == "reals" else "integer",
            self.lo,
            self.hi,
            self.lo_open,
            self.hi_open,
        )
        out = []
        for i, v in enumerate(items):
            try:
                out.append(one.check(v))
            except ValueError as e:  # name the element: "betas[0] must be ..., got 1.0"
                raise ValueError(str(e).replace(self.name, f"{self.name}[{i}]", 1)) from None
        return tuple(sorted(out)) if self.sort else tuple(out)

    def _integer(self, v, shown) -> int:
        ok = not isinstance(v, bool) and (
            isinstance(v, Integral) or (isinstance(v, Real) and math.isfinite(v) and float(v).is_integer())
        )
        if not ok or not self._in_range(float(v)):
            self._fail(shown)
        return int(v)

    # -- text: URL values and text boxes --------------------------------------------------------
    def parse(self, text):
        """The value written as ``text`` (see :meth:`format`), checked; ValueError if unusable."""
        s = str(text).strip()
        if self.optional and s.lower() in ("", AUTO, "none"):
            return None
        if self.kind == "flag":
            if s.lower() in TRUE:
                return True
            if s.lower() in FALSE:
                return False
            raise ValueError(f"{self.name} must be true or false, got {s!r}")
        if self.kind == "choice":
            return self.check(s)
        if self.kind == "text":
            return self.check(str(text))
        if self.kind == "choices":
            return self._checked(split(s), s)
        if self.kind in ("reals", "integers"):
            return self._checked([_number(self.name, p) for p in split(s)], s)
        return self._checked(_number(self.name, s), s)

    def format(self, value) -> str:
        """The text form of ``value``: what :meth:`parse` reads back to the same value."""
        if value is None:
            return AUTO
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return f"{value:.10g}"
        if isinstance(value, tuple | list):
            return ",".join(self.format(v) for v in value)
        return str(value)


def split(text: str) -> list[str]:
    """'0.1, 1; 30' -> ['0.1', '1', '30']: comma- (or semicolon-) separated parts, blanks dropped."""
    return [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]


def _number(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{name}: {text!r} is not a number") from None


# -- constructors ----------------------------------------------------------------------------------


def real(name, default, lo=-math.inf, hi=math.inf, *, lo_open=False, hi_open=False, **kw) -> Param:
    return Param(name, default, "real", lo, hi, lo_open, hi_open, **kw)


def integer(name, default, lo=0, hi=math.inf, **kw) -> Param:
    return Param(name, default, "integer", lo, hi, **kw)


def flag(name, default, **kw) -> Param:
    return Param(name, default, "flag", **kw)


def choice(name, default, choices, **kw) -> Param:
    return Param(name, default, "choice", choices=tuple(choices), **kw)


def reals(name, default, lo=-math.inf, hi=math.inf, *, count=(1, 20), lo_open=False, hi_open=False, **kw):
    return Param(name, default, "reals", lo, hi, lo_open, hi_open, count=count, **kw)


def integers(name, default, lo=0, hi=math.inf, *, count=(1, 20), **kw) -> Param:
    return Param(name, default, "integers", lo, hi, count=count, **kw)


def choices(name, default, options, *, count=(1, 20), **kw) -> Param:
    return Param(name, default, "choices", choices=tuple(options), count=count, **kw)


def text(name, default="", *, most=200, **kw) -> Param:
    return Param(name, default, "text", count=(0, most), **kw)


def check_all(owner: str, params: tuple[Param, ...], given: dict) -> dict:
    """Every parameter of ``params`` checked, defaults filled in; an unknown keyword raises
    ValueError naming it and the accepted ones."""
    names = [p.name for p in params]
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ValueError(
            f"{owner} has no parameter {', '.join(map(repr, unknown))}; "
            f"accepted: {', '.join(names) or 'none'}"
        )
    return {p.name: p.check(given.get(p.name, p.default)) for p in params}

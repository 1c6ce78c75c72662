"""One state codec for every page: URL query <-> frozen config <-> widget state.

A page declares its settings once, as a :class:`Schema`:

* :class:`Field`: one setting, its :class:`~lrlab.params.Param` (kind, default, range, choices: the
  engine's own declaration where the engine owns the setting), its URL key and its widget key;
* :class:`Group`: the parameters of the engine object another setting selects (an optimizer's
  hyperparameters, a schedule's keywords), read from the engine's declarations
  (``optimizers.params(name)``, ...), stored in the config as the overrides of their defaults;
* ``settle``: the page's rules across settings (a start inside the surface's box, the runs a compare
  mode needs), applied to every config the codec builds, from a URL or from the widgets.

From it the codec reads a URL (every value parsed and range-checked; an unusable one falls back to
its default and adds one line to the problems, which the page shows in ONE notice; unknown keys are
ignored), writes one (the ``always`` settings, then every other one that differs from its default and
matters to the view), seeds the widgets and reads them back. No Streamlit here: pure functions over
dicts (the Streamlit side is :mod:`lrlab.ui.session`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from lrlab.params import Param

Pairs = tuple[tuple[str, object], ...]
TEXT_KINDS = ("reals", "integers")  # edited in a text box (optional parameters too)
URL_SAFE = ",*+^()/"  # left unescaped in a query string: formulas and lists stay readable


@dataclass(frozen=True)
class Field:
    """One setting: config attribute ``attr``, its ``param``, its URL key and its widget's key.

    ``widget`` may be a function of the config read so far (keys namespaced by another setting, e.g.
    the start point per surface); None: no widget. ``always``: written to the URL even at its
    default. ``shown(cfg)``: whether the setting matters to the view (else it is left out of the
    URL, and its widget is not read). ``label`` names it in messages about widgets, ``fallback`` says
    what replaces a bad value (default: the default, formatted). ``to_widget(value, cfg)`` /
    ``from_widget(raw)`` convert for a widget that holds something else than the value (a segmented
    control holds None for "none"); ``to_widget`` returning None leaves the widget to the page.
    """

    attr: str
    param: Param
    url: str
    widget: str | Callable | None = None
    always: bool = False
    shown: Callable | None = None
    label: str = ""
    fallback: str = ""
    to_widget: Callable | None = None
    from_widget: Callable | None = None

    def widget_key(self, cfg) -> str | None:
        return self.widget(cfg) if callable(self.widget) else self.widget

    def default_text(self) -> str:
        return self.fallback or f"default {self.param.format(self.param.default)}"


@dataclass(frozen=True)
class Group:
    """The parameters of the engine object named by the setting ``owner`` (e.g. the optimizer),
    stored in the config attribute ``attr`` as sorted (name, value) overrides of their defaults.

    URL keys are ``url + name`` (``o.momentum``), widget keys ``widget + owner + "." + name``
    (``w.o.momentum.momentum``: each object keeps its own widgets, so switching shows its defaults).
    ``build(cfg)`` constructs the object, raising ValueError for combinations the engine refuses
    (each value alone being in range); then the group falls back to its defaults, said once.
    """

    attr: str
    owner: str
    params: Callable[[str], tuple[Param, ...]]
    url: str
    widget: str
    what: str
    build: Callable | None = None

    def of(self, cfg) -> tuple[Param, ...]:
        return self.params(getattr(cfg, self.owner))

    def key(self, cfg, name: str) -> str:
        return self.widget_key(getattr(cfg, self.owner), name)

    def widget_key(self, owner: str, name: str) -> str:
        """The widget key of parameter ``name`` of the object ``owner`` (e.g. an optimizer's name)."""
        return f"{self.widget}{owner}.{name}"


def overrides(params: tuple[Param, ...], values: Mapping) -> Pairs:
    """The entries of ``values`` that differ from their parameter's default, sorted by name."""
    default = {p.name: p.default for p in params}
    return tuple(sorted((k, v) for k, v in values.items() if k in default and v != default[k]))


def merged(params: tuple[Param, ...], pairs: Pairs) -> dict:
    """Every parameter's value: its default, replaced by the overrides ``pairs``."""
    return {**{p.name: p.default for p in params}, **dict(pairs)}


def _last(v):
    if isinstance(v, list | tuple):
        return v[-1] if v else ""
    return v


@dataclass(frozen=True)
class Schema:
    """A page's settings (see the module docstring): ``cls`` is its frozen config dataclass, whose
    field defaults must equal the fields' Param defaults (checked at construction)."""

    cls: type
    fields: tuple[Field, ...]
    groups: tuple[Group, ...] = ()
    settle: Callable | None = None  # (cfg, problems, source: "url" | "widgets", given) -> cfg
    url_prefix: str = ""  # only URL keys with this prefix belong to the page
    widget_prefix: str = ""  # every widget key of the page starts with it (see seed)

    def __post_init__(self):
        dflt = self.cls()
        for f in self.fields:
            if getattr(dflt, f.attr) != f.param.default:
                raise ValueError(f"{self.cls.__name__}.{f.attr} default differs from its Param's")
        known = {f.name for f in fields(self.cls)}
        missing = [f.attr for f in self.fields if f.attr not in known]
        missing += [g.attr for g in self.groups if g.attr not in known]
        if missing:
            raise ValueError(f"{self.cls.__name__} has no field {missing}")

    @property
    def default(self):
        return self.cls()

    def group(self, attr: str) -> Group:
        return next(g for g in self.groups if g.attr == attr)

    # -- URL -----------------------------------------------------------------------------------------
    def page_params(self, query: Mapping) -> dict[str, str]:
        """The page's own keys of a query (Streamlit gives lists or strings), as strings."""
        return {str(k): str(_last(v)) for k, v in query.items() if str(k).startswith(self.url_prefix)}

    def from_query(self, query: Mapping) -> tuple[object, list[str]]:
        """The config a URL asks for, and one line per value that was not usable (default used)."""
        p = self.page_params(query)
        problems: list[str] = []
        values: dict = {}
        for f in self.fields:
            if f.url in p:
                try:
                    values[f.attr] = f.param.parse(p[f.url])
                except ValueError as e:
                    problems.append(f"{f.url}={p[f.url]!r} ({e}; {f.default_text()} used)")
        cfg = replace(self.default, **values)
        for g in self.groups:
            declared = {q.name: q for q in g.of(cfg)}
            got = {}
            for key, raw in p.items():
                name = key[len(g.url) :] if key.startswith(g.url) else None
                if name in declared:
                    try:
                        got[name] = declared[name].parse(raw)
                    except ValueError as e:
                        shown = declared[name].format(declared[name].default)
                        problems.append(f"{key}={raw!r} ({e}; {g.what} default {shown} used)")
            cfg = replace(cfg, **{g.attr: overrides(g.of(cfg), got)})
        cfg = self._built(cfg, problems, "{what} settings {given} ({error}; defaults used)")
        return self._settle(cfg, problems, "url", p), problems

    def to_query(self, cfg, *, full: bool = False) -> dict[str, str]:
        """Query parameters for ``cfg``: the ``always`` settings, then those that differ from their
        default and matter to the view (``full=True``: every setting and override)."""
        q: dict[str, str] = {}
        groups = {g.owner: g for g in self.groups}
        for f in self.fields:
            v = getattr(cfg, f.attr)
            relevant = f.shown is None or f.shown(cfg)
            if f.always or full or (v != f.param.default and relevant):
                q[f.url] = f.param.format(v)
            g = groups.get(f.attr)
            if g is not None:  # a group's keys follow the setting that owns them
                declared = {p.name: p for p in g.of(cfg)}
                for name, value in getattr(cfg, g.attr):
                    q[g.url + name] = declared[name].format(value)
        return q

    def query_string(self, cfg) -> str:
        return urlencode(self.to_query(cfg), safe=URL_SAFE)

    def key(self, cfg) -> str:
        """A canonical string of ``cfg`` (its full query), for cache keys and comparisons."""
        return "&".join(f"{k}={v}" for k, v in sorted(self.to_query(cfg, full=True).items()))

    # -- widgets -------------------------------------------------------------------------------------
    def widget_state(self, cfg) -> dict:
        """Session-state values that make the page's widgets show ``cfg``."""
        state = {}
        for f in self.fields:
            key = f.widget_key(cfg)
            if key is not None:
                v = getattr(cfg, f.attr)
                w = f.to_widget(v, cfg) if f.to_widget else widget_value(f.param, v)
                if w is not None:  # None: the page seeds that widget itself
                    state[key] = w
        for g in self.groups:
            values = merged(g.of(cfg), getattr(cfg, g.attr))
            for p in g.of(cfg):
                state[g.key(cfg, p.name)] = widget_value(p, values[p.name])
        return state

    def seed(self, state, cfg) -> None:
        """Make the widgets show ``cfg``: the page's widget keys in ``state`` (st.session_state or a
        dict) are dropped, then set from ``cfg``."""
        for key in [k for k in list(state.keys()) if str(k).startswith(self.widget_prefix)]:
            del state[key]
        state.update(self.widget_state(cfg))

    def from_widgets(self, state: Mapping) -> tuple[object, list[str]]:
        """The config the widgets show, and one line per widget value that was not usable."""
        errors: list[str] = []
        cfg = self.default
        for f in self.fields:
            key = f.widget_key(cfg)
            if key is None or key not in state or (f.shown is not None and not f.shown(cfg)):
                continue
            raw = state[key]
            try:
                v = f.from_widget(raw) if f.from_widget else from_widget(f.param, raw)
            except ValueError as e:
                errors.append(f"{f.label or f.attr} = {raw!r}: {e}; {f.default_text()} used")
                continue
            cfg = replace(cfg, **{f.attr: v})
        for g in self.groups:
            got = {}
            for p in g.of(cfg):
                key = g.key(cfg, p.name)
                if key in state:
                    try:
                        got[p.name] = from_widget(p, state[key])
                    except ValueError as e:
                        shown = p.format(p.default)
                        errors.append(f"{g.what} {p.name} = {state[key]!r}: {e}; default {shown} used")
            cfg = replace(cfg, **{g.attr: overrides(g.of(cfg), got)})
        cfg = self._built(cfg, errors, "{what} settings {given}: {error}; defaults used")
        return self._settle(cfg, errors, "widgets", state), errors

    # -- shared by both ------------------------------------------------------------------------------
    def _built(self, cfg, problems: list[str], message: str):
        """Each group's object built once; a combination the engine refuses falls back to defaults."""
        for g in self.groups:
            if g.build is None or not getattr(cfg, g.attr):
                continue
            try:
                g.build(cfg)
            except ValueError as e:
                given = dict(getattr(cfg, g.attr))
                problems.append(message.format(what=g.what, given=given, error=e))
                cfg = replace(cfg, **{g.attr: ()})
        return cfg

    def _settle(self, cfg, problems, source, given):
        return self.settle(cfg, problems, source, given) if self.settle else cfg


def widget_value(param: Param, value):
    """What ``param``'s widget holds for ``value``: the value itself for a number box, checkbox or
    select box; its text for a list or an optional value (a text box)."""
    if param.kind in TEXT_KINDS or param.optional:
        return param.format(value).replace(",", ", ")
    if param.kind == "choices":
        return list(value)  # a multiselect
    return value


def from_widget(param: Param, raw):
    """The value of ``param`` that its widget's ``raw`` content stands for (checked)."""
    if param.kind in TEXT_KINDS or param.optional:
        return param.parse(raw)  # a text box
    return param.check(list(raw) if param.kind == "choices" else raw)


def notice(problems: list[str]) -> str | None:
    """ONE message for all the URL values that were not usable, or None."""
    if not problems:
        return None
    return f"Some settings in the link were not usable and fell back to defaults: {'; '.join(problems)}."

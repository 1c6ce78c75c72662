"""The surface explorer page: widgets -> frozen Config -> cached engine runs -> figures -> render.

Every widget keeps its value in ``st.session_state`` under a ``w.``-key; the URL is the shareable
copy of the config (both through the one codec, :mod:`lrlab.ui.codec`, with the explorer's
:data:`~lrlab.ui.explorer.config.SCHEMA`).
"""

from __future__ import annotations

import math
from dataclasses import replace

import streamlit as st

from lrlab import descent, noise, optimizers, schedules, surfaces, theory
from lrlab.figures import colour
from lrlab.figures import surface as F
from lrlab.figures.slice import slice_spec
from lrlab.ui import style
from lrlab.ui.chart import chart
from lrlab.ui.explorer import config as C
from lrlab.ui.explorer import pipeline as P
from lrlab.ui.explorer import present, presets
from lrlab.ui.labels import OPT_LABELS, SCHEDULE_LABELS, SURFACE_LABELS
from lrlab.ui.player import descent_player, fan_carrier, pack_fan
from lrlab.ui.session import PageState
from lrlab.ui.widgets import optimizer_and_schedule, param_widget, preset_picker

LR_GRID = tuple(float(f"{m}e{e}") for e in range(-4, 1) for m in (1, 2, 5)) + (10.0,)
PLAYER_KEY = "player"
FAN_KEY = "lrfan"  # the lr fan's hidden element (lrlab.ui.player.fan_carrier)
PRESET_KEY = "explorer.preset"
COMPARE_LABELS = {
    "none": "Single run",
    "multiples": "lr × multiples",
    "list": "Typed list of lrs",
    "optimizers": "Several optimizers",
    "schedules": "Several schedules",
}
STATE = PageState(C.SCHEMA, "explorer")


# -- cached engine ----------------------------------------------------------------------------------


@st.cache_resource(max_entries=64, show_spinner=False)
def _surface(name: str, params: tuple, formula: str, box: float):
    cfg = C.Config(surface=name, surface_params=params, formula=formula, box=box)
    return C.build_surface(cfg)


def surface_of(cfg: C.Config):
    return _surface(cfg.surface, cfg.surface_params, cfg.formula, cfg.box)


@st.cache_data(max_entries=64, show_spinner=False)
def _simulate(cfg: C.Config) -> P.Result:
    return P.simulate(cfg, surface_of(cfg), with_fan=False)  # the fan: _fan, cached on its own key


class LrFan:
    """The view's lr fan (``lrlab.fan.Fans``, or None where it cannot run), its id and its element's
    text (``fan_spec`` packed by ``pack_fan``), made once per fan: the same strings on every rerun
    that keeps it."""

    def __init__(self, fans, fan_id: str, text: str):
        self.fans, self.id, self.text = fans, fan_id, text


# a resource, not data: read-only, and never copied on a rerun (st.cache_data would unpickle its runs)
@st.cache_resource(max_entries=16, show_spinner=False)
def _fan(key: str, _cfg: C.Config) -> LrFan:
    """The lr fan of every config whose ``P.fan_key`` is ``key`` (``_cfg``, one of them, is not hashed)."""
    surf = surface_of(_cfg)
    fans = P.fan_of(_cfg, surf)
    if fans is None:
        return LrFan(None, "", "")
    labels = [label for _, label in P.fan_members(_cfg)]
    return LrFan(fans, P.fan_id(key), pack_fan(F.fan_spec(surf, fans, labels)))


def fan_for(cfg: C.Config) -> LrFan:
    return _fan(P.fan_key(cfg), cfg)


@st.cache_data(max_entries=32, show_spinner=False)
def _figures(cfg: C.Config) -> dict:
    result = _simulate(cfg)
    surf = surface_of(cfg)
    lr_fan = fan_for(cfg)
    figures = {
        # the map, the 3D view and the per-step line charts: one component, one plotly.js
        "spec": F.player_spec(
            surf,
            result.runs,
            result.start,
            hint="Click the map to start a run there.",
            lr_fan=lr_fan.fans,
            fan_id=lr_fan.id,
            fan_lr=P.base_lr(cfg),
        ),
        "csv": F.runs_csv(result.runs),
    }
    figures["spec"]["slice"] = slice_spec(surf, result.runs, lr_fan=lr_fan.fans)  # the player's Slice view
    return figures


# -- the lr slider ----------------------------------------------------------------------------------


def nearest_grid(lr: float) -> float:
    """The slider position for ``lr``: the lr itself (the slider shows it between its 1-2-5
    neighbours), clamped to the slider's range."""
    return float(min(max(lr, LR_GRID[0]), LR_GRID[-1]))


def grid_with(lr: float) -> list[float]:
    """The 1-2-5 grid with ``lr`` added in its place, so the slider always shows the exact lr."""
    return sorted(set(LR_GRID) | {float(lr)})


def _grid_label(v: float) -> str:
    return f"{v:g}"


# -- callbacks --------------------------------------------------------------------------------------


def _on_grid() -> None:
    st.session_state["w.lr"] = float(st.session_state["w.lr_grid"])
    st.session_state.pop("w.lr_grid", None)  # rebuilt from w.lr against the new options


def _on_lr() -> None:
    # the slider's options change with the lr (the exact lr is one of them): drop its old state so it
    # is rebuilt from w.lr against the new options (a value set against the old ones would not map)
    st.session_state.pop("w.lr_grid", None)


def apply_player_value(ss, value) -> None:
    """What the player sends back: ``{"lr": x}`` when its lr slider is released (the sidebar, the
    badges and the URL follow), ``{"start": [x, y]}`` for a click on the map, ``{"view": name}`` when
    the student switches views (the URL follows; an unknown name is ignored). The released lr is the
    slider's (``P.base_lr``): the lr of the view (lr × multiples keep their ratios, several optimizers
    or schedules run at it), or in "Typed list of lrs" mode the first typed lr: the list is rewritten
    by one factor (``P.scaled_list``), as the list box writes lrs."""
    if not isinstance(value, dict):
        return
    if "view" in value:
        if value["view"] in C.VIEWS:
            ss["w.view"] = value["view"]
        return
    if "lr" in value:
        try:
            lr = float(value["lr"])
        except (TypeError, ValueError):
            return
        if not C.LR_MIN <= lr <= C.LR_MAX:
            return
        if ss.get("w.compare") == "list":
            cfg, _ = C.SCHEMA.from_widgets(ss)
            lrs = P.scaled_list(cfg, lr)
            if all(C.LR_MIN <= v <= C.LR_MAX for v in lrs):
                ss["w.lrs"] = _LRS_FIELD.to_widget(lrs, cfg)
            return
        ss["w.lr"] = lr
        ss.pop("w.lr_grid", None)  # as _on_lr: the slider's options follow the new lr
        return
    if "start" in value:
        _set_start(ss, value["start"])


_LRS_FIELD = next(f for f in C.SCHEMA.fields if f.attr == "lrs")  # the list box's own formatting


def _on_player() -> None:
    value = st.session_state.get(PLAYER_KEY)
    if isinstance(value, dict) and "key" in value:  # a presentation-mode key (lr, preset)
        present.on_key(value, STATE, presets.BOOK, LR_GRID)
        return
    apply_player_value(st.session_state, value)


def _set_start(ss, xy) -> None:
    """A click on the map: the clicked point becomes the start (clamped to the allowed box)."""
    try:
        x, y = (float(v) for v in xy)
        cfg, _ = C.SCHEMA.from_widgets(ss)
        surf = surface_of(replace_formula(cfg))
    except (TypeError, ValueError):
        return
    (xa, xb), (ya, yb) = C.start_limits(surf)
    kx, ky = C.start_keys(ss.get("w.surface", C.DEFAULT.surface))
    ss[kx], ss[ky] = min(max(x, xa), xb), min(max(y, ya), yb)


def _reset_start(kx: str, ky: str, start) -> None:
    st.session_state[kx], st.session_state[ky] = float(start[0]), float(start[1])


def replace_formula(cfg: C.Config) -> C.Config:
    """For a custom surface whose typed formula does not parse, the last formula that did."""
    if cfg.surface != C.CUSTOM:
        return cfg
    good = st.session_state.get("_good_formula")
    try:
        surface_of(cfg)
        st.session_state["_good_formula"] = cfg.formula
        return cfg
    except ValueError:
        if good is None:
            raise
        return replace(cfg, formula=good)


# -- widgets ----------------------------------------------------------------------------------------


def _controls() -> tuple[C.Config, list[str], object]:
    """The sidebar. Returns (config, problems to show, surface)."""
    ss = st.session_state
    problems: list[str] = []
    preset_picker(presets.BOOK, STATE, PRESET_KEY)

    st.subheader("Surface")
    st.selectbox(
        "Surface", C.surface_names(), format_func=lambda n: SURFACE_LABELS.get(n, n), key="w.surface"
    )
    sname = ss["w.surface"]
    if sname == C.CUSTOM:
        ss.setdefault("w.formula", "x**2 + 3*y**2")
        ss.setdefault("w.box", C.DEFAULT.box)
        st.text_input(
            "f(x, y) =", key="w.formula", max_chars=C.FORMULA_MAX, help="e.g. (1-x)**2 + 10*(y-x**2)**2"
        )
        st.number_input(
            "Plot box: x, y in ± …", min_value=C.BOX_MIN, max_value=C.BOX_MAX, key="w.box", format="%g"
        )
    else:
        declared = surfaces.params(sname)
        if declared:
            group = C.SCHEMA.group("surface_params")
            with st.expander("Surface parameters"):
                for p in declared:
                    param_widget(group.widget_key(sname, p.name), p)

    cfg0, _ = C.SCHEMA.from_widgets(ss)
    try:
        cfg0 = replace_formula(cfg0)
        surf = surface_of(cfg0)
    except ValueError as e:
        st.error(f"This surface cannot be built: {e}")
        cfg0 = C.DEFAULT
        surf = surface_of(cfg0)
    if sname == C.CUSTOM and cfg0.formula != ss.get("w.formula"):
        try:
            surface_of(C.Config(surface=C.CUSTOM, formula=ss.get("w.formula", ""), box=cfg0.box))
        except ValueError as e:
            st.error(f"Formula not understood: {e}. Showing the last formula that worked.")

    (xa, xb), (ya, yb) = C.start_limits(surf)
    kx, ky = C.start_keys(cfg0.surface)
    ss.setdefault(kx, float(surf.start[0]))
    ss.setdefault(ky, float(surf.start[1]))
    c1, c2 = st.columns(2)
    span = max(surf.bounds[0][1] - surf.bounds[0][0], surf.bounds[1][1] - surf.bounds[1][0])
    step = float(10 ** math.floor(math.log10(span / 20)))
    c1.number_input("start x", min_value=float(xa), max_value=float(xb), step=step, key=kx, format="%g")
    c2.number_input("start y", min_value=float(ya), max_value=float(yb), step=step, key=ky, format="%g")
    st.button(
        "Reset start (or click the map)",
        on_click=_reset_start,
        args=(kx, ky, surf.start),
        width="stretch",
    )

    st.subheader("Learning rate")
    ss.setdefault("w.lr", C.DEFAULT.lr)
    ss.setdefault("w.lr_grid", nearest_grid(ss["w.lr"]))
    typed = ss.get("w.compare") == "list"  # each run's lr is typed in the list: this one is not used
    why = "In “Typed list of lrs” mode each run's lr is the one typed in the list below." if typed else None
    # a select box of the 1-2-5 grid, not a slider: the player's own "Learning rate" slider is the
    # continuous one (dragged in the browser, no round trip); a select box adds no code to the page,
    # where st.select_slider's brought 0.126 MB (moment.js, numbro) to every cold load
    st.selectbox(
        "lr on a 1-2-5 grid",
        grid_with(nearest_grid(ss["w.lr"])),
        key="w.lr_grid",
        format_func=_grid_label,
        on_change=_on_grid,
        disabled=typed,
        help=why or "Or drag the player's own Learning rate slider above the map, or type the exact lr.",
    )
    st.number_input(
        "exact lr",
        min_value=C.LR_MIN,
        max_value=C.LR_MAX,
        step=0.001,
        format="%.4g",
        key="w.lr",
        on_change=_on_lr,
        disabled=typed,
        help=why,
    )
    crit_slot = st.container()

    preview_slot = optimizer_and_schedule(C.SCHEMA, "w.opt", "w.sched")
    opts, oname = optimizers.names(), ss["w.opt"]

    st.subheader("Run")
    ss.setdefault("w.steps", C.DEFAULT.steps)
    st.number_input("steps", min_value=C.STEPS_MIN, max_value=C.STEPS_MAX, step=10, key="w.steps")
    ss.setdefault("w.compare", "none")
    st.radio("Compare", C.COMPARE_MODES, format_func=COMPARE_LABELS.get, key="w.compare")
    mode = ss["w.compare"]
    if mode == "multiples":
        ss.setdefault("w.mult", "0.5, 1, 2, 4")
        st.text_input("multiples of the lr", key="w.mult", help="up to 7, e.g. 0.5, 1, 2, 4")
    elif mode == "list":
        ss.setdefault("w.lrs", f"{ss['w.lr']:g}")
        st.text_input("learning rates", key="w.lrs", help="up to 7, e.g. 0.01, 0.1, 0.5")
    elif mode == "optimizers":
        ss.setdefault("w.opts", [oname])
        st.multiselect(
            "optimizers (each at the lr above)",
            opts,
            format_func=lambda n: OPT_LABELS.get(n, n),
            key="w.opts",
            max_selections=C.MAX_RUNS,
        )
    elif mode == "schedules":
        ss.setdefault("w.scheds", [ss["w.sched"]])
        st.multiselect(
            "schedules (each from the lr above)",
            schedules.names(),
            format_func=lambda n: SCHEDULE_LABELS.get(n, n),
            key="w.scheds",
            max_selections=C.MAX_RUNS,
            help="The schedule picked above keeps its settings; the others span the run "
            "(e.g. a cosine over all the steps, a step decay by 10× at each quarter).",
        )
    _noise_controls(ss)

    cfg, errors = C.SCHEMA.from_widgets(ss)
    problems += errors
    try:
        cfg = replace_formula(cfg)
    except ValueError:
        cfg = replace(cfg, surface=C.DEFAULT.surface, formula="")
        surf = surface_of(cfg)
    return cfg, problems, (surf, crit_slot, preview_slot)


def _noise_controls(ss) -> None:
    st.subheader("Gradient noise")
    ss.setdefault("w.noise", C.DEFAULT.noise)
    st.number_input(
        "noise σ₁ (one sample)",
        min_value=0.0,
        step=0.1,
        format="%g",
        key="w.noise",
        help="Real training follows a noisy (mini-batch) gradient: each step uses ∇f + σ·ξ with ξ drawn "
        "from N(0, I), the same draws for every run. 0: the exact gradient.",
    )
    if ss["w.noise"] > 0:
        ss.setdefault("w.batch", C.DEFAULT.batch)
        ss.setdefault("w.seed", C.DEFAULT.seed)
        c1, c2 = st.columns(2)
        c1.number_input("mini-batch size B", min_value=1, max_value=1_000_000, step=1, key="w.batch")
        c2.number_input("seed", min_value=0, max_value=descent.MAX_SEED, step=1, key="w.seed")
        try:
            sigma = noise.sigma_for_batch(ss["w.noise"], int(ss["w.batch"]))
        except ValueError:
            return  # the codec reports the bad value
        st.caption(f"σ = σ₁/√B = {sigma:.3g}: a batch of B samples averages B independent errors.")


def _critical_text(result: P.Result, cfg: C.Config) -> str:
    """The theory's lines for the configured optimizer, at the minimum the first run approaches, and
    where the lrs that run used sit against them (the engine's sentence, schedule included). With
    the player's lr slider (a fan with these lines) that sentence is the player's, for the lr it
    draws (``fan_spec``'s ``side``): written here it would speak for the server's lr during a drag."""
    crit = result.critical
    if crit is None:
        return "No curvature threshold here: the run approaches no minimum where the Hessian is known."
    at = ", ".join(f"{v:.3g}" for v in crit.at)
    who = OPT_LABELS.get(cfg.optimizer, cfg.optimizer)
    side, sentence = theory.lr_sides(crit, result.runs[0].traj.lr)
    if crit.diverge is None:
        return f"**{who}** · λ = {crit.lam:.3g} at the minimum ({at}). {sentence}"
    tint = {"monotone": "green", "overshoot": "orange", "edge": "orange", "diverge": "red"}[side]
    over = theory.OVERSHOOT_RULE.get(crit.rule, "overshoot")
    lines = (
        f"**{who}** · λ = {crit.lam:.3g} at the minimum ({at}) · {over} = **{crit.overshoot:.3g}** · "
        f"{crit.rule} = **{crit.diverge:.3g}**"
    )
    lr_fan = fan_for(cfg).fans
    if lr_fan is not None and lr_fan.critical is not None:
        if len(result.runs) > 1:
            where = "each run's lr is on: the player says it beside each run's verdict, for the lrs it draws"
        else:
            where = "the lr is on: the player says it beside the verdict, for the lr it draws"
        ticks = lr_fan.critical
        if max(abs(a - b) for a, b in zip(ticks.at, crit.at, strict=True)) > 1e-6 * (
            1 + max(map(abs, crit.at))
        ):
            # the slider's lines (its fan has no lr: read at the minimum the start leads to) are another
            # minimum's: say which, and their numbers, so that every number on screen has its source
            t_at = ", ".join(f"{v:.3g}" for v in ticks.at)
            t_over = theory.OVERSHOOT_RULE.get(ticks.rule, "overshoot")
            return (
                f"{lines}  \nThe player's lr slider draws the lines at the minimum ({t_at}) the start leads "
                f"to: λ = {ticks.lam:.3g} · {t_over} = **{ticks.overshoot:.3g}** · {ticks.rule} = "
                f"**{ticks.diverge:.3g}**. Which side of these lines {where}."
            )
        return f"{lines}  \nWhich side of these lines {where}."
    return f"{lines}  \n:{tint}[{sentence}]"


def render() -> None:
    STATE.sync_from_url()
    with st.sidebar:
        cfg, problems, (surf, crit_slot, preview_slot) = _controls()

    present.inject(cfg)
    if not cfg.present:
        st.title("LR Lab · surface explorer")
        st.caption(f"{surf.description}  \n`{surf.formula}`")

    note = STATE.notice(cfg)
    if note:
        st.warning(note, icon=":material/link_off:")
    if problems:
        st.error("  \n".join(problems), icon=":material/error:")
    pname = presets.active(cfg)
    # projector-first: the map (and Play, the lr, each run's verdict word in its readout) in the wide
    # column, sized by the player to the screen's height; the preset's note and the badges beside it
    main, side = st.columns([5, 2], gap="medium")
    with side:
        st.toggle("Presentation mode", key="w.present", help="Keys: ← → lr, space Play, n p preset")
    if pname:  # its note speaks of the preset's lr: lr-dependent, as the badge (style.LR_DEPENDENT)
        side.container(key=style.LR_DEPENDENT + "-preset").info(
            f"**{presets.PRESETS[pname].title}.** {presets.PRESETS[pname].description}",
            icon=":material/school:",
        )

    try:
        result = _simulate(cfg)
        figs = _figures(cfg)
    except ValueError as e:
        st.error(f"These settings cannot run: {e}", icon=":material/error:")
        STATE.write_url(cfg)
        return

    with crit_slot:
        st.markdown(_critical_text(result, cfg))
    with preview_slot:
        if cfg.schedule != "constant":
            st.caption("lr per step (first run)")
            preview = F.schedule_preview(result.schedule_preview)
            chart(preview, key="sched_preview", modebar=False, theme=False)  # as st.plotly_chart(theme=None)

    badges = [
        style.badge_html(
            run.label,
            run.traj.regime,
            F.regime_text(run.traj),
            run.traj.explanation,
            colour(k),
        )
        for k, run in enumerate(result.runs)
    ]
    # the map (or 3D view) first, with the loss, lr and gradient-norm charts beside it (under it on a
    # phone), all in the player's frame: the charts follow its step and cost the page no extra work
    # a preset just opened shows its runs whole: the player resets its scrubber when "view" changes
    with main:
        title = presets.PRESETS[pname].title if pname else f"{SURFACE_LABELS.get(cfg.surface, cfg.surface)}"
        spec = {
            **figs["spec"],
            "view": pname or "",
            "present": cfg.present,
            "open_view": cfg.view,  # the view the link asks for ("view" names the preset just opened)
            "title": title,
            "regime_colors": style.REGIME_COLORS,
        }
        descent_player(spec, key=PLAYER_KEY, on_change=_on_player)
        lr_fan = fan_for(cfg)
        if lr_fan.fans is not None:  # hidden (style.FAN_CARRIER): only hands the fan to the player
            with st.container(key=style.FAN_CARRIER):
                fan_carrier(lr_fan.id, lr_fan.text, key=FAN_KEY)
    with side:
        # lr-dependent: hidden while the player's lr slider shows another lr (style.stale_note instead)
        block = f'<div class="lr-badges {style.LR_DEPENDENT}" data-testid="lr-badges">{"".join(badges)}</div>'
        st.html(block + style.stale_note(P.base_lr(cfg), runs=len(result.runs)))
        with st.container(border=True):
            st.markdown(_critical_text(result, cfg))

    d1, d2 = st.columns([1, 2])
    d1.download_button(
        "Download runs (CSV)",
        figs["csv"],
        file_name=f"lrlab-{cfg.surface}-{cfg.optimizer}.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    d2.caption(
        "Every setting is in the address bar: copy the link to share exactly this view.  \n"
        f"`?{C.query_string(cfg)}`"
    )
    STATE.write_url(cfg)

"""The neural-network lab page: widgets -> frozen NNConfig -> cached engine runs -> figures -> render.

Training K learning rates side by side is always shown (loss curves and the decision boundary over
training); below it ONE tool at a time (range test, sweep, sharpness, fine-tuning) is computed, so the
default view stays fast. Every widget keeps its value in ``st.session_state`` under an ``nn.w.``-key;
the URL is the shareable copy of the config (the one codec, :mod:`lrlab.ui.codec`, with the NN lab's
:data:`~lrlab.ui.nn.config.SCHEMA`), as on the explorer.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from lrlab import (
    datasets,
    finetune,
    rangetest,
    sharpness,
    surfaces,
    sweep,
    training,
    verdict,
)
from lrlab.descent import lr_table
from lrlab.figures import colour
from lrlab.figures import nn as F
from lrlab.figures.surface import schedule_preview
from lrlab.ui import style
from lrlab.ui.chart import chart
from lrlab.ui.labels import OPT_LABELS, lr_label
from lrlab.ui.nn import config as N
from lrlab.ui.nn import presets
from lrlab.ui.session import PageState
from lrlab.ui.widgets import optimizer_and_schedule, preset_picker

W = N.W
PRESET_KEY = "nn.preset"
TOAST = "nn._toast"
STATE = PageState(N.SCHEMA, "nn")
GRID = 36  # decision-boundary grid per axis
FRAMES = 20  # snapshots (animation frames) over training, plus the start
TOOL_LABELS = {
    "none": "None",
    "range": "LR range test",
    "sweep": "LR sweep (grid search)",
    "sharpness": "Sharpness vs 2/lr",
    "finetune": "Fine-tuning",
}
DATA_LABELS = {
    "moons": "Two moons",
    "circles": "Circles",
    "spirals": "Spirals",
    "xor": "XOR",
    "blobs": "Gaussian blobs",
    "sin": "1-D regression: sin(x)",
}
SHIFT_LABELS = {
    "translate": "the same data moved by (1, 1)",
    "rotate": "the same data rotated by 90°",
    "flip": "the same points with labels swapped",
}
SHIFTS = {"translate": {"translate": (1.0, 1.0)}, "rotate": {"rotate": 90.0}, "flip": {"flip_labels": True}}
SUGGESTION_LABELS = {"steepest": "steepest slope", "minimum_10": "minimum / 10", "valley": "valley"}


# -- cached engine: each keyed on the part of the config it depends on -------------------------------


def training_key(cfg: N.NNConfig) -> N.NNConfig:
    """``cfg`` with the tool settings reset: training does not depend on them."""
    d = N.DEFAULT
    return replace(
        cfg,
        tool="none",
        rt_steps=d.rt_steps,
        sweep_on=d.sweep_on,
        sweep_min=d.sweep_min,
        sweep_max=d.sweep_max,
        sweep_num=d.sweep_num,
        ft_shift=d.ft_shift,
        ft_lrs=d.ft_lrs,
        ft_steps=d.ft_steps,
    )


def _train(cfg: N.NNConfig, lrs=None, record_every: int | None = None):
    """``training.train`` with ``cfg``'s data, model, optimizer, schedule, batches and steps, at the
    base lrs ``lrs`` (default: the configured ones)."""
    return training.train(
        N.build_model(cfg),
        N.build_data(cfg),
        N.build_optimizer(cfg),
        N.lr_arg(cfg, lrs),
        cfg.steps,
        batch_size=cfg.batch_size(),
        seed=cfg.seed,
        record_every=record_every or cfg.steps,
    )


@st.cache_data(max_entries=32, show_spinner=False)
def _training(cfg: N.NNConfig) -> dict:
    """Train the K lrs (``lr_arg`` always passes K values or K schedules, so the result has a K axis,
    even for K = 1); the loss figure, the boundary figure, and each run's verdict (the engine's,
    :func:`lrlab.verdict.judge`)."""
    data, model = N.build_data(cfg), N.build_model(cfg)
    res = _train(cfg, record_every=max(1, cfg.steps // FRAMES))
    labels = [lr_label(lr) for lr in cfg.lrs]
    v = verdict.judge(res)
    status = list(zip(v.name, v.label, v.sentence, strict=True))
    titles = [f"{lab}<br>{text}" for lab, text in zip(labels, v.label, strict=True)]
    if data.task == "regression":
        lo, hi = float(data.X_train.min()), float(data.X_train.max())
        x = np.linspace(lo, hi, 120)
        preds = F.predictions(model, res.snapshots, x[:, None])
        picture = F.fit_figure(x, preds, res.snapshot_steps, data, labels)
    else:
        xs, ys, pts = datasets.grid(data, GRID, square=True)
        probs = F.predictions(model, res.snapshots, pts)
        picture = F.boundary_figure(xs, ys, probs, res.snapshot_steps, data, titles)
    return {
        "loss": F.loss_curves(res, labels),
        "picture": picture,
        "status": status,
        "labels": labels,
        "n_train": len(data.y_train),
        "n_val": len(data.y_val),
        "task": data.task,
        "n_params": model.n_params,
    }


@st.cache_data(max_entries=16, show_spinner=False)
def _range_test(cfg: N.NNConfig):
    return N.range_test(cfg)


@st.cache_data(max_entries=16, show_spinner=False)
def _suggestion_checks(cfg: N.NNConfig) -> dict:
    """Each range-test suggestion against the run a click on it would train (same settings)."""
    res = _range_test(cfg)
    lrs = [N.nice(v) for v in res.suggestions.values()]
    return rangetest.check_trained(res, _train(cfg, lrs), lrs)


@st.cache_data(max_entries=16, show_spinner=False)
def _sweep(cfg: N.NNConfig):
    lrs = sweep.log_grid(cfg.sweep_min, cfg.sweep_max, cfg.sweep_num)
    if cfg.sweep_on == N.MLP_TARGET:
        res = sweep.sweep_mlp(
            N.build_model(cfg),
            N.build_data(cfg),
            N.build_optimizer(cfg),
            lrs,
            steps=cfg.steps,
            batch_size=cfg.batch_size(),
            seed=cfg.seed,
        )
        return res, 0.0, "Final loss of the network after training, per learning rate (scored on validation)"
    surf = surfaces.make(cfg.sweep_on)
    res = sweep.sweep_surface(surf, N.build_optimizer(cfg), lrs, steps=cfg.steps)
    floor = surf.global_min.value if surf.global_min is not None else None
    return res, floor, f"Final loss on the surface “{cfg.sweep_on}”, per learning rate"


@st.cache_data(max_entries=8, show_spinner=False)
def _sharpness(cfg: N.NNConfig):
    return sharpness.track(
        N.build_model(cfg),
        N.build_data(cfg),
        N.build_optimizer(cfg),
        N.lr_arg(cfg),
        steps=cfg.steps,
        every=max(1, cfg.steps // 25),
        iters=60,
        seed=cfg.seed,
    )


@st.cache_data(max_entries=8, show_spinner=False)
def _finetune(cfg: N.NNConfig) -> dict:
    model, data = N.build_model(cfg), N.build_data(cfg)
    res = finetune.run(
        model,
        data,
        SHIFTS[cfg.ft_shift],
        lrs=cfg.ft_lrs,
        steps=cfg.ft_steps,
        optimizer=N.build_optimizer(cfg),
        batch_size=cfg.batch_size(),
        seed=cfg.seed,
        record_every=max(1, cfg.ft_steps // 50),
    )
    labels = [lr_label(lr) for lr in cfg.ft_lrs]
    old_and_new = replace(  # the grid covers both tasks
        res.original,
        X_train=np.concatenate([res.original.X_train, res.shifted.X_train]),
        y_train=np.concatenate([res.original.y_train, res.shifted.y_train]),
    )
    xs, ys, pts = datasets.grid(old_and_new, GRID, square=True)
    weights = np.concatenate([res.pretrain.final_params[None], res.finetune.final_params])[:, None]
    probs = F.predictions(model, weights, pts)
    titles = ["pretrained"] + [f"fine-tuned<br>{lab}" for lab in labels]
    boundaries = F.boundary_figure(
        xs,
        ys,
        probs,
        [cfg.ft_steps],
        res.shifted,
        titles,
        extra_points=(res.original.X_train, res.original.y_train),
    )
    old = res.original_acc[:, -1]
    new = res.new_acc[:, -1]
    return {
        "curves": F.finetune_figure(res, labels),
        "boundaries": boundaries,
        "summary": [
            (lab, float(res.original_acc[k, 0]), float(old[k]), float(new[k])) for k, lab in enumerate(labels)
        ],
    }


# -- callbacks ------------------------------------------------------------------------------------------


def _use_lrs(lrs: tuple[float, ...], what: str) -> None:
    """A click on a range-test suggestion: train with that lr (or those lrs)."""
    st.session_state[W + "lrs"] = N.lrs_text(lrs)
    st.session_state[TOAST] = f"Training now uses {what}: {N.lrs_text(lrs)}."


# -- widgets --------------------------------------------------------------------------------------------


def _controls() -> tuple[N.NNConfig, list[str]]:
    """The sidebar. Returns (config, problems to show)."""
    ss = st.session_state
    preset_picker(presets.BOOK, STATE, PRESET_KEY)

    st.subheader("Data")
    st.selectbox("Dataset", datasets.names(), format_func=lambda n: DATA_LABELS.get(n, n), key=W + "data")
    c1, c2 = st.columns(2)
    c1.number_input("points", min_value=N.N_MIN, max_value=N.N_MAX, step=32, key=W + "n")
    c2.number_input("noise", min_value=0.0, max_value=N.NOISE_MAX, step=0.05, format="%g", key=W + "noise")
    st.number_input(
        "seed",
        min_value=0,
        max_value=N.SEED_MAX,
        key=W + "seed",
        help="draws the data, the initial weights and the order of the mini-batches",
    )

    st.subheader("Network")
    st.text_input("hidden layers", key=W + "hidden", help=f"widths separated by commas, up to {N.LAYERS_MAX}")
    c1, c2 = st.columns(2)
    c1.selectbox("activation", N.ACTIVATIONS, key=W + "act")
    regression = N.is_regression(ss.get(W + "data", "moons"))
    if regression:
        ss[W + "loss"] = "mse"
    c2.selectbox(
        "loss",
        N.LOSSES,
        format_func=lambda n: {"logistic": "logistic", "mse": "squared error"}[n],
        help="logistic: binary cross-entropy on the logit; squared error: (output − label)²",
        key=W + "loss",
        disabled=regression,
    )

    st.subheader("Learning rates")
    st.text_input(
        "learning rates, side by side",
        key=W + "lrs",
        help=f"1 to {N.MAX_LRS} values in {N.LR_MIN:g} .. {N.LR_MAX:g}, separated by commas",
    )
    preview = optimizer_and_schedule(N.SCHEMA, W + "opt", W + "sched")

    st.subheader("Training")
    c1, c2 = st.columns(2)
    c1.number_input(
        "batch size", min_value=0, max_value=N.BATCH_MAX, step=8, key=W + "batch", help="0 = full batch"
    )
    c2.number_input("steps", min_value=N.STEPS_MIN, max_value=N.STEPS_MAX, step=50, key=W + "steps")

    cfg, problems = N.SCHEMA.from_widgets(ss)
    with preview:
        if cfg.schedule != "constant" or dict(cfg.schedule_params).get("warmup_steps"):
            try:
                table = lr_table(N.build_schedule(cfg, cfg.lrs[0]), cfg.steps)[0]
                st.caption(f"lr per step (lr = {cfg.lrs[0]:g})")
                _chart(schedule_preview(table), "nn_sched_preview", bar=False)
            except ValueError as e:
                problems.append(f"schedule: {e}")
    return cfg, problems


def describe(cfg: N.NNConfig, info: dict) -> str:
    arch = "-".join(str(s) for s in cfg.sizes)
    loss = "squared error" if cfg.task_loss == "mse" else "logistic loss"
    batch = "full batch" if cfg.batch_size() is None else f"mini-batches of {cfg.batch}"
    sched = "" if cfg.schedule == "constant" else f", {cfg.schedule} schedule"
    return (
        f"{DATA_LABELS.get(cfg.dataset, cfg.dataset)} ({info['n_train']} training / {info['n_val']} "
        f"validation points, noise {cfg.noise:g}) · a {arch} {cfg.activation} network "
        f"({info['n_params']} weights), {loss} · {OPT_LABELS.get(cfg.optimizer, cfg.optimizer)}{sched}, "
        f"{batch}, {cfg.steps} steps"
    )


def _chart(fig: dict, key: str, *, bar: bool = True) -> None:
    chart(fig, key=key, modebar=bar)  # the page's own plotly.js, not st.plotly_chart's bundle


# -- tools --------------------------------------------------------------------------------------------


def _tool_range(cfg: N.NNConfig) -> None:
    st.number_input(
        "range-test steps", min_value=N.RT_MIN, max_value=N.RT_MAX, step=20, key=W + "rt_steps", width=220
    )
    with st.spinner(f"Range test: {cfg.rt_steps} steps with the lr growing from 1e-6 to 10…"):
        res = _range_test(cfg)
        checks = _suggestion_checks(cfg)
    _chart(F.range_test_figure(res), "nn_range")
    st.markdown(
        f"**Use a suggestion:** one click trains the network above with it (each was tried for "
        f"{cfg.steps} steps with these settings: what it gives is said under it)."
    )
    cols = st.columns(4)
    for col, (name, lr) in zip(cols, res.suggestions.items(), strict=False):
        what = SUGGESTION_LABELS.get(name, name)
        small = " · too slow" if checks[name].too_small else ""
        col.button(
            f"{what}: lr = {N.nice(lr):g}{small}",
            key=f"nn.use.{name}",
            on_click=_use_lrs,
            args=((N.nice(lr),), f"the {what} suggestion"),
            width="stretch",
        )
        col.caption(checks[name].sentence)
    three = tuple(sorted({N.nice(v) for v in res.suggestions.values()}))
    cols[3].button(
        "compare all three",
        key="nn.use.all",
        on_click=_use_lrs,
        args=(three, "the three suggestions"),
        width="stretch",
    )
    st.caption(
        "Smith (2017), as fastai's lr_find and pytorch-lr-finder: the loss is smoothed (bias-corrected "
        "moving average, weight 0.05) and the test stops once it exceeds 4× its best. **Steepest slope**: "
        "where the loss falls fastest against log lr. **Minimum / 10**: a tenth of the lr at the lowest "
        "loss, safely before the blow-up. **Valley** (fastai's default): halfway down the longest descent."
    )


def _tool_sweep(cfg: N.NNConfig) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.selectbox(
        "sweep on",
        N.sweep_targets(),
        format_func=lambda n: "this network" if n == N.MLP_TARGET else f"surface: {n}",
        key=W + "sweep_on",
    )
    c2.number_input("smallest lr", min_value=N.LR_MIN, max_value=N.LR_MAX, format="%g", key=W + "sweep_min")
    c3.number_input("largest lr", min_value=N.LR_MIN, max_value=N.LR_MAX, format="%g", key=W + "sweep_max")
    c4.number_input(
        "number of lrs", min_value=N.SWEEP_NUM_MIN, max_value=N.SWEEP_NUM_MAX, step=1, key=W + "sweep_num"
    )
    with st.spinner(f"Sweeping {cfg.sweep_num} learning rates, {cfg.steps} steps each…"):
        res, floor, title = _sweep(cfg)
    st.markdown(f"**{title}**")
    _chart(F.sweep_figure(res, floor=floor), "nn_sweep")
    good = [lr for lr, b in zip(res.lrs, res.bands, strict=True) if b == "good"]
    best = (
        f"best lr = {res.best_lr:.3g} (lowest final {res.scored_by} loss)"
        if res.best_lr is not None
        else "every lr diverged"
    )
    band = f"good band {min(good):.3g} … {max(good):.3g}" if good else "no good band"
    st.markdown(f"**{best}** · {band} · constant lr, {cfg.steps} steps, same start for every lr.")
    crit = res.critical
    if crit is not None and crit.diverge is not None:
        st.caption(
            f"Theory on this surface (top curvature λ = {crit.lam:.3g}): steps overshoot the minimum "
            f"above {crit.overshoot:.3g} and diverge above {crit.rule} = {crit.diverge:.3g}."
        )
    st.caption(
        f"Bands: each lr is scored by how many orders of magnitude of the {res.scored_by} loss it removed; "
        "**good** = at "
        "least half as many as the best lr; the rest are **too small** (left of the best) or **too "
        "large** (right of it, or diverged)."
    )


def _tool_sharpness(cfg: N.NNConfig, labels) -> None:
    if cfg.batch_size() is not None:
        st.info("Sharpness is tracked under full-batch training (the batch size is ignored here).")
    with st.spinner("Training full batch and measuring the top Hessian eigenvalue every few steps…"):
        res = _sharpness(cfg)
    _chart(F.sharpness_figure(res, labels), "nn_sharp")
    st.caption(
        "Sharpness = the largest eigenvalue of the training loss's Hessian (power iteration on exact "
        "Hessian-vector products). Gradient descent on a quadratic is stable only while every "
        "curvature is below 2/lr. Cohen et al. (2021): under full-batch GD the sharpness rises until it "
        "reaches about 2/lr, then hovers there while the loss keeps falling, unevenly."
        + ("" if np.isfinite(res.edge).any() else " Adaptive optimizers have no fixed edge 2/lr.")
    )


def _tool_finetune(cfg: N.NNConfig) -> None:
    if N.is_regression(cfg.dataset):
        st.info("Fine-tuning here shifts a 2-D classification task: choose a 2-D dataset.")
        return
    c1, c2, c3 = st.columns([2, 1, 1])
    c1.selectbox("new task", N.SHIFTS, format_func=SHIFT_LABELS.get, key=W + "ft_shift")
    c2.text_input("fine-tuning lrs", key=W + "ft_lrs", help="e.g. 0.01, 1 (small, large)")
    c3.number_input(
        "fine-tuning steps", min_value=N.FT_STEPS_MIN, max_value=N.FT_STEPS_MAX, step=50, key=W + "ft_steps"
    )
    with st.spinner("Pretraining (Adam, lr 0.01, 300 steps), then fine-tuning at each constant lr…"):
        out = _finetune(cfg)
    _chart(out["curves"], "nn_ft")
    lines = [
        f"**{lab}**: original task {100 * a0:.0f}% → {100 * a1:.0f}%, new task {100 * b:.0f}%"
        for lab, a0, a1, b in out["summary"]
    ]
    st.markdown("  \n".join(lines))
    _chart(out["boundaries"], "nn_ft_bound")
    st.caption(
        "Filled markers: the new task; open markers: the original task. Fine-tuning sees only the new "
        "data, so nothing holds the old boundary in place except how far the weights move, and that "
        "is what the lr controls: a small lr keeps what was learned (catastrophic forgetting is "
        "avoided), a large one rewrites it."
    )


# -- page ---------------------------------------------------------------------------------------------


def render() -> None:
    ss = st.session_state
    STATE.sync_from_url()
    with st.sidebar:
        cfg, problems = _controls()

    st.title("LR Lab · neural-network lab")
    note = STATE.notice(cfg)
    if note:
        st.warning(note, icon=":material/link_off:")
    if problems:
        st.error("  \n".join(problems), icon=":material/error:")
    pname = presets.active(cfg)
    if pname:
        p = presets.PRESETS[pname]
        st.info(f"**{p.title}.** {p.description}", icon=":material/school:")
    toast = ss.pop(TOAST, None)
    if toast:
        st.success(toast, icon=":material/check_circle:")

    try:
        with st.spinner(f"Training {len(cfg.lrs)} networks for {cfg.steps} steps…"):
            view = _training(training_key(cfg))
    except ValueError as e:
        st.error(f"These settings cannot run: {e}", icon=":material/error:")
        STATE.write_url(cfg)
        return
    st.caption(describe(cfg, view))

    badges = [
        style.badge_html(lab, name, text, why, colour(k))
        for k, (lab, (name, text, why)) in enumerate(zip(view["labels"], view["status"], strict=True))
    ]
    st.html('<div class="lr-badges" data-testid="nn-badges">' + "".join(badges) + "</div>")
    _chart(view["loss"], "nn_loss")
    if view["task"] == "regression":
        st.markdown("**The fitted curve over training** (▶ Play, or drag the step slider)")
    else:
        st.markdown(
            "**Decision boundary over training**: the colour is the network's P(class 1), white the "
            "boundary (▶ Play, or drag the step slider)"
        )
    _chart(view["picture"], "nn_boundary", bar=False)

    st.divider()
    st.subheader("Learning-rate tools")
    st.segmented_control(
        "tool", N.TOOLS[1:], format_func=TOOL_LABELS.get, key=W + "tool", label_visibility="collapsed"
    )
    try:
        if cfg.tool == "range":
            _tool_range(cfg)
        elif cfg.tool == "sweep":
            _tool_sweep(cfg)
        elif cfg.tool == "sharpness":
            _tool_sharpness(cfg, view["labels"])
        elif cfg.tool == "finetune":
            _tool_finetune(cfg)
        else:
            st.caption("Pick a tool: each one trains more networks, so only the chosen one runs.")
    except ValueError as e:
        st.error(f"This tool cannot run with these settings: {e}", icon=":material/error:")
    st.caption(
        "Every setting is in the address bar: copy the link to share exactly this view.  \n"
        f"`?{N.query_string(cfg)}`"
    )
    STATE.write_url(cfg)

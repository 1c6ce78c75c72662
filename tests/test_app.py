"""The explorer without a browser: AppTest runs of app.py, plus the config -> engine -> figures
pipeline over every surface x optimizer x schedule pairing."""

from __future__ import annotations

import html
import re
from collections.abc import MutableMapping
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lrlab import optimizers, schedules, surfaces
from lrlab.figures import surface as F
from lrlab.ui.codec import notice
from lrlab.ui.explorer import config as C
from lrlab.ui.explorer import pipeline as P
from lrlab.ui.explorer import presets
from lrlab.ui.widgets import NO_PRESET
from tests.conftest import charts, url

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def run_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def badges(at: AppTest) -> list[tuple[str, str]]:
    """(label, regime) of each badge the page shows."""
    found = re.findall(r'data-regime="([a-z_]+)"[^>]*><span class="head">([^<]*)</span>', badge_text(at))
    return [(label, regime) for regime, label in found]


def badge_text(at: AppTest) -> str:
    return next(h.proto.body for h in at.get("html") if "lr-badges" in h.proto.body)


def expected(cfg: C.Config) -> list[tuple[str, str]]:
    result = P.simulate(cfg)
    return [(r.label, r.traj.regime) for r in result.runs]


# -- AppTest ----------------------------------------------------------------------------------------


def test_default_view_badge_matches_engine():
    at = run_app()
    assert badges(at) == expected(C.DEFAULT)
    assert "LR Lab" in at.title[0].value
    # the URL now holds the config
    assert url(at)["lr"] == "0.1" and url(at)["surface"] == "quadratic"
    assert not at.warning


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_every_preset_runs_and_shows_the_regime_it_claims(name):
    preset = presets.PRESETS[name]
    at = run_app(preset.params)
    cfg, problems = C.from_query(preset.params)
    assert problems == []
    shown = badges(at)
    assert shown == expected(cfg)
    assert len(shown) == len(preset.expect)
    for (_, regime), allowed in zip(shown, preset.expect, strict=True):
        assert regime in allowed, (name, shown)
    assert not at.warning and not at.error


def test_badge_explanation_is_the_engines_sentence():
    at = run_app({"lr": "0.55"})
    traj = P.simulate(replace(C.DEFAULT, lr=0.55)).runs[0].traj
    assert traj.regime == "diverged"
    text = badge_text(at)
    assert f"diverged at step {traj.diverged_at}" in text
    assert traj.explanation.replace(">", "&gt;").replace("<", "&lt;") in text


def test_a_url_with_every_parameter_reproduces_the_view():
    cfg = C.Config(
        surface="rosenbrock",
        surface_params=(("b", 50.0),),
        x0=-1.0,
        y0=2.0,
        optimizer="momentum",
        hyper=(("dampening", 0.1), ("momentum", 0.8)),
        lr=0.0005,
        schedule="step",
        schedule_params=(("gamma", 0.5), ("step_size", 40)),
        steps=150,
        compare="multiples",
        multiples=(0.5, 1.0, 3.0),
    )
    q = C.to_query(cfg)
    assert {"surface", "s.b", "x0", "y0", "opt", "o.momentum", "lr", "sched", "sc.step_size", "steps"} <= set(
        q
    )
    at = run_app(q)
    assert not at.warning
    ss = at.session_state
    assert ss["w.surface"] == "rosenbrock" and ss["w.s.rosenbrock.b"] == 50.0
    assert ss["w.opt"] == "momentum" and ss["w.o.momentum.momentum"] == 0.8
    assert ss["w.x0.rosenbrock"] == -1.0 and ss["w.y0.rosenbrock"] == 2.0
    assert ss["w.lr"] == 0.0005 and ss["w.steps"] == 150
    assert ss["w.sched"] == "step" and ss["w.sc.step.step_size"] == 40
    assert ss["w.compare"] == "multiples"
    assert badges(at) == expected(cfg)
    assert url(at) == q  # written back unchanged


def test_malformed_url_values_fall_back_with_one_notice():
    at = run_app(
        {
            "lr": "banana",
            "steps": "-4",
            "opt": "sgdd",
            "surface": "rosenbrock",
            "s.b": "x",
            "zzz": "1",
            "x0": "1e9",
        }
    )
    assert len(at.warning) == 1
    note = at.warning[0].value
    for frag in ("lr='banana'", "steps='-4'", "opt='sgdd'", "s.b='x'", "x0='1e9'"):
        assert frag in note
    assert "zzz" not in note  # unknown keys are ignored
    assert at.session_state["w.lr"] == C.DEFAULT.lr and at.session_state["w.surface"] == "rosenbrock"
    cfg = replace(C.DEFAULT, surface="rosenbrock")
    assert badges(at) == expected(cfg)


def test_changing_the_lr_widget_updates_badge_and_url():
    at = run_app()
    at.number_input(key="w.lr").set_value(0.55).run()
    assert not at.exception
    assert [r for _, r in badges(at)] == ["diverged"]
    assert url(at)["lr"] == "0.55"
    assert at.session_state["w.lr_grid"] == 0.55  # the 1-2-5 grid shows the exact value
    assert "0.55" in at.selectbox(key="w.lr_grid").options  # between 0.5 and 1 on the grid
    at.selectbox(key="w.lr_grid").set_value(0.02).run()
    assert at.session_state["w.lr"] == 0.02
    assert badges(at) == expected(replace(C.DEFAULT, lr=0.02))


def test_preset_picker_applies_a_preset():
    at = run_app()
    at.selectbox(key="explorer.preset").set_value("momentum_ravine").run()
    assert not at.exception
    assert [label for label, _ in badges(at)] == ["SGD", "Momentum"]
    assert url(at)["surface"] == "ravine"
    assert any("Momentum vs SGD" in i.value for i in at.info)


def test_the_active_preset_stays_named_until_a_setting_changes():
    at = run_app()
    at.selectbox(key="explorer.preset").set_value("oscillation").run()
    title = presets.PRESETS["oscillation"].title
    assert any(title in i.value for i in at.info)
    at.run()  # a rerun that changes nothing (a click elsewhere, Play): the note stays
    assert any(title in i.value for i in at.info)
    assert at.selectbox(key="explorer.preset").value == "oscillation"  # the picker names it
    at.number_input(key="w.steps").set_value(120).run()  # a setting the preset set: the story ends
    assert not any(title in i.value for i in at.info)
    assert at.selectbox(key="explorer.preset").value == NO_PRESET


@pytest.mark.parametrize("name", ["divergence", "momentum_ravine", "cyclic_escape"])
def test_a_shared_preset_link_shows_its_story(name):
    at = run_app(presets.PRESETS[name].params)
    assert any(presets.PRESETS[name].title in i.value for i in at.info)
    assert at.selectbox(key="explorer.preset").value == name


def test_bad_custom_formula_shows_inline_error_and_keeps_the_last_good_surface():
    at = run_app({"surface": "custom", "formula": "x**2 + 3*y**2"})
    assert not at.warning
    at.text_input(key="w.formula").set_value("x**2 + import os").run()
    assert not at.exception
    assert any("Formula not understood" in e.value for e in at.error)
    assert url(at)["formula"] == "x**2 + 3*y**2"
    assert len(badges(at)) == 1


def test_engine_value_errors_are_shown_not_raised():
    # a schedule setting the engine refuses, typed into the widget
    at = run_app({"sched": "multistep"})
    at.text_input(key="w.sc.multistep.milestones").set_value("a, b").run()
    assert not at.exception
    assert any("milestones" in e.value for e in at.error)


# -- the pipeline over every pairing ------------------------------------------------------------------


def test_every_surface_optimizer_schedule_pairing_runs():
    """Config -> engine -> figures for each surface x optimizer x schedule (short runs)."""
    count = 0
    for s in C.surface_names():
        base = C.Config(surface=s, formula="x**2 + 3*y**2" if s == C.CUSTOM else "", steps=12, lr=0.01)
        surf = C.build_surface(base)
        for o in optimizers.names():
            for sched in schedules.names():
                cfg = replace(base, optimizer=o, schedule=sched)
                result = P.simulate(cfg, surf)
                assert len(result.runs) == 1
                F.loss_figure(surf, result.runs)
                F.lr_figure(result.runs)
                F.grad_norm_figure(result.runs)
                count += 1
            spec = F.player_spec(surf, result.runs, result.start)
            assert spec["steps"] == 12
        cfg = replace(base, compare="multiples")
        assert len(P.simulate(cfg, surf).runs) == 4
    assert count == len(C.surface_names()) * len(optimizers.names()) * len(schedules.names())


@pytest.mark.parametrize(
    ("query", "n"),
    [
        ({"compare": "list", "lrs": "0.01,0.1,1"}, 3),
        ({"compare": "optimizers", "opts": "sgd,nesterov,rmsprop,adamw"}, 4),
        ({"compare": "multiples", "mult": "1,2", "sched": "plateau"}, 2),
        ({"compare": "multiples", "sched": "cosine"}, 4),
    ],
)
def test_compare_modes_through_the_app(query, n):
    at = run_app(query)
    cfg, _ = C.from_query(query)
    assert len(badges(at)) == n
    assert badges(at) == expected(cfg)


def test_url_round_trip_property():
    for name in presets.PRESETS:
        cfg, problems = C.from_query(presets.PRESETS[name].params)
        again, problems2 = C.from_query(C.to_query(cfg))
        assert problems == problems2 == [] and again == cfg
        assert presets.url_for(name).startswith("surface=")


def test_url_validation_unit():
    cfg, problems = C.from_query({"lr": "2e6", "steps": "1.5", "compare": "list", "lrs": "0.1,nope"})
    assert cfg.lr == C.DEFAULT.lr and cfg.steps == C.DEFAULT.steps
    assert cfg.compare == "list" and cfg.lrs == (C.DEFAULT.lr,)
    assert len(problems) == 3
    assert notice(problems).count("fell back to defaults") == 1
    assert notice([]) is None
    assert surfaces.names()[0] == C.DEFAULT.surface


@pytest.mark.parametrize(
    ("name", "without", "regime"),
    [
        ("step_decay", {"sched": "constant"}, "diverged"),
        ("cyclic_escape", {"sched": "constant"}, "local_minimum"),
    ],
)
def test_schedule_presets_rescue_what_a_constant_lr_does_not(name, without, regime):
    """The schedule presets' claims: with a constant lr the same run diverges / stays stuck."""
    params = {k: v for k, v in presets.PRESETS[name].params.items() if not k.startswith("sc.")}
    cfg, problems = C.from_query({**params, **without})
    assert problems == []
    assert P.simulate(cfg).runs[0].traj.regime == regime


def test_line_charts_are_drawn_by_the_player_not_by_plotly_chart():
    """The loss, lr and gradient-norm charts travel in the player's arguments (one frame, one
    plotly.js), carrying the engine's numbers; the page itself draws no st.plotly_chart for them."""
    import json

    at = run_app({"surface": "quadratic", "lr": "0.6", "steps": "40"})
    assert not at.get("plotly_chart") and not charts(at)  # constant schedule: no preview either
    (player,) = [c for c in at.get("component_instance") if "spec" in json.loads(c.proto.json_args)]
    spec = json.loads(player.proto.json_args)["spec"]
    lines = spec["charts"]
    assert [c["title"] for c in lines] == [
        "Loss above the minimum",
        "Learning rate per step",
        "Gradient norm |∇f|",
    ]
    run = P.simulate(C.from_query({"surface": "quadratic", "lr": "0.6", "steps": "40"})[0]).runs[0]
    assert lines[1]["figure"]["data"][0]["y"][0] == pytest.approx(0.6)
    assert lines[2]["figure"]["data"][0]["y"][1] == pytest.approx(run.traj.grad_norm[1], rel=1e-3)
    marks = [t for t in lines[0]["figure"]["data"] if t["mode"] == "markers+text"]
    assert marks[0]["text"] == [f"diverged at step {run.traj.diverged_at}"]


def test_the_schedule_preview_is_drawn_by_the_chart_component():
    """With a schedule, the sidebar's preview is a chart of the page's own plotly.js (not
    st.plotly_chart), carrying the first run's lr per step."""
    q = {"surface": "quadratic", "lr": "0.1", "sched": "cosine", "steps": "60"}
    at = run_app(q)
    assert not at.get("plotly_chart")
    (preview,) = charts(at)
    table = P.simulate(C.from_query(q)[0]).schedule_preview
    (trace,) = preview["data"]
    assert len(trace["y"]) == len(table) == 60
    assert trace["y"] == pytest.approx(table, rel=1e-3)
    y = trace["y"]
    assert y[0] == pytest.approx(0.1) and y[-1] < 0.05  # cosine annealing: falls at every step
    assert all(a >= b for a, b in zip(y[:-1], y[1:], strict=True))


# -- gradient noise ----------------------------------------------------------------------------------


def test_noise_from_a_link_reaches_the_runs_the_badges_and_the_map():
    import json

    q = presets.PRESETS["noise_decay"].params
    at = run_app(q)
    assert badges(at) == expected(presets.config("noise_decay"))
    for r in P.simulate(presets.config("noise_decay")).runs:  # each badge says the engine's sentence
        assert r.traj.explanation in html.unescape(badge_text(at))
    assert badge_text(at).count("noise ball") >= 2  # the constant and step-decay runs name their ball
    assert url(at)["noise"] == "1" and url(at)["compare"] == "schedules"
    args = [json.loads(c.proto.json_args) for c in at.get("component_instance")]
    (spec,) = [a["spec"] for a in args if "spec" in a]  # the player (the schedule preview is a chart)
    balls = [sh for sh in spec["map"]["layout"]["shapes"] if sh["type"] == "path"]
    assert len(balls) == 2 * 3  # one theory ellipse per run (a halo and a line), above the paths


def test_the_noise_widgets_write_the_url_and_shared_draws():
    at = run_app({"compare": "list", "lrs": "0.05,0.2"})
    assert "noise" not in url(at)
    at.number_input(key="w.noise").set_value(0.8).run()
    at.number_input(key="w.batch").set_value(4).run()
    at.number_input(key="w.seed").set_value(5).run()
    assert not at.exception
    q = url(at)
    assert (q["noise"], q["batch"], q["seed"]) == ("0.8", "4", "5")
    cfg, _ = C.from_query(q)
    assert cfg.sigma == pytest.approx(0.4)
    assert badges(at) == expected(cfg)
    assert any("σ = σ₁/√B = 0.4" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "bad", [{"noise": "-1"}, {"noise": "nan"}, {"noise": "inf"}, {"noise": "0.5", "seed": "x"}]
)
def test_a_bad_noise_link_gets_a_notice_not_a_traceback(bad):
    at = run_app(bad)
    assert len(at.warning) == 1 and ("noise" in at.warning[0].value or "seed" in at.warning[0].value)


def test_in_list_mode_the_unused_lr_controls_are_off_and_say_why():
    at = run_app({"compare": "list", "lrs": "0.05,0.2"})
    assert at.number_input(key="w.lr").disabled and at.selectbox(key="w.lr_grid").disabled
    assert "typed in the list" in at.number_input(key="w.lr").help
    assert not run_app().number_input(key="w.lr").disabled


# -- the lr fan: its own element, sent once; the slider's release in every compare mode -------------


class _State(MutableMapping):
    """AppTest's session state as the page's callbacks see st.session_state (pop, get, ...). A widget
    key stays: AppTest serializes the widgets of the last run before the next one (the page rebuilds
    the select box of the 1-2-5 grid from w.lr; here it keeps its old value, which the lr ignores)."""

    def __init__(self, state):
        self.state = state

    def __getitem__(self, key):
        return self.state[key]

    def __setitem__(self, key, value):
        self.state[key] = value

    def __delitem__(self, key):
        if key not in self.state:
            raise KeyError(key)

    def __iter__(self):
        return iter(self.state.keys())

    def __len__(self):
        return len(list(self.state.keys()))


def _elements(at):
    """(the player's spec, the fan element's proto) of an AppTest run."""
    import json

    from lrlab.ui import player

    found = {c.proto.component_name: c.proto for c in at.get("component_instance")}
    spec = json.loads(found[player._component.name].json_args)["spec"]
    return spec, found.get(player._carrier.name)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"compare": "multiples", "mult": "0.5,1,2,4"},
        {"compare": "list", "lrs": "0.02,0.1,0.3"},
        {"compare": "optimizers", "opts": "sgd,momentum,nesterov,adam"},
        {"compare": "schedules", "scheds": "constant,step,cosine"},
        {"sched": "plateau"},
    ],
    ids=["single", "multiples", "list", "optimizers", "schedules", "plateau"],
)
def test_the_fan_is_its_own_element_unchanged_by_an_lr_release_that_the_url_and_badges_follow(query):
    """The fan element's arguments are byte-identical before and after an lr release (so Streamlit
    sends a reference to the message the browser has), large enough to be cached
    (global.minCachedMessageSize, 10 KB), and named by the player's spec; the release sets the lr (a
    typed list: every lr times one factor), the URL follows, and each run's badge is its fan member's
    verdict at that lr: what the drag showed."""
    import json

    from lrlab.ui.explorer.page import apply_player_value
    from lrlab.ui.player import unpack_fan

    at = run_app({"surface": "quadratic", "lr": "0.1", "steps": "50", **query})
    spec, element = _elements(at)
    args = json.loads(element.json_args)
    assert spec["fan"]["id"] == args["id"] and len(element.SerializeToString()) > 10_000
    fan = unpack_fan(args["fan"])
    assert len(fan["members"]) == len(spec["runs"])
    k = [i for i, v in enumerate(fan["lrs"]) if v == float(f"{v:.3g}") and 0.05 < v < 0.5][-1]  # a grid lr
    lr = fan["lrs"][k]
    apply_player_value(_State(at.session_state), {"lr": lr, "nonce": 1})
    at.run()
    assert not at.exception
    spec2, element2 = _elements(at)
    assert element2.SerializeToString(deterministic=True) == element.SerializeToString(deterministic=True)
    assert spec2["id"] != spec["id"] and spec2["fan"]["id"] == args["id"]
    q = url(at)
    if query.get("compare") == "list":
        assert q["lrs"] == ",".join(f"{v * lr / 0.02:.6g}" for v in (0.02, 0.1, 0.3)) and q["lr"] == "0.1"
        assert spec2["fan"]["lr"] == pytest.approx(lr)
    else:
        assert float(q["lr"]) == lr and spec2["fan"]["lr"] == lr
    assert [regime for _, regime in badges(at)] == [m["regime"][k] for m in fan["members"]]
    assert [run["status"] for run in spec2["runs"]] == [m["status"][k] for m in fan["members"]]

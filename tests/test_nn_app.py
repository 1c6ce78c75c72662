"""The NN lab and the Learn page without a browser: AppTest runs of the pages, the URL round trip, bad
links and widget interactions. Each NN preset's claim is checked on the engine in test_nn_claims.py."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

import pytest
from streamlit.testing.v1 import AppTest

from lrlab import datasets, training, verdict
from lrlab.ui.explorer import config as C
from lrlab.ui.explorer import presets
from lrlab.ui.labels import lr_label
from lrlab.ui.learn import page as learn
from lrlab.ui.nn import config as N
from lrlab.ui.nn import page as nn_lab
from lrlab.ui.nn import presets as nn_presets
from tests.conftest import charts, url

NN_PAGE = """
from lrlab.ui import style
from lrlab.ui.nn import page
style.inject()
page.render()
"""
# the app's three pages, Learn first (AppTest cannot switch to a page that is a function)
LEARN_FIRST = """
import streamlit as st
from lrlab.ui import pages, style
style.inject()
st.navigation([
    st.Page(pages._learn, title="Learn", url_path="learn", default=True),
    pages.explorer(default=False),
    pages.nn(),
]).run()
"""


def run_page(query: dict | None = None, script: str = NN_PAGE) -> AppTest:
    at = AppTest.from_string(script, default_timeout=90)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def badges(at: AppTest) -> list[tuple[str, str, str]]:
    """(label, style regime, verdict) of each run's badge."""
    body = next(h.proto.body for h in at.get("html") if "nn-badges" in h.proto.body)
    found = re.findall(
        r'data-regime="([a-z_]+)"[^>]*><span class="head">([^<]*)</span><span class="pill"[^>]*>. ([^<]*)<',
        body,
    )
    return [(label, regime, verdict) for regime, label, verdict in found]


def n_charts(at: AppTest) -> int:
    """Charts drawn by the chart component (the page's own plotly.js); st.plotly_chart draws none."""
    assert not at.get("plotly_chart")
    return len(charts(at))


@cache
def engine(cfg: N.NNConfig):
    """The page's training, straight from the engine (K-run result)."""
    res = training.train(
        N.build_model(cfg),
        N.build_data(cfg),
        N.build_optimizer(cfg),
        N.lr_arg(cfg),
        cfg.steps,
        batch_size=cfg.batch_size(),
        seed=cfg.seed,
        record_every=max(1, cfg.steps // nn_lab.FRAMES),
    )
    assert res.batched  # K lrs, or K schedules, even for K = 1
    return res


def preset_cfg(name: str) -> N.NNConfig:
    cfg, problems = N.from_query(nn_presets.PRESETS[name].params)
    assert problems == []
    return cfg


def statuses(cfg: N.NNConfig) -> list[tuple[str, str, str]]:
    """(label, verdict, its badge text) of each run, from the engine (lrlab.verdict)."""
    v = verdict.judge(engine(cfg))
    return [(lr_label(lr), v.name[k], v.label[k]) for k, lr in enumerate(cfg.lrs)]


# -- the page ---------------------------------------------------------------------------------------


def test_default_view_matches_the_engine_and_writes_the_url():
    at = run_page()
    assert "neural-network lab" in at.title[0].value
    assert badges(at) == statuses(N.DEFAULT)
    assert [v for _, _, v in badges(at)] == ["too slow", "trained", "loss went up"]
    assert n_charts(at) == 2  # loss curves, decision boundary; no tool runs by default
    loss, boundary = charts(at)
    assert [a["text"] for a in loss["layout"]["annotations"]] == ["training loss", "validation loss"]
    res = engine(N.DEFAULT)
    train = [t for t in loss["data"] if t["xaxis"] == "x" and t["mode"] == "lines"]
    assert [t["name"] for t in train] == ["lr = 0.1", "lr = 1", "lr = 30"]
    assert train[1]["y"][-1] == pytest.approx(res.train_loss[1, -1], rel=1e-3)
    # the boundary animates with Plotly frames (Play and the step slider), one per recorded step
    assert [f["name"] for f in boundary["frames"]] == [str(s) for s in res.snapshot_steps]
    assert {t["type"] for t in boundary["data"]} == {"heatmap", "scatter"}
    # each chart carries its narrow-screen form, in the same look (chart.py themes both layouts)
    for fig in (loss, boundary):
        assert fig["fit"]["narrow"]["template"] == fig["layout"]["template"]
        assert fig["fit"]["below"] > 390  # a phone's column draws the narrow form
    assert url(at) == {"nn_data": "moons", "nn_opt": "sgd", "nn_lrs": "0.1,1,30"}
    assert not at.warning and not at.error


TOOL_CHARTS = {"none": 0, "range": 1, "sweep": 1, "sharpness": 1, "finetune": 2}


@pytest.mark.parametrize("name", list(nn_presets.PRESETS))
def test_every_preset_runs(name):
    cfg = preset_cfg(name)
    at = run_page(nn_presets.PRESETS[name].params)
    assert not at.warning and not at.error, [e.value for e in at.error]
    assert [b[0] for b in badges(at)] == [lr_label(lr) for lr in cfg.lrs]
    preview = cfg.schedule != "constant" or bool(dict(cfg.schedule_params).get("warmup_steps"))
    assert n_charts(at) == 2 + TOOL_CHARTS[cfg.tool] + preview
    assert N.from_query(url(at))[0] == cfg  # the URL written back is the preset


def test_a_url_with_every_parameter_reproduces_the_view():
    cfg = N.NNConfig(
        dataset="circles",
        n=200,
        noise=0.2,
        seed=3,
        hidden=(8, 4),
        activation="relu",
        loss="mse",
        optimizer="momentum",
        hyper=(("momentum", 0.8),),
        schedule="step",
        schedule_params=(("gamma", 0.5), ("step_size", 40)),
        batch=32,
        steps=120,
        lrs=(0.05, 0.2),
        tool="sweep",
        rt_steps=60,
        sweep_on="ravine",
        sweep_min=0.01,
        sweep_max=1.0,
        sweep_num=5,
        ft_shift="rotate",
        ft_lrs=(0.02, 0.5),
        ft_steps=50,
    )
    q = N.to_query(cfg)
    assert len(q) == 24  # every setting (23 fields, hyper and schedule expand to their parameters)
    assert N.from_query(q) == (cfg, [])
    at = run_page(q)
    assert not at.warning and not at.error
    ss = at.session_state
    assert ss["nn.w.data"] == "circles" and ss["nn.w.hidden"] == "8, 4" and ss["nn.w.act"] == "relu"
    assert ss["nn.w.o.momentum.momentum"] == 0.8 and ss["nn.w.sc.step.step_size"] == 40
    assert ss["nn.w.batch"] == 32 and ss["nn.w.lrs"] == "0.05, 0.2" and ss["nn.w.sweep_on"] == "ravine"
    assert badges(at) == statuses(cfg)
    assert url(at) == q  # written back unchanged
    assert n_charts(at) == 2 + 1 + 1  # + the sweep, + the schedule preview


def test_url_round_trip_of_every_preset_and_the_full_config():
    for name, p in nn_presets.PRESETS.items():
        cfg = preset_cfg(name)
        assert N.from_query(N.to_query(cfg)) == (cfg, []), name
        assert N.from_query(N.to_query(cfg, full=True)) == (cfg, []), name
        assert nn_presets.url_for(name).startswith("nn_")
        assert all(k.startswith("nn_") for k in p.params)
    # the explorer's parameters never leak in, and ours never collide with its
    cfg, problems = N.from_query({"lr": "0.5", "surface": "ravine", "opt": "adam"})
    assert cfg == N.DEFAULT and problems == []
    assert not set(N.to_query(N.DEFAULT, full=True)) & set(C.to_query(C.DEFAULT, full=True))


def test_malformed_url_values_fall_back_with_one_notice():
    bad = {
        "nn_lrs": "banana",
        "nn_steps": "-4",
        "nn_opt": "sgdd",
        "nn_data": "mars",
        "nn_hidden": "0,3",
        "nn_noise": "nan",
        "nn_sweep_min": "10",
        "nn_sweep_max": "1",
        "nn_o.weight_decay": "x",
        "nn_zzz": "1",
    }
    cfg, problems = N.from_query(bad)
    assert cfg == N.DEFAULT and len(problems) == 8
    at = run_page(bad)
    assert len(at.warning) == 1
    note = at.warning[0].value
    for frag in ("nn_lrs='banana'", "nn_steps='-4'", "nn_opt='sgdd'", "nn_data='mars'", "nn_hidden='0,3'"):
        assert frag in note
    assert "nn_noise='nan'" in note and "nn_sweep_min=10" in note and "nn_o.weight_decay='x'" in note
    assert "nn_zzz" not in note  # unknown keys are ignored
    assert badges(at) == statuses(N.DEFAULT)
    assert url(at) == N.to_query(N.DEFAULT)  # the link is repaired


def test_regression_data_forces_squared_error():
    cfg, problems = N.from_query({"nn_data": "sin", "nn_loss": "logistic", "nn_lrs": "0.05"})
    assert cfg.loss == "mse" and len(problems) == 1 and "mse" in problems[0]
    at = run_page({"nn_data": "sin", "nn_lrs": "0.05", "nn_tool": "finetune"})
    assert not at.error
    assert any("2-D" in i.value for i in at.info)  # fine-tuning needs a 2-D dataset: said, not raised
    assert badges(at) == statuses(cfg)


def test_typing_learning_rates_retrains_and_updates_the_url():
    at = run_page()
    at.text_input(key="nn.w.lrs").set_value("0.5, 5").run()
    assert not at.exception
    assert [b[0] for b in badges(at)] == ["lr = 0.5", "lr = 5"]
    assert url(at)["nn_lrs"] == "0.5,5"
    at.text_input(key="nn.w.lrs").set_value("0.5, banana").run()
    assert not at.exception
    assert any("learning rates" in e.value and "banana" in e.value for e in at.error)
    assert [b[0] for b in badges(at)] == ["lr = 0.1", "lr = 1", "lr = 30"]  # the defaults, said so


def test_engine_refusals_are_shown_not_raised():
    at = run_page({"nn_sched": "multistep"})
    at.text_input(key="nn.w.sc.multistep.milestones").set_value("a, b").run()
    assert not at.exception and any("milestones" in e.value for e in at.error)


def test_preset_picker_and_tool_picker():
    at = run_page()
    at.selectbox(key=nn_lab.PRESET_KEY).set_value("divergence").run()
    assert not at.exception
    assert any("Divergence" in i.value for i in at.info)
    assert [b[2] for b in badges(at)][-1] == "diverged at step 6"
    assert url(at)["nn_loss"] == "mse"
    at.session_state["nn.w.tool"] = "range"  # AppTest of streamlit 1.55 has no segmented_control
    at.run()
    assert not at.exception and url(at)["nn_tool"] == "range" and n_charts(at) == 3


def test_a_range_test_suggestion_click_trains_with_it():
    at = run_page(nn_presets.PRESETS["lr_finder"].params)
    res = nn_lab._range_test(preset_cfg("lr_finder"))
    valley = N.nice(res.suggestions["valley"])
    # before the click, each suggestion says what training at it gives (the engine's check), and a
    # suggestion the check calls too small says so on its button
    checks = nn_lab._suggestion_checks(preset_cfg("lr_finder"))
    shown = " ".join(c.value for c in at.caption)
    for name, check in checks.items():
        assert check.sentence in shown
        assert ("too slow" in at.button(key=f"nn.use.{name}").label) == check.too_small
    assert checks["valley"].too_small  # on the smooth full-batch moons fastai's valley is too small
    at.button(key="nn.use.valley").click().run()
    assert not at.exception
    assert [b[0] for b in badges(at)] == [lr_label(valley)]
    assert url(at)["nn_lrs"] == f"{valley:g}" and url(at)["nn_tool"] == "range"
    assert any("valley" in s.value for s in at.success)
    at.button(key="nn.use.all").click().run()
    three = sorted({N.nice(v) for v in res.suggestions.values()})
    assert [b[0] for b in badges(at)] == [lr_label(v) for v in three]


# -- the Learn page ----------------------------------------------------------------------------------


def test_every_concept_links_existing_presets_and_every_nn_preset_is_taught():
    linked = set()
    for c in learn.CONCEPTS:
        assert c.links, c.key
        for kind, name in c.links:
            assert learn.preset_title(kind, name)  # KeyError if the preset does not exist
            linked.add((kind, name))
    assert {n for k, n in linked if k == learn.NN} == set(nn_presets.PRESETS)
    assert {n for k, n in linked if k == learn.SURFACE} <= set(presets.PRESETS)
    keys = {c.key for c in learn.CONCEPTS}
    required = {"what_is_lr", "too_high", "too_low", "schedules", "adaptive", "finding_lr", "compare"}
    assert required | {"finetuning", "train_vs_val"} <= keys


def test_learn_page_renders_every_concept_and_button():
    at = run_page(script=LEARN_FIRST)
    assert at.title[0].value.startswith("Learn")
    assert [h.value for h in at.subheader] == [c.title for c in learn.CONCEPTS]
    n_links = sum(len(c.links) for c in learn.CONCEPTS)
    assert len([b for b in at.button if b.key.startswith("learn.")]) == n_links
    assert len(at.latex) >= 10
    table = next(m.value for m in at.markdown if "**small learning rate**" in m.value)
    for row in ("training time", "stability", "risk of overshooting", "precision at the end"):
        assert row in table


@pytest.mark.parametrize(
    ("concept", "kind", "name"),
    [("too_high", learn.SURFACE, "divergence"), ("finetuning", learn.NN, "finetune")],
)
def test_a_learn_button_opens_its_preset(concept, kind, name):
    at = run_page(script=LEARN_FIRST)
    at.button(key=f"learn.{concept}.{kind}.{name}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    if kind == learn.SURFACE:
        assert "surface explorer" in at.title[0].value
        cfg, problems = C.from_query(url(at))
        assert problems == [] and cfg == C.from_query(presets.PRESETS[name].params)[0]
        assert any(presets.PRESETS[name].title in i.value for i in at.info)  # what it shows, said
    else:
        assert "neural-network lab" in at.title[0].value
        assert N.from_query(url(at))[0] == preset_cfg(name)
        assert any(nn_presets.PRESETS[name].title in i.value for i in at.info)  # what it shows, said


def test_every_optimizer_schedule_pairing_trains_and_draws():
    """Config -> engine -> figures for each optimizer x schedule (tiny runs), and each dataset."""
    from lrlab import optimizers, schedules

    base = N.NNConfig(n=48, hidden=(4,), steps=12, lrs=(0.01, 0.1))
    count = 0
    for o in optimizers.names():
        for s in schedules.names():
            view = nn_lab._training(replace(base, optimizer=o, schedule=s))
            assert len(view["status"]) == 2 and view["picture"]["frames"]
            count += 1
    assert count == len(optimizers.names()) * len(schedules.names())
    for d in datasets.names():
        view = nn_lab._training(replace(base, dataset=d))
        assert view["task"] == ("regression" if N.is_regression(d) else "classification")

"""plotly.js on the pages: the vendored cartesian bundle draws every 2D trace the app sends, the full
bundle is needed only by the 3D view, and every component loads the one shared loader.

The trace types are read from what the app really sends (AppTest runs of the explorer, with a
schedule, and of the NN lab with each tool and the regression dataset; the player's own traces from
player.js), and the registered ones from the bundles' text (``moduleType:"trace",name:"..."``, how
plotly.js registers a trace module)."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from lrlab.ui import chart, player, plotlyjs
from tests.conftest import charts

REGISTERED = re.compile(r'moduleType:"trace",name:"(\w+)"')
TYPES_3D = {"surface", "scatter3d"}
EXPLORER = """
from lrlab.ui import style
from lrlab.ui.explorer import page
style.inject()
page.render()
"""
NN = """
from lrlab.ui import style
from lrlab.ui.nn import page
style.inject()
page.render()
"""
NN_VIEWS = [
    {"nn_steps": "60"},
    {"nn_steps": "60", "nn_data": "sin", "nn_lrs": "0.05"},
    {"nn_steps": "60", "nn_tool": "range"},
    {"nn_steps": "60", "nn_tool": "sweep", "nn_sweep_num": "5"},
    {"nn_steps": "60", "nn_tool": "sharpness"},
    {"nn_steps": "60", "nn_tool": "finetune", "nn_ft_steps": "40"},
]


def registered(path) -> set[str]:
    return set(REGISTERED.findall(path.read_text()))


def run(script: str, query: dict) -> AppTest:
    at = AppTest.from_string(script, default_timeout=120)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def types(figures) -> set[str]:
    """Trace types of figure dicts (plotly.js draws a trace without a type as a scatter; frames only
    restyle the figure's own traces)."""
    return {t.get("type", "scatter") for fig in figures for t in fig.get("data", [])}


@pytest.fixture(scope="module")
def sent() -> dict[str, set[str]]:
    """Trace types the app draws in 2D and in the 3D view."""
    at = run(EXPLORER, {"surface": "rastrigin", "opt": "adam", "sched": "cosine", "steps": "40"})
    (inst,) = [c for c in at.get("component_instance") if c.proto.component_name == player._component.name]
    spec = json.loads(inst.proto.json_args)["spec"]
    flat = [{"data": spec["map"]["traces"]}] + [c["figure"] for c in spec["charts"]] + charts(at)
    for q in NN_VIEWS:
        flat += charts(run(NN, q))
    js = (player.SOURCE / "player.js").read_text()
    dynamic = set(re.findall(r'type: "(\w+)"', js))  # the path, head and arrow traces player.js adds
    return {"2d": types(flat) | (dynamic - TYPES_3D), "3d": types([{"data": spec["surface3d"]["traces"]}])}


def test_every_2d_trace_the_app_draws_is_in_the_cartesian_bundle(sent):
    have = registered(plotlyjs.SOURCE / plotlyjs.CARTESIAN)
    assert {"contour", "heatmap", "scatter"} <= sent["2d"]  # the map, the boundary, every line chart
    assert sent["2d"] <= have
    assert not sent["2d"] & TYPES_3D


def test_the_3d_view_needs_the_full_bundle(sent):
    assert sent["3d"] == TYPES_3D  # the surface, its minima and start; player.js adds scatter3d paths
    assert "scatter3d" in re.findall(r'type: "(\w+)"', (player.SOURCE / "player.js").read_text())
    cartesian, full = registered(plotlyjs.SOURCE / plotlyjs.CARTESIAN), registered(plotlyjs.PLOTLY_JS)
    assert not TYPES_3D & cartesian
    assert TYPES_3D <= full and cartesian <= full  # the reader of registrations finds them where they are


def test_the_vendored_bundle_is_the_one_its_readme_names():
    text = (plotlyjs.SOURCE / plotlyjs.CARTESIAN).read_text()
    assert f"plotly.js (cartesian - minified) v{plotlyjs.CARTESIAN_VERSION}\n" in text[:200]
    readme = (plotlyjs.SOURCE / "README.md").read_text()
    digest = hashlib.sha256((plotlyjs.SOURCE / plotlyjs.CARTESIAN).read_bytes()).hexdigest()
    assert f"`plotly.js-cartesian-dist-min` {plotlyjs.CARTESIAN_VERSION}" in readme and digest in readme
    assert "MIT License" in (plotlyjs.SOURCE / "LICENSE").read_text()


def test_the_served_folder_holds_both_bundles_unchanged():
    served = plotlyjs._served()
    assert plotlyjs.NAME == "lrlab.ui.plotlyjs.bundles"
    for name in plotlyjs.VENDORED:
        assert (served / name).read_bytes() == (plotlyjs.SOURCE / name).read_bytes()
    assert (served / plotlyjs.FULL).read_bytes() == plotlyjs.PLOTLY_JS.read_bytes()


@pytest.mark.parametrize("module", [chart, player])
def test_every_component_loads_the_shared_loader_and_no_bundle_of_its_own(module):
    html = (module.SOURCE / "index.html").read_text()
    assert module.LOADER == f"../{plotlyjs.NAME}/{plotlyjs.LOADER}"
    tags = re.findall(r"<script\b[^>]*>", html.replace("\n", " "))
    (tag,) = [t for t in tags if module.LOADER in t]  # one loader, which brings plotly.js
    assert f'src="{module.LOADER}"' in tag and f'data-bundle="{plotlyjs.CARTESIAN}"' in tag
    others = [re.search(r'src="([^"]+)"', t).group(1) for t in tags if t != tag]
    assert all(src in module.FILES and not src.startswith("plotly") for src in others), others  # its own
    assert not list(module.SOURCE.glob("plotly*.js"))  # no copy of plotly.js next to the component


def test_only_the_player_loads_the_full_bundle_and_only_for_3d():
    js = (player.SOURCE / "player.js").read_text()
    assert f'const FULL = "{plotlyjs.FULL}";' in js
    assert len(re.findall(r"(?<!function )loadFull\(\)", js)) == 1  # called once: by build3d (3D view)
    assert re.search(r"function build3d\(\) \{\s+return loadFull\(\)", js)
    assert plotlyjs.FULL not in (chart.SOURCE / "chart.js").read_text()


def test_a_chart_sends_its_figure_as_it_is_under_st_plotly_charts_look():
    fig = {
        "data": [{"type": "scatter", "x": [0, 1], "y": [1, 2]}],
        "layout": {"height": 200, "font": {"size": 9}},
    }
    script = "from lrlab.ui.chart import chart\n"
    script += f"chart({fig!r}, key='a')\nchart({fig!r}, key='b', modebar=False, theme=False)"
    at = run(script, {})
    a, b = [json.loads(c.proto.json_args) for c in at.get("component_instance")]
    themed = a["figure"]["layout"]
    assert a["figure"]["data"] == fig["data"] and themed["height"] == 200 and themed["font"] == {"size": 9}
    assert themed["template"] == {"layout": chart.STREAMLIT_THEME}  # a template: the figure's own wins
    assert a["config"] == chart.MODEBAR and "sendChartToCloud" in a["config"]["modeBarButtonsToRemove"]
    assert b["figure"] == fig and b["config"] == {"displayModeBar": False}

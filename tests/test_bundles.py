"""plotly.js on the pages: the vendored cartesian bundle (LR Lab's partial build of plotly.js, see
``tools/plotlyjs/``) draws every 2D trace the app sends and holds no other, no figure needs a
component the build left out, the full bundle is needed only by the 3D view, and every component
loads the one shared loader.

The trace types are read from what the app really sends (AppTest runs of the explorer, with a
schedule, and of the NN lab with each tool and the regression dataset; the player's own traces from
player.js), and the registered ones from the bundles' text (``moduleType:"trace",name:"..."``, how
plotly.js declares a trace module)."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from lrlab.ui import chart, player, plotlyjs
from tests.conftest import charts
from tests.pageweight import ROOT

RECIPE = ROOT / "tools" / "plotlyjs"  # the build of the cartesian bundle (build.sh, build.mjs)
CARTESIAN = plotlyjs.CARTESIAN
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
def figures() -> dict[str, list[dict]]:
    """The figures the app sends, drawn in 2D (the player's map and charts, every chart component of
    the explorer and the NN lab) and in the 3D view."""
    at = run(EXPLORER, {"surface": "rastrigin", "opt": "adam", "sched": "cosine", "steps": "40"})
    (inst,) = [c for c in at.get("component_instance") if c.proto.component_name == player._component.name]
    spec = json.loads(inst.proto.json_args)["spec"]
    flat = [{"data": spec["map"]["traces"], "layout": spec["map"]["layout"]}]
    flat += [c["figure"] for c in spec["charts"]] + charts(at)
    for q in NN_VIEWS:
        flat += charts(run(NN, q))
    return {"2d": flat, "3d": [{"data": spec["surface3d"]["traces"], "layout": spec["surface3d"]["layout"]}]}


@pytest.fixture(scope="module")
def sent(figures) -> dict[str, set[str]]:
    """Trace types the app draws in 2D and in the 3D view."""
    js = (player.SOURCE / "player.js").read_text()
    dynamic = set(re.findall(r'type: "(\w+)"', js))  # the path, head and arrow traces player.js adds
    return {"2d": types(figures["2d"]) | (dynamic - TYPES_3D), "3d": types(figures["3d"])}


def test_the_cartesian_bundle_holds_exactly_the_2d_traces_the_app_draws(sent):
    have = registered(plotlyjs.SOURCE / plotlyjs.CARTESIAN)
    assert {"contour", "heatmap", "scatter"} <= sent["2d"]  # the map, the boundary, every line chart
    assert sent["2d"] == have  # each one drawable, and no trace's code sent for nothing
    assert not sent["2d"] & TYPES_3D


# where a figure would use each component tools/plotlyjs/build.mjs leaves out (plotly.js ignores the
# keys of a component that is not registered): layout keys, axis keys, trace keys
LEFT_OUT_KEYS = {
    "annotations3d": {"scene"},
    "images": {"images"},
    "rangeslider": {"rangeslider"},
    "rangeselector": {"rangeselector"},
    "grid": {"grid"},
    "errorbars": {"error_x", "error_y"},
}


def keys(tree) -> set[str]:
    """Every dict key anywhere in ``tree`` (a figure: data, layout, frames)."""
    if isinstance(tree, dict):
        return set(tree) | {k for v in tree.values() for k in keys(v)}
    if isinstance(tree, list):
        return {k for v in tree for k in keys(v)}
    return set()


def test_no_2d_figure_needs_a_component_the_bundle_leaves_out(figures):
    header = (plotlyjs.SOURCE / plotlyjs.CARTESIAN).read_text()[:600]
    left_out = re.search(r"components not registered: ([\w, ]+)\n", header).group(1).split(", ")
    build = (RECIPE / "build.mjs").read_text()
    assert re.search(r"const UNUSED = \[([^\]]*)\]", build).group(1).replace('"', "").split(", ") == left_out
    assert set(left_out) <= set(LEFT_OUT_KEYS), "say which keys would need the newly left-out component"
    used = keys(figures["2d"])
    assert {"annotations", "shapes", "updatemenus", "sliders", "legend"} <= used  # the reader finds keys
    for name in left_out:
        assert not LEFT_OUT_KEYS[name] & used, name


def test_the_3d_view_needs_the_full_bundle(sent):
    assert sent["3d"] == TYPES_3D  # the surface, its minima and start; player.js adds scatter3d paths
    assert "scatter3d" in re.findall(r'type: "(\w+)"', (player.SOURCE / "player.js").read_text())
    cartesian, full = registered(plotlyjs.SOURCE / plotlyjs.CARTESIAN), registered(plotlyjs.PLOTLY_JS)
    assert not TYPES_3D & cartesian
    assert TYPES_3D <= full and cartesian <= full  # the reader of registrations finds them where they are


def test_the_vendored_bundle_is_the_one_its_readme_and_build_recipe_name():
    text = (plotlyjs.SOURCE / plotlyjs.CARTESIAN).read_text()
    version = plotlyjs.CARTESIAN_VERSION
    title = f"* plotly.js (LR Lab partial bundle: scatter, contour, heatmap - minified) v{version}\n"
    assert title in text[:200]
    readme = (plotlyjs.SOURCE / "README.md").read_text()
    digest = hashlib.sha256((plotlyjs.SOURCE / plotlyjs.CARTESIAN).read_bytes()).hexdigest()
    assert f"plotly.js {version}" in readme and digest in readme and "sh tools/plotlyjs/build.sh" in readme
    assert "MIT License" in (plotlyjs.SOURCE / "LICENSE").read_text()
    # the recipe pins that version, the lock file holds it, and the build registers the header's traces
    assert json.loads((RECIPE / "package.json").read_text())["devDependencies"]["plotly.js"] == version
    lock = json.loads((RECIPE / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/plotly.js"]["version"] == version
    traces = re.search(r"const TRACES = \[([^\]]*)\]", (RECIPE / "build.mjs").read_text()).group(1)
    assert {"scatter", *traces.replace('"', "").split(", ")} == registered(plotlyjs.SOURCE / CARTESIAN)


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

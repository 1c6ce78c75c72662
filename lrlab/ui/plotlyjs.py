"""The one plotly.js of every page: a folder Streamlit serves, shared by all of the app's components.

Two bundles, both plotly.js 4.1.1 (the version inside plotly 7.1):

* :data:`CARTESIAN` (``plotly-cartesian.min.js``): LR Lab's partial bundle of plotly.js 4.1.1 (the
  npm package, with only the ``scatter``, ``contour`` and ``heatmap`` traces and the components the
  figures use), built by ``tools/plotlyjs/build.sh`` and vendored in ``components/plotlyjs/`` with
  its licence (see the README there). Every 2D chart (contour, heatmap, scatter, frames with Play
  and slider) draws with it: ~0.38 MB gzip on the wire.
* :data:`FULL` (``plotly.min.js``): the full bundle of the installed plotly Python package, copied
  here at run time (no CDN: the app works offline). Only the descent player's 3D view needs it
  (``surface``, ``scatter3d``) and loads it when the 3D view is opened: ~1.48 MB gzip.

One download per page, however many charts: every component's ``index.html`` (the descent player,
:mod:`lrlab.ui.chart`) first loads ``../<NAME>/loader.js`` (:data:`NAME` is this component's name;
the pages spell it out, a test checks it), which runs a bundle of this folder in its frame. Streamlit
serves component files with ``Cache-Control: public`` and no expiry or validator, so the browser's
cache does not help: two frames asking for one URL downloaded it twice (measured). The loader keeps
the first download in the page, as a ``blob:`` URL on the parent window, and every other frame of
the tab runs it from there (``loader.js`` says how). The component declared here is never rendered:
it only makes Streamlit serve the folder.

The folder is a copy (Streamlit refuses symlinks that leave the served folder) in the temporary
directory, named by a digest of its content, so processes that share the machine share it safely.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import plotly
import streamlit.components.v1 as components

SOURCE = Path(__file__).parent / "components" / "plotlyjs"
CARTESIAN = "plotly-cartesian.min.js"
CARTESIAN_VERSION = "4.1.1"  # npm plotly.js it is built from; the file's header says the same
FULL = "plotly.min.js"
LOADER = "loader.js"  # runs a bundle in a component's frame, one download per page (see its header)
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / FULL
VENDORED = (CARTESIAN, "LICENSE", "README.md", LOADER)


def _served() -> Path:
    """The served folder: the vendored files plus the package's full bundle, keyed by their content."""
    digest = hashlib.sha256()
    for name in VENDORED:
        digest.update((SOURCE / name).read_bytes())
    digest.update(str(PLOTLY_JS.stat().st_size).encode() + plotly.__version__.encode())
    target = Path(tempfile.gettempdir()) / f"lrlab-plotlyjs-{digest.hexdigest()[:12]}"
    if not (target / FULL).exists():
        tmp = Path(tempfile.mkdtemp(prefix="lrlab-plotlyjs-"))
        for name in VENDORED:
            shutil.copy2(SOURCE / name, tmp / name)
        shutil.copy2(PLOTLY_JS, tmp / FULL)
        try:
            tmp.rename(target)
        except OSError:  # another process won the race: use theirs
            shutil.rmtree(tmp, ignore_errors=True)
    return target


_assets = components.declare_component("bundles", path=str(_served()))
NAME = _assets.name  # "lrlab.ui.plotlyjs.bundles": the URL segment the components' pages load from

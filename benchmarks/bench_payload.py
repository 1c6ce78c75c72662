"""Payload: the size of the animated surface figure (the descent player's spec) for 3 runs.

The app builds what the browser receives in ``lrlab.ui.explorer.page._figures``:
``lrlab.ui.explorer.pipeline.simulate(cfg)`` then ``lrlab.figures.surface.player_spec(surface, runs, start)``;
Streamlit sends the spec as the player component's JSON arguments (``json.dumps``, compact).
Sizes are measured with ``lrlab.figures.surface.payload_bytes`` (compact JSON, as sent) and, for an
idea of the wire after the websocket's per-message deflate, gzip level 6 of the same bytes.

Two scenarios, 3 runs each (compare = typed list of lrs):
* the default surface (quadratic) with SGD at lr 0.01, 0.1, 0.3 (no optimizer internals to draw);
* Rosenbrock with Adam at lr 0.001, 0.01, 0.05: slow runs whose coordinates never round to 0, plus
  Adam's momentum arrows and per-axis effective lr: the heavy case.

Steps 100, 300, 1000 and 3000 (the app's own cap is ``lrlab.ui.explorer.config.STEPS_MAX``; 3000 goes through
the same builders with a Config made directly). Linearity: a least-squares line size = a + b*steps
over the four points, and its largest relative residual.

``--wire`` also serves the app and reads the component's ``json_args`` from a real rerun over the
websocket (``stclient``), for the steps the app accepts.

Run: ``python benchmarks/bench_payload.py [--wire]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
from dataclasses import replace

import numpy as np

from lrlab.figures import surface as F
from lrlab.ui.explorer import config as C
from lrlab.ui.explorer import pipeline as P

STEPS = (100, 300, 1000, 3000)
SCENARIOS = {
    "quadratic, sgd, lr 0.01/0.1/0.3": dict(compare="list", lrs=(0.01, 0.1, 0.3)),
    "rosenbrock, adam, lr 0.001/0.01/0.05": dict(
        surface="rosenbrock", optimizer="adam", compare="list", lrs=(0.001, 0.01, 0.05), lr=0.01
    ),
}
BUDGET_KB = 600


def spec_for(cfg: C.Config) -> dict:
    """The player spec exactly as ``lrlab.ui.explorer.page._figures`` builds it."""
    surf = C.build_surface(cfg)
    result = P.simulate(cfg, surf)
    return F.player_spec(surf, result.runs, result.start, focus=0, hint="Click the map to start a run there.")


def sizes(cfg: C.Config) -> tuple[int, int, dict]:
    spec = spec_for(cfg)
    raw = json.dumps(spec, separators=(",", ":"), allow_nan=False).encode()
    assert len(raw) == F.payload_bytes(spec)
    parts = {
        "static": len(json.dumps([spec["map"], spec["surface3d"]], separators=(",", ":"))),
        "runs": len(json.dumps(spec["runs"], separators=(",", ":"))),
    }
    return len(raw), len(gzip.compress(raw, 6)), parts


def rows() -> list[tuple[str, str]]:
    out = []
    for name, kw in SCENARIOS.items():
        base = replace(C.DEFAULT, **kw)
        measured = []
        for steps in STEPS:
            n, nz, parts = sizes(replace(base, steps=steps))
            measured.append(n)
            flag = ""
            if steps == 1000:
                flag = f"  ({'within' if n <= BUDGET_KB * 1000 else 'OVER'} the {BUDGET_KB} KB budget)"
            out.append(
                (
                    f"payload {name}, {steps:4d} steps",
                    f"{n / 1000:7.1f} KB JSON, {nz / 1000:6.1f} KB gzip; "
                    f"static {parts['static'] / 1000:.0f} KB + runs {parts['runs'] / 1000:.0f} KB" + flag,
                )
            )
        x, y = np.array(STEPS, float), np.array(measured, float)
        b, a = np.polyfit(x, y, 1)
        resid = float(np.max(np.abs(a + b * x - y) / y))
        out.append(
            (
                f"  linear fit {name}",
                f"{a / 1000:.1f} KB + {b:.0f} B/step; max residual {resid:.1%}",
            )
        )
    return out


async def _wire(steps_list) -> list[tuple[str, str]]:
    from stclient import Client, Server

    out = []
    with Server() as srv:
        for name, kw in SCENARIOS.items():
            c = Client(srv.ws_url)
            await c.connect()
            await c.rerun("")
            for steps in steps_list:
                cfg = replace(C.DEFAULT, **kw, steps=steps)
                q = "&".join(f"{k}={v}" for k, v in C.to_query(cfg).items())
                r = await c.rerun(q)
                out.append(
                    (
                        f"wire {name}, {steps:4d} steps",
                        f"component args {r.component_bytes / 1000:7.1f} KB; "
                        f"all ForwardMsgs of the rerun {r.n_bytes / 1000:7.1f} KB",
                    )
                )
            await c.close()
    return out


def wire_rows() -> list[tuple[str, str]]:
    steps_list = [s for s in STEPS if s <= C.STEPS_MAX] + [C.STEPS_MAX]
    return asyncio.run(_wire(sorted(set(steps_list))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wire", action="store_true", help="also measure a served app's websocket messages")
    args = ap.parse_args()
    rs = rows() + (wire_rows() if args.wire else [])
    width = max(len(r[0]) for r in rs)
    for name, val in rs:
        print(f"{name:<{width}}  {val}")


if __name__ == "__main__":
    main()

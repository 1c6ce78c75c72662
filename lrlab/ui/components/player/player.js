/* LR Lab descent player: a Streamlit component (v1 protocol, no build step).

Python sends the figure ONCE per change as a plain spec (see lrlab/figures/surface.py, player_spec):
static traces (the contour / surface, the minima, the start) plus, per run, the whole path. The map
is drawn in two layers: plotly.js draws the static part once per spec (contour, minima, start, the
arrows' legend), and overlay.js draws the moving part (paths, heads, arrows, noise balls, "left at
step k") by hand in an SVG layer above it. Play, scrubbing, the keys and the lr slider's drag redraw
only that layer: the contour's DOM is never touched while the runs move (the browser tests check the
same nodes before and after). No Plotly frames, so the payload is linear in the number of steps.

Plugins (present.js, export.js, and view plugins such as a slice view) get a small API instead of
reaching into this closure. A plugin file pushes a function onto window.lrlabPlayerPlugins:

  (window.lrlabPlayerPlugins = window.lrlabPlayerPlugins || []).push(function (api) { ... });

  api.spec() / api.step() / api.view() / api.isPlaying()   the state
  api.setPlaying(on)                                       Play / Pause
  api.send(type, data)                                     a message to Streamlit
  api.keyHooks.push((keydown event) -> true if handled)
  api.renderHooks.push((spec of each render message) -> void)
  api.figureAt(t, width, height) -> {data, layout}         the map at step t as one plotly figure
  api.sceneAt(t, k) -> scene                               run k alone at step t, for LRLabOverlay
  api.project(gd) -> {proj, area} | null                   data -> pixels of a plotly.js div
  api.currentView()                                        the plugin view shown, null for Map, 3D
  api.room(el) -> px                                       the screen's height under el (Infinity)
  api.fmt(v) -> text                                       a number as the readout writes it
  api.load(src) -> Promise                                 a script of this folder, run once
  api.adapter                                              the one adapter to plotly.js (plotAxes)
  api.addView({                                            a view beside Map and 3D
    id: "slice", label: "Slice",
    available(spec) -> bool,      // whether its button shows for this spec
    mount(div),                   // once: an empty div of its own, placed and sized like the map
    draw(spec, step) -> Promise,  // shown, or new runs (a new spec, an lr drag): draw it all
    step(spec, step),             // the step changed (Play, scrub, keys): a cheap update
    slide(ctx, t, box) -> Promise,  // optional: on a slide (slides.js), in box {x, y, width, height}
  })

A view's button also sets the URL (view=<id>: the component's value {view}); spec.open_view opens it.

The player hides the other views when one is shown and calls draw / step where it draws its own
map: draw when the view is shown, when a new spec arrives while it is shown, and when the lr
slider's drag puts other runs in spec.runs (every run is replaced in place: the same objects every
view reads; run.fanIndex says which fan run it is, -1 for the server's); step on every step change
while it is shown. A view whose available(spec) turns false is left for the map.
*/
(function () {
  "use strict";

  // ---- plotly.js: the page's cartesian bundle, and the full one for the 3D view only -------------
  // index.html's loader (lrlab/ui/components/plotlyjs/loader.js: one download per page, shared by
  // every component) ran the cartesian bundle before this file. The map and the line charts draw
  // with it: this local name keeps it when the full bundle, which the 3D view's surface and scatter3d
  // need, overwrites window.Plotly. The full bundle is loaded on the first opening of the 3D view, as
  // an instance of its own that draws only div3d.
  const Plotly = window.Plotly;
  const FULL = "plotly.min.js";
  let fullBundle = null; // Promise of the full bundle's Plotly
  function loadFull() {
    if (!fullBundle) {
      fullBundle = window.lrlabPlotlyjs.load(FULL).then(
        () => {
          const full = window.Plotly;
          window.Plotly = Plotly; // the cartesian instance stays the global one
          return full;
        },
        (err) => {
          fullBundle = null; // a later opening tries again
          throw new Error("the 3D view could not load plotly.js (" + err.message + ")");
        },
      );
    }
    return fullBundle;
  }

  // ---- Streamlit component protocol (what streamlit-component-lib does, by hand) ----------------
  function send(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data || {}), "*");
  }
  let lastHeight = -1;
  function setHeight() {
    const h = Math.ceil(document.documentElement.getBoundingClientRect().height) + 4;
    if (h !== lastHeight) {
      lastHeight = h;
      send("streamlit:setFrameHeight", { height: h });
    }
  }

  // ---- the one adapter to plotly.js internals ----------------------------------------------------
  // plotly.js has no public call for "the pixel of a data value" (to draw the moving layer over the
  // map, to move the step cursor over a chart without redrawing it), "the axis ranges drawn now"
  // (they change by zoom, pan, autosize and scaleanchor's constraint) or "the data point under a
  // click anywhere in the plot area" (plotly_click fires on traces only). They need the axis objects
  // of gd._fullLayout (_offset and _length: the plot area in px; range; l2p / p2d: linear value <->
  // pixel), the plot area's drag layer (.nsewdrag) and the legend's box (.legend: the verdict and the
  // readout go under it). They are stable across plotly.js 1.x-4.x;
  // pyproject.toml bounds plotly below 8 for this reason, and the browser tests exercise each use.
  // player.css hides plotly.js's hover label (.hoverlayer) while the overlay's own label for a
  // path shows, and a chart's traces (.scatterlayer) while its overlay draws the dragged lr's line.
  // Nothing else in the player reads internals.
  const plotAxes = {
    // {x, y, width, height} of the plot area in the div's pixels, or null before the first draw
    area(gd) {
      const fl = gd._fullLayout;
      if (!fl || !fl.xaxis || !fl.yaxis) return null;
      return { x: fl.xaxis._offset, y: fl.yaxis._offset, width: fl.xaxis._length, height: fl.yaxis._length };
    },
    // the axis ranges drawn now {x: [x0, x1], y: [y0, y1]} (linear axes), or null
    ranges(gd) {
      const fl = gd._fullLayout;
      if (!fl || !fl.xaxis || !fl.yaxis) return null;
      return { x: fl.xaxis.range.slice(), y: fl.yaxis.range.slice() };
    },
    // the horizontal pixel (in the div) of the x value v, or NaN
    xPixel(gd, v) {
      const fl = gd._fullLayout;
      return fl && fl.xaxis ? fl.xaxis._offset + fl.xaxis.l2p(v) : NaN;
    },
    // the data point [x, y] under a mouse event's client position, or null
    dataAt(gd, clientX, clientY) {
      const fl = gd._fullLayout;
      const drag = gd.querySelector(".nsewdrag");
      if (!fl || !fl.xaxis || !drag) return null;
      const r = drag.getBoundingClientRect();
      return [fl.xaxis.p2d(clientX - r.left), fl.yaxis.p2d(clientY - r.top)];
    },
    // {x, y, width, height} of the legend in the div's pixels (its drawn box, .legend), or null
    legendBox(gd) {
      const l = gd.querySelector(".legend");
      if (!l) return null;
      const r = l.getBoundingClientRect();
      const d = gd.getBoundingClientRect();
      return { x: r.left - d.left, y: r.top - d.top, width: r.width, height: r.height };
    },
    // a PNG data: URL of a figure {data, layout} (public API; here so export.js needs no Plotly of its own)
    image(figure, opts) {
      return Plotly.toImage(figure, Object.assign({ format: "png" }, opts));
    },
  };

  // ---- the page around the frame (same origin): its lr-dependent text during a preview ------------
  // The page's badge and any sentence it writes about the server's lr are marked lr-dependent
  // (lrlab/ui/explorer/page.py). While the lr slider shows another lr of the fan, the player sets
  // data-lr-preview on the page's <html>, and the page's CSS (lrlab/ui/style.py) hides those blocks
  // and shows "updates when you release the slider" in their place: no text on the page claims a
  // verdict for an lr that is not drawn. Released (a new spec), or the frame gone: the mark goes.
  // Outside a same-origin page (a test page) nothing happens. Nothing else touches the page's DOM.
  const page = {
    root() {
      try {
        const top = window.parent;
        return top !== window && top.location.origin === location.origin ? top.document.documentElement : null;
      } catch (e) {
        return null;
      }
    },
    // on: whether the player shows another lr than the server's; the page is told only when that
    // flips (a change of its root's attribute restyles the whole page: not at every move of a drag)
    shown: null, // unknown until first told (a frame made after another may find its mark)
    preview(on) {
      if (on === page.shown) return;
      const root = page.root();
      if (!root) return;
      page.shown = on;
      if (on) root.setAttribute("data-lr-preview", "");
      else root.removeAttribute("data-lr-preview");
    },
  };
  window.addEventListener("pagehide", () => page.preview(false));

  // ---- the lr fan, from its own element (same origin) ----------------------------------------------
  // The fan (every run the lr slider can show) does not depend on the lr, the spec does: it is the
  // argument of a hidden element of its own (lrlab/ui/player.py fan_carrier), which Streamlit sends
  // once and then, while only the lr changes, as a reference to the message the browser has. That
  // element's frame (components/fan/carrier.js) keeps the fan's text on the page under
  // "__lrlabFan:" + id and fires "lrlab-fan" there; spec.fan.id names the fan this spec goes with.
  // The text is deflated JSON in base64 (lrlab/ui/player.py pack_fan, 4-6x smaller): inflated here
  // with the browser's DecompressionStream and parsed in this frame (no object of another frame is
  // kept), once per fan. This is the only place the player reads another frame's data.
  const fanStore = {
    KEY: "__lrlabFan:",
    parsed: { id: null, fan: null }, // the last fan parsed
    loading: { id: null, promise: null },
    waiting: null, // {id, fn}: the fan the spec names, until its text is on the page
    host() {
      try {
        const top = window.parent;
        return top !== window && top.location.origin === location.origin ? top : null;
      } catch (e) {
        return null;
      }
    },
    inflate(text) {
      const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
      return new Response(stream).text().then(JSON.parse);
    },
    // fn(fan) once the fan `id` is here: at once if it is parsed, else when its text is on the page
    want(id, fn) {
      fanStore.waiting = null;
      if (fanStore.parsed.id === id) {
        fn(fanStore.parsed.fan);
        return;
      }
      fanStore.waiting = { id: id, fn: fn };
      fanStore.look();
    },
    look() {
      const w = fanStore.waiting;
      const top = fanStore.host();
      const text = w && top ? top[fanStore.KEY + w.id] : undefined;
      if (typeof text !== "string") return;
      fanStore.waiting = null;
      if (fanStore.loading.id !== w.id) {
        fanStore.loading = { id: w.id, promise: fanStore.inflate(text) };
      }
      fanStore.loading.promise.then((fan) => {
        fanStore.parsed = { id: w.id, fan: fan };
        w.fn(fan);
      }, (err) => console.warn("LR Lab: the lr fan could not be read:", err));
    },
  };
  (function () {
    const top = fanStore.host();
    if (!top) return;
    const onFan = () => fanStore.look();
    top.addEventListener("lrlab-fan", onFan);
    window.addEventListener("pagehide", () => top.removeEventListener("lrlab-fan", onFan));
  })();

  // ---- state ------------------------------------------------------------------------------------
  const el = (id) => document.getElementById(id);
  const mapBox = el("mapbox");
  const mapDiv = el("map");
  const overlay = window.LRLabOverlay.create(el("mapover"));
  const tip = el("pathtip");
  const div3d = el("surf3d");
  const scrub = el("scrub");
  const playBtn = el("play");
  const label = el("steplabel");
  const readout = el("readout");
  const speedSel = el("speed");
  const followBox = el("follow");
  const chartsDiv = el("charts");
  let chartDivs = []; // one plot div per line chart (spec.charts), each with a step cursor
  let spec = null;
  let step = 0;
  let playing = false;
  let lastTick = 0;
  let carry = 0;
  let view = "map";
  let askedView = null; // the view the page's URL names (spec.open_view), as the page last sent it
  let built3d = false;
  let Plotly3D = null; // the full bundle's Plotly, once loaded (loadFull)
  let staticMap = 0; // number of static traces before the arrows' legend entries on the map
  let static3d = 0;
  const plugins = []; // views added by plugins (api.addView)

  const fmt = (v) => {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
    return Number(v.toPrecision(4)).toString();
  };

  // index of the last recorded (finite) point at or before t
  function headIndex(run, t) {
    let i = Math.min(t, run.x.length - 1);
    while (i > 0 && (run.x[i] === null || run.y[i] === null)) i--;
    return i;
  }

  // ---- what the map shows at step t (data coordinates) -------------------------------------------
  // One scene, two drawings: overlay.js draws it on screen, mapDynamic() turns it into plotly.js
  // traces for the slides (api.figureAt).
  const ARROW_STYLE = {
    grad: { color: "#000", dash: "solid", width: 3.5 },
    vel: { color: "#6a3d9a", dash: "dot", width: 3.5 },
    step: { dash: "dash", width: 2.5, opacity: 0.9 }, // in the focused run's colour
  };

  // the focused run's arrows at step t, for the update that leaves it: the plain gradient step
  // -lr*grad, the momentum buffer step -lr*v and the step actually taken; {key, available, x0..y1}
  function arrowParts(t) {
    const focus = spec.runs[spec.focus];
    const keys = ["grad", "vel", "step"];
    if (!focus) return keys.map((key) => ({ key: key, available: false, live: false, color: ARROW_STYLE[key].color || "#444" }));
    const live = t < focus.x.length - 1 && focus.x[t] !== null && focus.x[t + 1] !== null;
    const x0 = live ? focus.x[t] : null;
    const y0 = live ? focus.y[t] : null;
    const vec = {
      grad: focus.gstep ? [focus.gstep[0][t], focus.gstep[1][t]] : null,
      vel: focus.vstep ? [focus.vstep[0][t], focus.vstep[1][t]] : null,
      step: live ? [focus.x[t + 1] - x0, focus.y[t + 1] - y0] : null,
    };
    return keys.map((key) => {
      const v = vec[key];
      const ok = live && v && v[0] !== null && v[1] !== null && isFinite(v[0]) && isFinite(v[1]);
      return {
        key: key,
        available: key === "step" || !!(key === "grad" ? focus.gstep : focus.vstep),
        live: !!ok,
        x0: x0,
        y0: y0,
        x1: ok ? x0 + v[0] : null,
        y1: ok ? y0 + v[1] : null,
        color: ARROW_STYLE[key].color || focus.color,
      };
    });
  }

  // the edge of the map's box a point on it lies on (where "left at step k" is written inside)
  function edgeOf(x, y) {
    const bx = spec.map.layout.xaxis.range;
    const by = spec.map.layout.yaxis.range;
    const d = { left: Math.abs(x - bx[0]), right: Math.abs(x - bx[1]), bottom: Math.abs(y - by[0]), top: Math.abs(y - by[1]) };
    return Object.keys(d).reduce((a, b) => (d[b] < d[a] ? b : a));
  }
  const exitText = (k) => "left at step " + k;

  // the noise balls: the layout's path shapes ("M x,y L x,y ... Z", lrlab/figures/surface.py
  // ball_shapes), drawn by the overlay above the paths on screen; with a colour, that run's only
  // (each ball is a white halo, then the line in its run's colour)
  function balls(color) {
    const all = (spec.map.layout.shapes || []).filter((s) => s.type === "path").map((s) => ({
      points: s.path.replace(/[MZ]/g, "").split("L").map((p) => p.trim().split(",").map(Number)),
      color: s.line.color,
      width: s.line.width,
    }));
    return color ? all.filter((b, i) => b.color === color || (all[i + 1] && all[i + 1].color === color)) : all;
  }

  // the map's scene at step t: every run, or run k alone (api.sceneAt, one small map per run)
  // a run's points up to n, with the points that only join two points off the map left out (null):
  // a step from far left to far right of a diverging run would cross the box as a line the run never
  // walked on; a step leaving or entering the box is kept (the overlay clips it at the edge). The box
  // is the map's range at step t (the surface's box, or the grown one when following the run).
  function onMap(run, n, r) {
    const off = (i) => run.x[i] === null || run.y[i] === null ||
      run.x[i] < r.x[0] || run.x[i] > r.x[1] || run.y[i] < r.y[0] || run.y[i] > r.y[1];
    const x = run.x.slice(0, n);
    const y = run.y.slice(0, n);
    for (let i = 0; i < n; i++) {
      if (off(i) && (i === 0 || off(i - 1)) && (i === n - 1 || off(i + 1))) {
        x[i] = null;
        y[i] = null;
      }
    }
    return { x: x, y: y };
  }

  function sceneAt(t, k) {
    const one = k !== undefined;
    const picked = one ? [spec.runs[k]] : spec.runs;
    const box = followRanges(one ? 1 : followScaleAt(t)); // the small maps do not follow the runs
    const runs = picked.map((run) => {
      const n = Math.min(t, run.x.length - 1) + 1;
      const h = headIndex(run, t);
      const ok = run.x[h] !== null && run.y[h] !== null;
      const path = onMap(run, n, box);
      return {
        x: path.x, y: path.y, head: ok ? [run.x[h], run.y[h]] : null, h: h,
        color: run.color, dash: run.dash || "solid", symbol: run.symbol || "circle", name: run.name,
      };
    });
    const hidden = new Set(mapHiddenArrows());
    const arrows = (one && k !== spec.focus ? [] : arrowParts(t)).filter((a) => a.live && !hidden.has(a.key)).map((a) =>
      Object.assign({}, ARROW_STYLE[a.key], { x0: a.x0, y0: a.y0, x1: a.x1, y1: a.y1, color: a.color }));
    const exits = [];
    picked.forEach((run) => {
      const e = run.exit;
      if (e && t >= e[0]) exits.push({ x: e[1], y: e[2], color: run.color, text: exitText(e[0]), side: edgeOf(e[1], e[2]) });
    });
    // following the run beyond the surface's box: the box's outline (where the contour is)
    const around = !one && followScale > 1 ? [boxOutline()] : [];
    return { runs: runs, arrows: arrows, exits: exits, balls: around.concat(balls(one ? picked[0].color : null)) };
  }

  function boxOutline() {
    const bx = spec.map.layout.xaxis.range;
    const by = spec.map.layout.yaxis.range;
    return { points: [[bx[0], by[0]], [bx[1], by[0]], [bx[1], by[1]], [bx[0], by[1]]], color: "#555", width: 1.5 };
  }

  // the arrows' legend entries the student switched off on the map (public gd.data: legend clicks)
  function mapHiddenArrows() {
    const data = mapDiv.data || [];
    return ["grad", "vel", "step"].filter((_, j) => data[staticMap + j] && data[staticMap + j].visible === "legendonly");
  }

  // the arrows as plotly.js traces: drawn (export) or as legend entries only (the map on screen:
  // plotly.js lists no trace without a point, so theirs is one point a billion boxes away, never in
  // sight whatever the zoom, the autorange being off)
  function arrowTraces(t, legendOnly) {
    const names = spec.arrow_names;
    const far = 1e9 * Math.abs(spec.map.layout.xaxis.range[1] - spec.map.layout.xaxis.range[0]);
    return arrowParts(t).map((a) => {
      const st = ARROW_STYLE[a.key];
      const draw = !legendOnly && a.live;
      const tr = {
        type: "scatter",
        mode: "lines+markers",
        x: draw ? [a.x0, a.x1] : legendOnly ? [far] : [],
        y: draw ? [a.y0, a.y1] : legendOnly ? [far] : [],
        line: { color: a.color, width: st.width, dash: st.dash },
        marker: { symbol: ["circle", "arrow"], size: [1, 16], angleref: "previous", color: a.color },
        name: names[a.key],
        hoverinfo: "skip",
        showlegend: a.available,
        legendgroup: "arrows:" + names[a.key],
      };
      if (st.opacity) tr.opacity = st.opacity;
      return tr;
    });
  }

  // the moving part of the map at step t as plotly.js traces (the slides export draws these)
  function mapDynamic(t) {
    const sc = sceneAt(t);
    const traces = [];
    sc.runs.forEach((r, k) => {
      const run = spec.runs[k];
      traces.push({
        type: "scatter", mode: "lines+markers", x: r.x, y: r.y, name: run.legend, legendgroup: run.name,
        showlegend: !!spec.run_legend, line: { color: r.color, width: 3.5, dash: r.dash },
        marker: { color: r.color, size: 5 }, connectgaps: false,
        hovertemplate: run.name + "<br>x=%{x:.4g}<br>y=%{y:.4g}<extra></extra>",
      });
      traces.push({
        type: "scatter", mode: "markers", x: r.head ? [r.head[0]] : [], y: r.head ? [r.head[1]] : [],
        name: run.name + " (now)", legendgroup: run.name, showlegend: false,
        marker: { color: r.color, size: 17, line: { color: "#000", width: 2.5 }, symbol: r.symbol },
        hovertemplate: run.name + " at step " + r.h + "<br>x=%{x:.4g}<br>y=%{y:.4g}<extra></extra>",
      });
    });
    traces.push(...arrowTraces(t, false));
    sc.exits.forEach((e) => {
      traces.push({
        type: "scatter", mode: "markers+text", x: [e.x], y: [e.y], text: [e.text], showlegend: false,
        textposition: { left: "middle right", right: "middle left", top: "bottom center" }[e.side] || "top center",
        textfont: { color: e.color, size: 16 }, hoverinfo: "skip",
        marker: { color: "#fff", size: 16, line: { color: e.color, width: 3.5 } },
      });
    });
    return traces;
  }

  // ---- the map: the base plot (plotly.js, once per spec) and the overlay (every move) -------------
  const plotConfig = { responsive: true, displaylogo: false, scrollZoom: false,
                       modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] };
  let scene = null; // the scene on screen (for the path label)
  let liveRanges = null; // the ranges during a pan or zoom drag (plotly_relayouting), else null
  let mapHeight = 0; // the map's height as last drawn (a hidden map has none): the views' height

  // the projection of the overlay: data -> the pixels of the div gd (the map's; linear axes, the
  // adapter's numbers), with the ranges of a pan or zoom drag if given
  function projection(gd, live) {
    const area = plotAxes.area(gd);
    const r = live || plotAxes.ranges(gd);
    if (!area || !r) return null;
    const sx = area.width / (r.x[1] - r.x[0]);
    const sy = area.height / (r.y[1] - r.y[0]);
    const proj = (x, y) => [area.x + (x - r.x[0]) * sx, area.y + (r.y[1] - y) * sy];
    return { proj: proj, area: area }; // no read of the div's size here: a move would force a layout
  }

  function drawOverlay() {
    if (!spec || view !== "map") return;
    const p = projection(mapDiv, liveRanges);
    if (!p) return;
    scene = sceneAt(step);
    overlay.draw(scene, p.proj, p.area);
  }

  // ---- "follow the run": the axes grow with the paths drawn so far -------------------------------
  // Never smaller than the surface's box, centred on it, equal scales kept (scaleanchor); they grow
  // in steps of √2 (a relayout redraws the contour, so not at every frame), and scrubbing back
  // shrinks them again. The contour stays on the box, where the surface was computed.
  const GROW = Math.SQRT2;
  let followScale = 1;

  function followScaleAt(t) {
    if (!followBox.checked) return 1;
    const bx = spec.map.layout.xaxis.range;
    const by = spec.map.layout.yaxis.range;
    const cx = (bx[0] + bx[1]) / 2;
    const cy = (by[0] + by[1]) / 2;
    const hx = (bx[1] - bx[0]) / 2;
    const hy = (by[1] - by[0]) / 2;
    let s = 1;
    spec.runs.forEach((run) => {
      const n = Math.min(t, run.x.length - 1);
      for (let i = 0; i <= n; i++) {
        if (run.x[i] === null || run.y[i] === null) continue;
        s = Math.max(s, Math.abs(run.x[i] - cx) / hx, Math.abs(run.y[i] - cy) / hy);
      }
    });
    if (s <= 1) return 1;
    return Math.pow(GROW, Math.ceil(Math.log(s * 1.08) / Math.log(GROW))); // 8%: the head off the edge
  }

  function followRanges(s) {
    const bx = spec.map.layout.xaxis.range;
    const by = spec.map.layout.yaxis.range;
    const grow = (r) => [(r[0] + r[1]) / 2 - (s * (r[1] - r[0])) / 2, (r[0] + r[1]) / 2 + (s * (r[1] - r[0])) / 2];
    return { x: grow(bx), y: grow(by) };
  }

  // the map at the current step: the overlay, after the axes if following the run changes them
  let relayouting = null;
  function drawMap() {
    const s = followScaleAt(step);
    if (s !== followScale && !relayouting) {
      followScale = s;
      const r = followRanges(s);
      relayouting = Plotly.relayout(mapDiv, { "xaxis.range": r.x, "yaxis.range": r.y }).then(() => {
        relayouting = null;
        drawMap(); // the step may have moved on meanwhile
      });
      return;
    }
    if (!relayouting) drawOverlay();
  }

  // ---- the step -------------------------------------------------------------------------------------
  function drawStep(t) {
    showStep(t);
    if (view === "map") drawMap();
    else if (view === "3d") {
      if (built3d) restyleAll(dyn3d(step), div3d, static3d, Plotly3D);
    } else {
      const v = pluginView(view);
      if (v) v.step(spec, step);
    }
  }

  // everything about the step that is not a plot: scrubber, label, readout, chart cursors
  function showStep(t) {
    step = Math.max(0, Math.min(t, spec.steps));
    scrub.value = String(step);
    label.textContent = "step " + step + " / " + spec.steps;
    updateReadout();
    chartDivs.forEach(placeCursor);
  }

  function fillFocus() {
    const sel = el("focus");
    sel.replaceChildren();
    spec.runs.forEach((run, k) => {
      const o = document.createElement("option");
      o.value = String(k);
      o.textContent = run.name;
      sel.appendChild(o);
    });
    const none = document.createElement("option");
    none.value = "-1";
    none.textContent = "none";
    sel.appendChild(none);
    sel.value = String(spec.focus);
  }

  // ---- the 3D view (the full bundle): restyled per step, as before ---------------------------------
  function dyn3d(t) {
    const traces = [];
    spec.runs.forEach((run) => {
      const n = Math.min(t, run.x.length - 1) + 1;
      const h = headIndex(run, t);
      const lift = (spec.surface3d.layout.meta || {}).lift || 0; // just above the surface, not inside it
      const z = run.loss.slice(0, n).map((v) => (v === null ? null : v + lift));
      traces.push({
        type: "scatter3d",
        mode: "lines",
        x: run.x.slice(0, n),
        y: run.y.slice(0, n),
        z: z,
        name: run.legend,
        line: { color: run.color, width: 7 },
        hoverinfo: "skip",
      });
      traces.push({
        type: "scatter3d",
        mode: "markers",
        x: [run.x[h]],
        y: [run.y[h]],
        z: [run.loss[h] === null ? null : run.loss[h] + lift],
        showlegend: false,
        marker: { color: run.color, size: 7, line: { color: "#000", width: 2 } },
        hoverinfo: "skip",
      });
    });
    return traces;
  }

  function restyleAll(traces, plotDiv, offset, P, named) {
    // only the dynamic traces are touched; the static ones (the surface, minima) keep their data;
    // `named`: their legend's names too (other runs: an lr drag)
    const update = { x: traces.map((tr) => tr.x), y: traces.map((tr) => tr.y) };
    if (traces.length && traces[0].z !== undefined) update.z = traces.map((tr) => tr.z);
    if (named) update.name = traces.map((tr) => tr.name || "");
    const idx = traces.map((_, i) => offset + i);
    return (P || Plotly).restyle(plotDiv, update, idx);
  }

  // ---- line charts (loss, lr, gradient norm per step): drawn once per spec -----------------------
  // The current step is a vertical line over each chart: a plain absolutely positioned element moved
  // with CSS, so scrubbing and playing never redraw the charts.
  const chartConfig = plotConfig; // the same mode bar and behaviour as the map

  function placeCursor(d) {
    const area = plotAxes.area(d);
    const cur = d._lrlabCursor;
    if (!area || !cur || !spec) return;
    const px = plotAxes.xPixel(d, step);
    const inside = isFinite(px) && px >= area.x - 0.5 && px <= area.x + area.width + 0.5;
    cur.hidden = !inside;
    if (!inside) return;
    cur.style.left = px.toFixed(1) + "px";
    cur.style.top = area.y + "px";
    cur.style.height = area.height + "px";
  }

  function buildCharts() {
    const charts = spec.charts || [];
    if (chartDivs.length !== charts.length) {
      chartsDiv.replaceChildren();
      chartDivs = charts.map(() => {
        const box = document.createElement("div");
        box.className = "chart";
        const head = document.createElement("h3");
        const wrap = document.createElement("div");
        wrap.className = "chartplot";
        const d = document.createElement("div");
        const cur = document.createElement("div");
        cur.className = "cursor";
        cur.hidden = true;
        const over = document.createElementNS("http://www.w3.org/2000/svg", "svg");
        over.setAttribute("class", "chartover");
        over.setAttribute("aria-hidden", "true");
        wrap.append(d, over, cur);
        d._lrlabOver = window.LRLabOverlay.create(over);
        box.append(head, wrap);
        chartsDiv.appendChild(box);
        d._lrlabCursor = cur;
        d._lrlabHead = head;
        return d;
      });
    }
    return Promise.all(charts.map((c, i) => {
      const d = chartDivs[i];
      d._lrlabHead.replaceChildren(document.createTextNode(c.title));
      if (c.note) {
        const u = document.createElement("span");
        u.className = "unit";
        u.textContent = " " + c.note;
        d._lrlabHead.appendChild(u);
      }
      // the div keeps the chart's height whatever plotly.js does inside it (a full redraw empties
      // it for a moment): the frame's height, and so the page's layout, never follow a redraw
      d.style.height = c.figure.layout.height + "px";
      const p = Plotly.react(d, c.figure.data, c.figure.layout, chartConfig);
      if (!d._lrlabWired && d.on) {
        d._lrlabWired = true;
        d.on("plotly_afterplot", () => placeCursor(d));
        d.on("plotly_relayout", () => placeCursor(d));
      }
      return Promise.resolve(p).then(() => {
        d.parentNode.classList.remove("live"); // plotly.js's line is the spec's run again
        placeCursor(d);
      });
    }));
  }

  // ---- the charts follow the lr slider's drag -------------------------------------------------------
  // A chart's redraw by plotly.js (~6 ms, more on a busy machine) would push the map's frame over its
  // budget, and in fan mode the charts' axes are fixed over the whole fan (lrlab/figures/surface.py
  // fan_ranges): so during a drag each chart's line (and its "diverged at step k" mark) is drawn by
  // hand in the chart's own overlay, in the same frame as the map, over plotly.js's line, which is
  // hidden meanwhile (.chartplot.live). Once the drag pauses (PAUSE_MS), plotly.js redraws the charts
  // with the new data, one per frame right after a paint, and each overlay gives way: hover, zoom and
  // the slides see plotly.js's charts again.
  const PAUSE_MS = 200;
  let fanDrawn = -1; // the fan index drawn in spec.runs (-1: the server's runs)
  let chartFan = []; // per chart, the fan index plotly.js's lines show
  let chartPause = null;

  function afterPaint(fn) {
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = fn;
      ch.port2.postMessage(null);
    });
  }

  // the fan's "diverged at step d" mark on a chart: where lrlab/figures/parts.py stop_mark puts it
  function stopAt(y, d) {
    let last = Math.min(d, y.length) - 1;
    while (last >= 0 && (y[last] === null || !isFinite(y[last]))) last--;
    return last < 0 ? null : { x: last, y: y[last], text: "diverged at step " + d };
  }

  // chart j's series for run k as drawn (0: loss above the minimum, 1: lr, 2: gradient norm): its fan
  // member's run, or the server's own line
  function chartSeries(j, k) {
    const run = spec.runs[k];
    const c = spec.charts[j];
    const y = run.fanIndex >= 0 ? [run.gap, run.lr, fanData.members[k].gnorm[run.fanIndex]][j] : c._lines[k].y;
    const stop = j !== 1 && run.diverged_at !== null ? stopAt(y, run.diverged_at) : null;
    return { y: y, stop: stop, color: run.color, line: c._lines[k].line };
  }

  // the chart's lines by hand, on its fixed axes (linear steps, log values)
  function liveChart(j) {
    const d = chartDivs[j];
    const area = plotAxes.area(d);
    const r = plotAxes.ranges(d);
    if (!area || !r) return;
    const c = spec.charts[j];
    const log = c.figure.layout.yaxis.type === "log";
    const sx = area.width / (r.x[1] - r.x[0]);
    const sy = area.height / (r.y[1] - r.y[0]);
    const proj = (x, y) => {
      const v = log ? (y > 0 ? Math.log10(y) : null) : y;
      return v === null ? null : [area.x + (x - r.x[0]) * sx, area.y + (r.y[1] - v) * sy];
    };
    const series = spec.runs.map((_, k) => chartSeries(j, k));
    d._lrlabOver.draw({
      runs: series.map((sr) => ({ x: sr.y.map((_, i) => i), y: sr.y, head: null, color: sr.line.color,
                                  dash: sr.line.dash, width: sr.line.width, dot: 0 })),
      arrows: [], exits: [], balls: [],
      marks: series.filter((sr) => sr.stop).map((sr) => Object.assign({ color: sr.color }, sr.stop)),
    }, proj, area);
    d.parentNode.classList.add("live");
  }

  // plotly.js redraws chart j with the runs drawn: the server's own traces, or each run's line and
  // a mark trace (loss and |∇f|: empty unless the run diverged), then its overlay gives way
  function redrawChart(j) {
    const c = spec.charts[j];
    let data = c._server;
    if (fanDrawn >= 0) {
      data = [];
      spec.runs.forEach((_, k) => {
        const sr = chartSeries(j, k);
        data.push(Object.assign({}, c._lines[k], { y: sr.y }));
        if (j === 1) return;
        data.push({
          type: "scatter", mode: "markers+text", x: sr.stop ? [sr.stop.x] : [], y: sr.stop ? [sr.stop.y] : [],
          text: sr.stop ? [sr.stop.text] : [], textposition: "bottom right",
          textfont: { color: sr.color, size: 15 }, marker: { symbol: "x", size: 14, color: sr.color },
          showlegend: false, hoverinfo: "skip",
        });
      });
    }
    c.figure.data = data;
    const d = chartDivs[j];
    chartFan[j] = fanDrawn;
    return Promise.resolve(Plotly.react(d, data, c.figure.layout, chartConfig)).then(() => {
      if (chartFan[j] === fanDrawn) d.parentNode.classList.remove("live");
    });
  }

  // once the drag pauses: the charts that lag behind, one per frame after the paint
  function chartTick() {
    const j = chartFan.findIndex((v) => v !== fanDrawn);
    if (j < 0 || !spec || !fanData) {
      if (spec && fanData) document.body.dataset.chartsFanIndex = String(fanDrawn); // tests, benchmarks
      return;
    }
    redrawChart(j).then(() => afterPaint(chartTick));
  }

  // after a move: every chart's line follows by hand now, plotly.js's once the drag pauses
  function chartsFollow() {
    if (!fanData) return;
    chartDivs.forEach((_, j) => liveChart(j));
    clearTimeout(chartPause);
    chartPause = setTimeout(() => afterPaint(chartTick), PAUSE_MS);
  }

  // whether the page already says run's lr is lr: its name ("2× · lr = 0.2") or the lr slider's
  // value, which every run of several optimizers shares (not a schedule's lr of a later step)
  function saysLr(run, lr) {
    const shown = fanDrawn >= 0 && fanData ? fanData.lrs[fanDrawn] : spec.fan ? spec.fan.lr : null;
    return run.name.includes("lr = " + fmt(lr)) || (shown !== null && fmt(lr) === fmt(shown));
  }

  // each run's line: its colour, its name (its lr), then for one run "(its regime): loss, lr" (the
  // lr slider's verdict says the rest), for several its regime word in its colour and where its lr
  // sits against its optimizer's lines ("above 2/λ"), then its loss at this step, and its lr at this
  // step where the page does not say it already (a schedule's)
  function updateReadout() {
    readout.replaceChildren();
    const several = spec.runs.length > 1;
    spec.runs.forEach((run, k) => {
      const span = document.createElement("span");
      span.className = "run";
      span.dataset.regime = run.regime;
      const sw = document.createElement("span");
      sw.className = "sw";
      sw.style.background = run.color;
      span.appendChild(sw);
      const gone = run.diverged_at !== null && step >= run.diverged_at;
      let text;
      if (several) {
        const pill = document.createElement("span");
        pill.className = "pill";
        pill.style.background = (spec.regime_colors || {})[run.regime] || "#333";
        pill.textContent = run.status;
        pill.title = run.explanation || "";
        span.append(document.createTextNode(run.name + " "), pill);
        if (run.side_short) {
          const side = document.createElement("span");
          // "above 2/λ", "between ((1−β)/(1+β))²/λ and (2+2β)/((1+2β)λ)": it wraps between its
          // words only, never inside a formula (at a slash)
          side.className = "side";
          run.side_short.split(" ").forEach((word) => {
            const w = document.createElement("span");
            w.textContent = word;
            side.append(" ", w);
          });
          span.appendChild(side);
        }
        text = gone ? ", " : ": ";
      } else {
        text = run.name + (gone ? ": diverged at step " + run.diverged_at + ", " : " (" + run.status + "): ");
      }
      if (gone) {
        // the lr of its last update (its verdict and its lr, as for a run still going)
        const lr = run.lr[Math.max(0, Math.min(run.diverged_at, run.lr.length) - 1)];
        text = saysLr(run, lr) ? text.replace(/, $/, "") : text + "lr " + fmt(lr);
      } else {
        const i = Math.min(step, run.loss.length - 1);
        text += "loss " + fmt(run.loss[i]);
        // the lr of the update leaving this step; at the last step, the last update's
        const j = Math.min(step, run.lr.length - 1);
        if (j >= 0 && !saysLr(run, run.lr[j])) text += ", lr " + fmt(run.lr[j]); // a schedule's lr now
        if (k === spec.focus && run.eff && step < run.lr.length) {
          text += ", effective lr x " + fmt(run.eff[0][step]) + " · y " + fmt(run.eff[1][step]);
        }
      }
      if (several) {
        const detail = document.createElement("span");
        detail.className = "detail"; // its loss and lr: hidden in the compact readout
        detail.textContent = text;
        span.appendChild(detail);
      } else span.appendChild(document.createTextNode(text));
      readout.appendChild(span);
    });
  }

  // ---- the map's size ------------------------------------------------------------------------------
  // the map keeps x and y at the same scale: on a narrow screen a shorter plot, not white space
  function plotMargin() {
    // a phone-width legend wraps onto more rows: leave it room under the x axis
    const m = Object.assign({}, spec.map.layout.margin);
    const w = mapDiv.clientWidth || document.body.clientWidth || 600;
    if (w < 520) m.b += 30;
    return m;
  }

  // projector-first: the room left for the map (or the element node) under the frame's top on the
  // screen (the page is the same origin), so the map, Play and the readout show without scrolling;
  // Infinity outside a page
  function screenRoom(node) {
    try {
      const fe = window.frameElement;
      if (!fe) return Infinity;
      const top = Math.max(0, fe.getBoundingClientRect().top);
      return window.parent.innerHeight - top - (node || mapBox).getBoundingClientRect().top - 12;
    } catch (e) {
      return Infinity;
    }
  }

  function plotHeight() {
    const w = mapDiv.clientWidth || document.body.clientWidth || 600;
    const m = plotMargin();
    const fit = (w - m.l - m.r) * (spec.aspect || 1) + m.t + m.b + (spec.legend_px || 70);
    const room = screenRoom();
    // up to the screen's room (a 1080p projector gets a bigger map than spec.height), never below 260;
    // a phone scrolls: its map takes the full width whatever is above it (the lr slider, the verdict)
    const cap = isFinite(room) && w >= 520 ? Math.max(260, room) : Math.max(spec.height, fit);
    return Math.round(Math.max(260, Math.min(cap, fit)));
  }

  // the map's height, margins and legend: when the screen's height, not the frame's width, limits the
  // map, its legend moves from under it to its right (the width is spare), so the map gets that height
  const LEGEND_W = 175;
  function mapFit() {
    const w = mapDiv.clientWidth || document.body.clientWidth || 600;
    const m = plotMargin();
    const height = plotHeight();
    const room = screenRoom();
    const aspect = spec.aspect || 1;
    const under = (w - m.l - m.r) * aspect + m.t + m.b + (spec.legend_px || 70); // legend under it
    if (isFinite(room) && w >= 520 && under > room + 20) {
      const b = 60; // the x axis and its title only
      const side = Math.max(260, Math.min(room, (w - m.l - 10 - LEGEND_W) * aspect + m.t + b));
      const plotW = (side - m.t - b) / aspect;
      const plotUnder = Math.min(w - m.l - m.r, (height - m.t - m.b - (spec.legend_px || 70)) / aspect);
      if (plotW > 150 && plotW > plotUnder) {
        const margin = Object.assign({}, m, { b: b, r: Math.max(10, w - m.l - plotW) });
        const legend = Object.assign({}, spec.map.layout.legend, {
          orientation: "v", xref: "paper", x: 1.03, xanchor: "left", yref: "paper", y: 1, yanchor: "top",
        });
        return { height: Math.round(side), margin: margin, legend: legend, beside: true };
      }
    }
    return { height: height, margin: m, legend: spec.map.layout.legend, beside: false };
  }

  // ---- the verdict and the readout under the legend, beside the map -------------------------------
  // When the screen's height limits the map (a projector), its legend stands in the spare width to its
  // right, and so do the fan's verdict and the readout, under the legend: the rows above the map are
  // fewer and the map taller. Back above the map when they would not fit there, in the 3D and plugin
  // views (no legend column) and on a phone.
  const mapSide = el("mapside");
  const rowsHome = el("main");
  let sideFits = true; // false once they did not fit beside this spec's map
  // the compact readout: each run's name and verdict word only (its side of the lines and its loss
  // hidden; the word's tooltip keeps the sentence), when several runs' full rows would not fit beside
  // the map on a screen whose height limits it (a projector): beside it, or above it in fewer rows
  let compact = false;
  function setCompact(on) {
    if (compact === on) return;
    compact = on;
    readout.classList.toggle("compact", on);
    holdReadout();
  }
  function rowsBeside(on) {
    const rows = [el("fanverdict"), readout];
    if (on === (rows[1].parentNode === mapSide)) return;
    if (on) mapSide.append(...rows);
    else rows.forEach((r) => rowsHome.parentNode.insertBefore(r, rowsHome));
    mapSide.hidden = !on;
    if (window.LRLabFan) window.LRLabFan.hold(); // the verdict's box is measured where it stands
    holdReadout(); // and so is the readout's
  }

  // the map's fit (mapFit) with the rows beside it if the legend is, else above it
  function fitMap() {
    rowsBeside(sideFits && view === "map");
    let fit = mapFit();
    if (!fit.beside && !mapSide.hidden) {
      rowsBeside(false);
      fit = mapFit();
    }
    return fit;
  }

  // under the legend, as wide as the room right of the plot; if they reach below the map's box, the
  // compact readout (several runs), and if that still does not fit, back above the map
  function placeSide() {
    if (mapSide.hidden) return;
    const area = plotAxes.area(mapDiv);
    if (!area) return;
    const leg = plotAxes.legendBox(mapDiv);
    const left = leg ? leg.x + 4 : area.x + area.width + 12;
    mapSide.style.left = Math.round(left) + "px";
    mapSide.style.width = Math.max(100, Math.floor(mapDiv.clientWidth - left - 2)) + "px";
    mapSide.style.top = Math.round((leg ? leg.y + leg.height : area.y) + 8) + "px";
    // the rows stay inside the map's box (right of the x axis and its title, which stand under the plot)
    const bottom = Math.max(area.y + area.height + 40, mapDiv.clientHeight - 2);
    const below = () => mapSide.offsetTop + mapSide.offsetHeight > bottom;
    if (below() && !compact && spec.runs.length > 1) setCompact(true); // then the rows are shorter
    if (below()) {
      sideFits = false;
      const fit = fitMap();
      delete fit.beside;
      Plotly.relayout(mapDiv, fit).then(setHeight);
    }
  }

  let lastWidth = 0;
  let lastRoom = 0;
  // the map (or a plugin's view) sized again for the room it has now
  function refit() {
    lastWidth = mapBox.clientWidth;
    lastRoom = screenRoom();
    if (view === "map") {
      sideFits = true;
      setCompact(false);
      const fit = fitMap();
      delete fit.beside;
      Plotly.relayout(mapDiv, fit).then(setHeight);
    }
    else sizePlugins();
  }
  window.addEventListener("resize", () => {
    if (!spec) return;
    if (Math.abs(mapBox.clientWidth - lastWidth) < 8 && Math.abs(screenRoom() - lastRoom) < 8) return;
    refit();
  });

  // ---- building a spec ------------------------------------------------------------------------------
  // the base map: the static traces, the arrows' legend entries and the layout without the noise
  // balls (the overlay draws them above the paths)
  function baseFigure() {
    const fit = fitMap();
    delete fit.beside;
    const layout = Object.assign({}, spec.map.layout, fit, { uirevision: spec.uirevision, shapes: [] });
    followScale = followScaleAt(step);
    const r = followRanges(followScale);
    layout.xaxis = Object.assign({}, layout.xaxis, { range: r.x });
    layout.yaxis = Object.assign({}, layout.yaxis, { range: r.y });
    return { data: spec.map.traces.concat(arrowTraces(step, true)), layout: layout };
  }

  function build(withCharts) {
    staticMap = spec.map.traces.length;
    if (withCharts !== false) {
      sideFits = true; // a new spec: try beside the map again, in full
      setCompact(false);
    }
    lastWidth = mapBox.clientWidth;
    lastRoom = screenRoom();
    built3d = false;
    scrub.max = String(spec.steps);
    label.style.minWidth = ("step " + spec.steps + " / " + spec.steps).length + "ch"; // no jitter on Play
    step = Math.max(0, Math.min(step, spec.steps));
    const fig = baseFigure();
    const p = Plotly.react(mapDiv, fig.data, fig.layout, plotConfig).then(drawOverlay);
    if (view === "3d") build3d();
    else if (view !== "map") drawPlugin(pluginView(view));
    fillFocus();
    showStep(step);
    return Promise.all([p, withCharts === false ? null : buildCharts()]);
  }

  function build3d() {
    return loadFull().then(draw3d, (err) => {
      div3d.textContent = err.message;
    });
  }

  function draw3d(P) {
    Plotly3D = P;
    static3d = spec.surface3d.traces.length;
    // a phone-width view: a shorter scene seen from further away, so no side is cut off
    const w = div3d.clientWidth || document.body.clientWidth || 600;
    const layout = Object.assign({}, spec.surface3d.layout, {
      height: w < 520 ? Math.round(Math.min(spec.height, 1.1 * w + 40)) : spec.height,
      uirevision: spec.uirevision,
    });
    if (w < 520) {
      const eye = spec.surface3d.layout.scene.camera.eye;
      layout.scene = Object.assign({}, layout.scene, {
        camera: { eye: { x: eye.x * 1.26, y: eye.y * 1.26, z: eye.z * 1.26 } },
      });
    }
    // not "responsive": a WebGL redraw per resize event is costly with software rendering
    const cfg = Object.assign({}, plotConfig, { responsive: false });
    built3d = true;
    return P.react(div3d, spec.surface3d.traces.concat(dyn3d(step)), layout, cfg);
  }

  // ---- views: Map, 3D and the plugins' (api.addView) -------------------------------------------------
  const pluginView = (id) => plugins.find((v) => v.id === id) || null;

  // a plugin's view is as tall as the map, and (projector-first, as the map) no taller than the room
  // under its top on the screen: the rows above it (the readout, the lr slider) are not beside it
  function sizePlugins() {
    const h = Math.round(mapDiv.getBoundingClientRect().height || mapHeight || plotHeight());
    const w = mapBox.clientWidth || document.body.clientWidth || 600;
    plugins.forEach((v) => {
      const room = v.div.offsetParent && w >= 520 ? screenRoom(v.div) : Infinity;
      v.div.style.height = (isFinite(room) ? Math.min(h, Math.max(260, Math.round(room))) : h) + "px";
    });
  }

  function drawPlugin(v) {
    if (!v) return Promise.resolve();
    sizePlugins();
    return Promise.resolve(v.draw(spec, step)).catch((err) => console.warn("LR Lab view " + v.id + ":", err));
  }

  function showButtons() {
    plugins.forEach((v) => {
      v.button.hidden = !(spec && v.available(spec));
    });
  }

  // whether view v can show spec s (a plugin's available(s))
  const canShow = (v, s) => v === "map" || v === "3d" || !!(pluginView(v) && pluginView(v).available(s));

  // quiet: the buttons and the divs only (build() draws it next)
  function setView(v, quiet) {
    if (v !== "map" && v !== "3d" && !pluginView(v)) v = "map";
    view = v;
    document.body.dataset.view = v; // player.css: the small multiples' titles stand for the readout
    document.querySelectorAll(".views button").forEach((b) => b.classList.toggle("on", b.dataset.view === v));
    mapBox.hidden = v !== "map";
    div3d.hidden = v !== "3d";
    plugins.forEach((p) => {
      p.div.hidden = p.id !== v;
    });
    el("hint").hidden = v !== "map"; // "click the map" means nothing in the other views
    if (v !== "map") rowsBeside(false); // no legend column beside the other views
    if (quiet) return;
    if (v === "3d") {
      build3d().then(setHeight);
    } else if (v === "map") {
      const fit = fitMap();
      delete fit.beside;
      Promise.resolve(Plotly.Plots.resize(mapDiv)).then(() => Plotly.relayout(mapDiv, fit)).then(() => {
        drawStep(step);
        setHeight();
      });
    } else {
      drawPlugin(pluginView(v)).then(setHeight);
    }
  }

  function addView(v) {
    if (!v || !v.id || pluginView(v.id) || v.id === "map" || v.id === "3d") return;
    const div = document.createElement("div");
    div.className = "plot view";
    div.dataset.view = v.id;
    div.hidden = true;
    el("views").insertBefore(div, el("hint"));
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.view = v.id;
    button.textContent = v.label;
    button.addEventListener("click", () => setView(v.id));
    document.querySelector(".views").appendChild(button);
    const entry = Object.assign({}, v, { div: div, button: button });
    plugins.push(entry);
    entry.button.hidden = !(spec && v.available(spec));
    v.mount(div);
    if (spec && askedView === v.id && view !== v.id && v.available(spec)) setView(v.id); // a link's view, loaded late
  }

  // ---- playback -----------------------------------------------------------------------------------
  function stepsPerSecond() {
    // a whole run takes about 8 s at 1x, but never faster than 1 step per 1/60 s or slower than 4/s
    const base = Math.max(4, spec.steps / 8);
    return base * Number(speedSel.value);
  }

  function tick(now) {
    if (!playing) return;
    const dt = Math.min(0.1, (now - lastTick) / 1000);
    lastTick = now;
    carry += dt * stepsPerSecond();
    const adv = Math.floor(carry);
    if (adv > 0) {
      carry -= adv;
      drawStep(Math.min(spec.steps, step + adv));
    }
    if (step >= spec.steps) {
      setPlaying(false);
      return;
    }
    requestAnimationFrame(tick);
  }

  function setPlaying(on) {
    playing = on && !!spec;
    playBtn.textContent = playing ? "❚❚ Pause" : "▶ Play";
    playBtn.setAttribute("aria-label", playing ? "Pause" : "Play");
    playBtn.classList.toggle("playing", playing);
    if (playing) {
      if (step >= spec.steps) drawStep(0);
      lastTick = performance.now();
      carry = 0;
      requestAnimationFrame(tick);
    }
  }

  playBtn.addEventListener("click", () => setPlaying(!playing));
  el("focus").addEventListener("change", () => {
    spec.focus = Number(el("focus").value);
    build(false); // the arrows changed, not the runs: the line charts stay
  });
  followBox.addEventListener("change", () => {
    if (spec && view === "map") drawMap();
  });
  scrub.addEventListener("input", () => {
    setPlaying(false);
    drawStep(Number(scrub.value));
  });
  document.querySelector(".views").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-view]");
    if (!b) return;
    if (b.dataset.view === "map" || b.dataset.view === "3d") setView(b.dataset.view);
    // the URL follows (view=...): lrlab/ui/explorer/page.py keeps it in the page's config
    if (b.dataset.view !== askedView) send("streamlit:setComponentValue", { value: { view: b.dataset.view, nonce: Date.now() }, dataType: "json" });
  });
  document.addEventListener("keydown", (e) => {
    if (!spec || e.target === scrub) return;
    if (api.keyHooks.some((h) => h(e))) return; // presentation mode's keys (present.js)
    if (e.key === " " && e.target.tagName !== "BUTTON" && e.target.tagName !== "SELECT") {
      e.preventDefault();
      setPlaying(!playing);
    } else if (e.key === "ArrowRight" && e.target.type !== "range") {
      setPlaying(false);
      drawStep(step + 1);
    } else if (e.key === "ArrowLeft" && e.target.type !== "range") {
      setPlaying(false);
      drawStep(step - 1);
    }
  });

  // ---- the map's events: a click sets the start; zoom, pan and legend clicks move the overlay -------
  function wireMap() {
    if (mapDiv._lrlabWired) return;
    mapDiv._lrlabWired = true;
    mapDiv.on("plotly_click", (ev) => {
      if (!spec || !spec.clickable || !ev || !ev.event) return;
      const at = plotAxes.dataAt(mapDiv, ev.event.clientX, ev.event.clientY);
      let x = at ? at[0] : null;
      let y = at ? at[1] : null;
      if (!at && ev.points && ev.points.length) {
        x = ev.points[0].x;
        y = ev.points[0].y;
      }
      if (x === null || y === null || !isFinite(x) || !isFinite(y)) return;
      send("streamlit:setComponentValue", {
        value: { start: [Number(x.toPrecision(4)), Number(y.toPrecision(4))], nonce: Date.now() },
        dataType: "json",
      });
    });
    // during a pan or a zoom drag plotly.js moves its layers itself and reports the ranges here
    mapDiv.on("plotly_relayouting", (ev) => {
      const r = plotAxes.ranges(mapDiv);
      const pick = (ax, k, old) => (ev[ax + ".range[" + k + "]"] !== undefined ? ev[ax + ".range[" + k + "]"] : old);
      if (!r) return;
      liveRanges = { x: [pick("xaxis", 0, r.x[0]), pick("xaxis", 1, r.x[1])], y: [pick("yaxis", 0, r.y[0]), pick("yaxis", 1, r.y[1])] };
      drawOverlay();
    });
    const redraw = () => {
      liveRanges = null;
      drawOverlay();
      placeSide();
      mapHeight = mapDiv.clientHeight || mapHeight;
    };
    mapDiv.on("plotly_relayout", redraw);
    mapDiv.on("plotly_afterplot", redraw);
    mapDiv.on("plotly_restyle", redraw); // a legend click on an arrow's entry
  }

  // a label for the path under the mouse (the overlay lets the mouse through to the map): the run,
  // the step and the point; plotly.js's own hover label (the contour's x, y) is hidden meanwhile
  const NEAR = 12; // px
  function pathAt(clientX, clientY) {
    const p = projection(mapDiv, liveRanges);
    if (!p || !scene) return null;
    const r = mapDiv.getBoundingClientRect();
    const mx = clientX - r.left;
    const my = clientY - r.top;
    let best = null;
    scene.runs.forEach((run, k) => {
      for (let i = 0; i < run.x.length; i++) {
        if (run.x[i] === null || run.y[i] === null) continue;
        const q = p.proj(run.x[i], run.y[i]);
        const d = Math.hypot(q[0] - mx, q[1] - my);
        if (d < NEAR && (!best || d < best.d)) best = { d: d, k: k, i: i, px: q[0], py: q[1] };
      }
    });
    return best;
  }
  mapBox.addEventListener("mousemove", (e) => {
    if (!spec || view !== "map") return;
    const hit = pathAt(e.clientX, e.clientY);
    mapBox.classList.toggle("onpath", !!hit);
    tip.hidden = !hit;
    if (!hit) return;
    const run = spec.runs[hit.k];
    tip.textContent = run.name + " · step " + hit.i + "\nx = " + fmt(run.x[hit.i]) + ", y = " + fmt(run.y[hit.i]) +
      "\nloss " + fmt(run.loss[hit.i]);
    tip.style.borderColor = run.color;
    tip.style.left = Math.round(hit.px + 14) + "px";
    tip.style.top = Math.round(hit.py - 10) + "px";
  });
  mapBox.addEventListener("mouseleave", () => {
    mapBox.classList.remove("onpath");
    tip.hidden = true;
  });

  // ---- the lr fan (fan.js): the runs on screen become their fan members' runs at the dragged lr ----
  // Every run of spec.runs is replaced in place (fan index i; -1: the server's runs, saved when the spec
  // came), so every view (map, 3D, plugins) reads them from there
  let fanData = null; // the fan spec.fan names, once it is here (fanStore)
  let serverRuns = []; // a copy of each run as the server sent it
  // the runs' data at fan index i (-1: the server's), nothing drawn
  function setRuns(i) {
    spec.runs.forEach((run, k) => {
      if (i < 0) {
        Object.assign(run, serverRuns[k], { gap: null, fanIndex: -1 });
        return;
      }
      const m = fanData.members[k];
      const steps = m.x[i].length - 1;
      Object.assign(run, {
        x: m.x[i], y: m.y[i], loss: m.loss[i], lr: m.lr[i] || new Array(steps).fill(m.lrs[i]), exit: m.exit[i],
        status: m.status[i], regime: m.regime[i], diverged_at: m.diverged_at[i], explanation: m.explanation[i],
        side_short: m.side_short ? m.side_short[i] : null, name: m.label.replace("{lr}", fmt(m.lrs[i])), gstep: null, vstep: null, eff: null, // arrows: the step taken only
        gap: m.loss[i].map((v) => (v === null ? null : Math.max(v - spec.fan.fmin, 1e-16))), fanIndex: i,
      });
      run.legend = run.name + " · " + run.status;
    });
  }

  function applyFan(i) {
    setRuns(i);
    fanDrawn = i;
    if (view === "map") drawMap();
    else if (view === "3d") {
      if (built3d) restyleAll(dyn3d(step), div3d, static3d, Plotly3D, true);
    } else drawPlugin(pluginView(view));
    updateReadout();
    page.preview(i >= 0); // fan.js shows the server's runs (-1) wherever the lr is the server's
    chartsFollow();
    document.body.dataset.fanIndex = String(i); // for tests and benchmarks: the fan runs on screen
  }

  function releaseFan(lr) {
    send("streamlit:setComponentValue", { value: { lr: lr, nonce: Date.now() }, dataType: "json" });
  }

  const fanHooks = { apply: applyFan, release: releaseFan, server: (k) => serverRuns[k] };

  // above the map, the readout's box is as tall as its tallest text over the fan at this step
  // (measured once per spec and where it moves), so a drag never changes the frame's height (the page
  // would lay itself out again, and the map move under the pointer); beside the map it takes no room
  function holdReadout() {
    readout.style.minHeight = "";
    if (!fanData || readout.parentNode === mapSide) return;
    let tallest = 0;
    for (let i = -1; i < fanData.lrs.length; i++) {
      setRuns(i);
      updateReadout();
      tallest = Math.max(tallest, readout.getBoundingClientRect().height);
    }
    setRuns(fanDrawn);
    updateReadout();
    readout.style.minHeight = Math.ceil(tallest) + "px";
  }

  // the slider for this spec: hidden until its fan is here (at once for the fan already parsed)
  function setupFan() {
    fanData = null;
    if (!window.LRLabFan) return;
    window.LRLabFan.setup(spec, null, fanHooks);
    delete document.body.dataset.fanReady;
    if (!spec.fan || !spec.fan.id) return;
    const id = spec.fan.id;
    let built = false; // whether the map was sized without the slider (its fan came later)
    fanStore.want(id, (fan) => {
      if (!spec.fan || spec.fan.id !== id || fanData === fan) return;
      fanData = fan;
      window.LRLabFan.setup(spec, fan, fanHooks);
      holdReadout();
      if (built) refit(); // the slider now stands above the map: the map gets the room left
      document.body.dataset.fanReady = id; // for tests and benchmarks: the slider is there
    });
    built = true;
  }

  // ---- render messages from Streamlit -------------------------------------------------------------
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    const next = data.args && data.args.spec;
    if (!next) return;
    api.renderHooks.forEach((h) => h(next)); // plugins see every render (presentation mode, title)
    // the link's view: opened with a new spec when it can show it, on the same spec when it changed
    const asked = next.open_view || "map";
    const newAsk = asked !== askedView;
    askedView = asked;
    if (spec && spec.id === next.id) {
      if (newAsk && asked !== view && canShow(asked, spec)) setView(asked);
      return; // same figure: keep the animation state
    }
    const sameShape = spec && spec.steps === next.steps;
    // a preset just opened ("view" names it) is shown whole, wherever the scrubber was
    const newView = !!next.view && (!spec || spec.view !== next.view);
    const keptFocus = spec ? spec.focus : null;
    spec = next;
    if (keptFocus !== null && keptFocus < spec.runs.length) spec.focus = keptFocus;
    setPlaying(false);
    step = sameShape && !newView ? Math.min(step, spec.steps) : spec.steps;
    el("hint").textContent = spec.hint || "";
    spec.runs.forEach((run) => {
      run.fanIndex = -1; // the server's own run (fan.js, applyFan)
    });
    serverRuns = spec.runs.map((run) => Object.assign({}, run));
    fanDrawn = -1;
    chartFan = (spec.charts || []).map(() => fanDrawn);
    (spec.charts || []).forEach((c) => {
      c._server = c.figure.data; // the server's traces, one "lines" trace per run (then its marks)
      c._lines = c.figure.data.filter((t) => t.mode === "lines");
    });
    clearTimeout(chartPause);
    page.shown = null;
    page.preview(false); // the page speaks for the lr drawn again
    setupFan();
    showButtons();
    if (asked !== view && canShow(asked, spec)) setView(asked, true);
    else if (!canShow(view, spec)) setView("map");
    Promise.resolve(build()).then(() => {
      wireMap();
      setHeight();
      document.body.dataset.ready = "1";
      document.body.dataset.specId = spec.id; // for tests and benchmarks: which spec is drawn
    });
  });

  // ---- plugins (present.js, export.js, views): the API documented at the top -----------------------
  const scripts = {}; // src -> Promise: api.load
  function loadScript(src) {
    scripts[src] = scripts[src] || new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = () => {
        delete scripts[src]; // a later click tries again
        reject(new Error(src + " could not be loaded"));
      };
      document.head.appendChild(s);
    });
    return scripts[src];
  }
  const api = {
    adapter: plotAxes,
    send: send,
    keyHooks: [], // (keydown event) -> true when handled
    renderHooks: [], // (spec of each render message)
    spec: () => spec,
    step: () => step,
    view: () => view,
    isPlaying: () => playing,
    setPlaying: setPlaying,
    addView: addView,
    sceneAt: (t, k) => sceneAt(t, k),
    project: (gd) => projection(gd, null),
    currentView: () => pluginView(view),
    room: (node) => screenRoom(node),
    fmt: fmt,
    load: loadScript,
    // the map at step t as a figure {data, layout} of the given size (for an image of it); with
    // "follow the run" on, the axes it would have at that step
    figureAt(t, width, height) {
      const r = followRanges(followScaleAt(t));
      const layout = Object.assign({}, spec.map.layout, { width: width, height: height });
      layout.xaxis = Object.assign({}, layout.xaxis, { range: r.x });
      layout.yaxis = Object.assign({}, layout.yaxis, { range: r.y });
      return { data: spec.map.traces.concat(mapDynamic(t)), layout: layout };
    },
  };
  const queued = window.lrlabPlayerPlugins || [];
  window.lrlabPlayerPlugins = { push: (fn) => fn(api) };
  queued.forEach((fn) => fn(api));
  ["present.js", "export.js", "slice.js", "multiples.js"].forEach((src) => {
    const s = document.createElement("script");
    s.src = src; // each registers itself through window.lrlabPlayerPlugins.push
    s.async = false; // in this order: the view buttons stand in the same order on every load
    document.head.appendChild(s);
  });

  new ResizeObserver(setHeight).observe(document.body);
  send("streamlit:componentReady", { apiVersion: 1 });
})();

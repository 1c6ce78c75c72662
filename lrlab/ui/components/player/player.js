/* LR Lab descent player: a Streamlit component (v1 protocol, no build step).

Python sends the figure ONCE per change as a plain spec (see lrlab/figures/surface.py, player_spec):
static traces (the contour / surface, the minima, the start) plus, per run, the whole path. Playing
and scrubbing only restyle the path, head and arrow traces with prefixes of those arrays: no Plotly
frames, so the payload is linear in the number of steps and the contour trace is never touched.
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
  // plotly.js has no public call for "the pixel of a data value" (to move the step cursor over a
  // chart without redrawing it) or "the data point under a click anywhere in the plot area"
  // (plotly_click fires on traces only). Both need the axis objects of gd._fullLayout (_offset and
  // _length: the plot area in px; l2p / p2d: linear value <-> pixel) and the plot area's drag layer
  // (.nsewdrag). They are stable across plotly.js 1.x-4.x; pyproject.toml bounds plotly below 8 for
  // this reason, and the browser tests exercise both uses. Nothing else in this file reads internals.
  const plotAxes = {
    // {x, y, width, height} of the plot area in the div's pixels, or null before the first draw
    area(gd) {
      const fl = gd._fullLayout;
      if (!fl || !fl.xaxis || !fl.yaxis) return null;
      return { x: fl.xaxis._offset, y: fl.yaxis._offset, width: fl.xaxis._length, height: fl.yaxis._length };
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
    // a PNG data: URL of a figure {data, layout} (public API; here so export.js needs no Plotly of its own)
    image(figure, opts) {
      return Plotly.toImage(figure, Object.assign({ format: "png" }, opts));
    },
  };

  // ---- state ------------------------------------------------------------------------------------
  const el = (id) => document.getElementById(id);
  const mapDiv = el("map");
  const div3d = el("surf3d");
  const scrub = el("scrub");
  const playBtn = el("play");
  const label = el("steplabel");
  const readout = el("readout");
  const speedSel = el("speed");
  const chartsDiv = el("charts");
  let chartDivs = []; // one plot div per line chart (spec.charts), each with a step cursor
  let spec = null;
  let step = 0;
  let playing = false;
  let lastTick = 0;
  let carry = 0;
  let view = "map";
  let built3d = false;
  let Plotly3D = null; // the full bundle's Plotly, once loaded (loadFull)
  let staticMap = 0; // number of static traces before the dynamic ones, per plot
  let static3d = 0;

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

  // ---- trace builders (dynamic part) -------------------------------------------------------------
  function arrow(x0, y0, dx, dy, color, name, dash) {
    const ok = x0 !== null && dx !== null && dy !== null && isFinite(dx) && isFinite(dy);
    return {
      type: "scatter",
      mode: "lines+markers",
      x: ok ? [x0, x0 + dx] : [],
      y: ok ? [y0, y0 + dy] : [],
      line: { color: color, width: 3.5, dash: dash || "solid" },
      marker: { symbol: ["circle", "arrow"], size: [1, 16], angleref: "previous", color: color },
      name: name,
      hoverinfo: "skip",
      showlegend: true,
      legendgroup: "arrows:" + name,
    };
  }

  function mapDynamic(t) {
    const traces = [];
    spec.runs.forEach((run) => {
      const n = Math.min(t, run.x.length - 1) + 1;
      const h = headIndex(run, t);
      traces.push({
        type: "scatter",
        mode: "lines+markers",
        x: run.x.slice(0, n),
        y: run.y.slice(0, n),
        name: run.legend,
        legendgroup: run.name,
        showlegend: !!spec.run_legend,
        line: { color: run.color, width: 3.5, dash: run.dash || "solid" },
        marker: { color: run.color, size: 5 },
        hovertemplate: run.name + "<br>x=%{x:.4g}<br>y=%{y:.4g}<extra></extra>",
        connectgaps: false,
      });
      traces.push({
        type: "scatter",
        mode: "markers",
        x: [run.x[h]],
        y: [run.y[h]],
        name: run.name + " (now)",
        legendgroup: run.name,
        showlegend: false,
        marker: { color: run.color, size: 17, line: { color: "#000", width: 2.5 }, symbol: run.symbol || "circle" },
        hovertemplate: run.name + " at step " + h + "<br>x=%{x:.4g}<br>y=%{y:.4g}<extra></extra>",
      });
    });
    traces.push(...arrowTraces(t));
    return traces;
  }

  // arrows at the focused run's current point, for the update that leaves it:
  // the plain gradient step -lr*grad, the momentum buffer step -lr*v, and the step actually taken
  function arrowTraces(t) {
    const focus = spec.runs[spec.focus];
    const names = spec.arrow_names;
    const none = (color, name, dash) => arrow(null, null, null, null, color, name, dash);
    if (!focus) {
      const out = [none("#000", names.grad), none("#6a3d9a", names.vel, "dot"), none("#444", names.step, "dash")];
      out.forEach((a) => { a.showlegend = false; });
      return out;
    }
    const live = t < focus.x.length - 1 && focus.x[t] !== null && focus.x[t + 1] !== null;
    const x0 = live ? focus.x[t] : null;
    const y0 = live ? focus.y[t] : null;
    const g = focus.gstep;
    const v = focus.vstep;
    const out = [
      live && g ? arrow(x0, y0, g[0][t], g[1][t], "#000", names.grad) : none("#000", names.grad),
      live && v ? arrow(x0, y0, v[0][t], v[1][t], "#6a3d9a", names.vel, "dot") : none("#6a3d9a", names.vel, "dot"),
      live ? arrow(x0, y0, focus.x[t + 1] - x0, focus.y[t + 1] - y0, focus.color, names.step, "dash")
           : none(focus.color, names.step, "dash"),
    ];
    out[2].line.width = 2.5;
    out[2].opacity = 0.9;
    if (!g) out[0].showlegend = false;
    if (!v) out[1].showlegend = false;
    return out;
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

  // ---- drawing ------------------------------------------------------------------------------------
  const plotConfig = { responsive: true, displaylogo: false, scrollZoom: false,
                       modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] };

  function restyleAll(traces, plotDiv, offset, P) {
    // only the dynamic traces are touched; the static ones (contour, minima, start) keep their data
    const update = { x: traces.map((tr) => tr.x), y: traces.map((tr) => tr.y) };
    if (traces.length && traces[0].z !== undefined) update.z = traces.map((tr) => tr.z);
    const idx = traces.map((_, i) => offset + i);
    return (P || Plotly).restyle(plotDiv, update, idx);
  }

  function drawStep(t) {
    showStep(t);
    if (view === "map") {
      restyleAll(mapDynamic(step), mapDiv, staticMap);
    } else if (built3d) {
      restyleAll(dyn3d(step), div3d, static3d, Plotly3D);
    }
  }

  // everything about the step that is not a plot trace: scrubber, label, readout, chart cursors
  function showStep(t) {
    step = Math.max(0, Math.min(t, spec.steps));
    scrub.value = String(step);
    label.textContent = "step " + step + " / " + spec.steps;
    updateReadout();
    chartDivs.forEach(placeCursor);
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
        wrap.append(d, cur);
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
      const p = Plotly.react(d, c.figure.data, c.figure.layout, chartConfig);
      if (!d._lrlabWired && d.on) {
        d._lrlabWired = true;
        d.on("plotly_afterplot", () => placeCursor(d));
        d.on("plotly_relayout", () => placeCursor(d));
      }
      return Promise.resolve(p).then(() => placeCursor(d));
    }));
  }

  function updateReadout() {
    readout.replaceChildren();
    spec.runs.forEach((run, k) => {
      const span = document.createElement("span");
      span.className = "run";
      const sw = document.createElement("span");
      sw.className = "sw";
      sw.style.background = run.color;
      span.appendChild(sw);
      let text = run.name + " (" + run.status + "): ";
      if (run.diverged_at !== null && step >= run.diverged_at) {
        text = run.name + ": diverged at step " + run.diverged_at;
      } else {
        const i = Math.min(step, run.loss.length - 1);
        text += "loss " + fmt(run.loss[i]);
        // the lr of the update leaving this step; at the last step, the last update's
        const j = Math.min(step, run.lr.length - 1);
        if (j >= 0) text += ", lr " + fmt(run.lr[j]);
        if (k === spec.focus && run.eff && step < run.lr.length) {
          text += ", effective lr x " + fmt(run.eff[0][step]) + " · y " + fmt(run.eff[1][step]);
        }
      }
      span.appendChild(document.createTextNode(text));
      readout.appendChild(span);
    });
  }

  // the map keeps x and y at the same scale: on a narrow screen a shorter plot, not white space
  function plotMargin() {
    // a phone-width legend wraps onto more rows: leave it room under the x axis
    const m = Object.assign({}, spec.map.layout.margin);
    const w = mapDiv.clientWidth || document.body.clientWidth || 600;
    if (w < 520) m.b += 30;
    return m;
  }

  // projector-first: the room left for the map under the frame's top on the screen (the page is the
  // same origin), so the map, Play and the readout show without scrolling; Infinity outside a page
  function screenRoom() {
    try {
      const fe = window.frameElement;
      if (!fe) return Infinity;
      const top = Math.max(0, fe.getBoundingClientRect().top);
      return window.parent.innerHeight - top - mapDiv.getBoundingClientRect().top - 12;
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
      if (plotW > 200 && plotW > plotUnder) {
        const margin = Object.assign({}, m, { b: b, r: Math.max(10, w - m.l - plotW) });
        const legend = Object.assign({}, spec.map.layout.legend, {
          orientation: "v", xref: "paper", x: 1.03, xanchor: "left", yref: "paper", y: 1, yanchor: "top",
        });
        return { height: Math.round(side), margin: margin, legend: legend };
      }
    }
    return { height: height, margin: m, legend: spec.map.layout.legend };
  }

  let lastWidth = 0;
  let lastRoom = 0;
  window.addEventListener("resize", () => {
    if (!spec || view !== "map") return;
    const room = screenRoom();
    if (Math.abs(mapDiv.clientWidth - lastWidth) < 8 && Math.abs(room - lastRoom) < 8) return;
    lastWidth = mapDiv.clientWidth;
    lastRoom = room;
    Plotly.relayout(mapDiv, mapFit()).then(setHeight);
  });

  function build(withCharts) {
    staticMap = spec.map.traces.length;
    lastWidth = mapDiv.clientWidth;
    const layout = Object.assign({}, spec.map.layout, mapFit(), { uirevision: spec.uirevision });
    built3d = false;
    scrub.max = String(spec.steps);
    step = Math.max(0, Math.min(step, spec.steps));
    // the map (and the 3D view if shown) is drawn at the current step by react itself: no restyle
    // after it (that redrew the contour a second time per update)
    const p = Plotly.react(mapDiv, spec.map.traces.concat(mapDynamic(step)), layout, plotConfig);
    if (view === "3d") build3d();
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
        camera: { eye: { x: eye.x * 1.45, y: eye.y * 1.45, z: eye.z * 1.45 } },
      });
    }
    // not "responsive": a WebGL redraw per resize event is costly with software rendering
    const cfg = Object.assign({}, plotConfig, { responsive: false });
    built3d = true;
    return P.react(div3d, spec.surface3d.traces.concat(dyn3d(step)), layout, cfg);
  }

  function setView(v) {
    view = v;
    document.querySelectorAll(".views button").forEach((b) => b.classList.toggle("on", b.dataset.view === v));
    mapDiv.hidden = v !== "map";
    div3d.hidden = v !== "3d";
    el("hint").hidden = v !== "map"; // "click the map" means nothing in 3D
    if (v === "3d") {
      build3d().then(setHeight);
    } else {
      Plotly.Plots.resize(mapDiv);
      drawStep(step);
      setHeight();
    }
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
  scrub.addEventListener("input", () => {
    setPlaying(false);
    drawStep(Number(scrub.value));
  });
  document.querySelectorAll(".views button").forEach((b) =>
    b.addEventListener("click", () => setView(b.dataset.view)));
  document.addEventListener("keydown", (e) => {
    if (!spec || e.target === scrub) return;
    if (api.keyHooks.some((h) => h(e))) return; // presentation mode's keys (present.js)
    if (e.key === " " && e.target.tagName !== "BUTTON" && e.target.tagName !== "SELECT") {
      e.preventDefault();
      setPlaying(!playing);
    } else if (e.key === "ArrowRight") {
      setPlaying(false);
      drawStep(step + 1);
    } else if (e.key === "ArrowLeft") {
      setPlaying(false);
      drawStep(step - 1);
    }
  });

  // a click on the map sends its coordinates back to Python (new start point)
  function wireClick() {
    if (mapDiv._lrlabClick) return;
    mapDiv._lrlabClick = true;
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
  }

  // ---- the lr fan (fan.js): the run on screen becomes the fan's run at the dragged lr ------------
  let chartTimer = null;
  function applyFan(i) {
    const f = spec.fan;
    const run = spec.runs[0];
    const steps = f.x[i].length - 1;
    const lrRow = f.lr[i] || new Array(steps).fill(f.lrs[i]);
    Object.assign(run, {
      x: f.x[i], y: f.y[i], loss: f.loss[i], lr: lrRow,
      status: f.status[i], regime: f.regime[i], diverged_at: f.diverged_at[i],
      name: "lr = " + fmt(f.lrs[i]), gstep: null, vstep: null, eff: null, // arrows: the step taken only
    });
    run.legend = run.name + " · " + run.status;
    const gap = f.loss[i].map((v) => (v === null ? null : Math.max(v - f.fmin, 1e-16)));
    [gap, lrRow, f.gnorm[i]].forEach((y, j) => {
      const c = spec.charts[j];
      if (c) c.figure.data = [Object.assign({}, c.figure.data[0], { y: y })]; // no stale stop marks
    });
    if (view === "map") restyleAll(mapDynamic(step), mapDiv, staticMap);
    else if (built3d) restyleAll(dyn3d(step), div3d, static3d, Plotly3D);
    updateReadout();
    // the three charts cost more than the map: redrawn once the drag pauses (150 ms), not per event
    clearTimeout(chartTimer);
    chartTimer = setTimeout(buildCharts, 150);
    document.body.dataset.fanIndex = String(i); // for tests and benchmarks: the fan run on screen
  }

  function releaseFan(lr) {
    send("streamlit:setComponentValue", { value: { lr: lr, nonce: Date.now() }, dataType: "json" });
  }

  // ---- render messages from Streamlit -------------------------------------------------------------
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    const next = data.args && data.args.spec;
    if (!next) return;
    api.renderHooks.forEach((h) => h(next)); // plugins see every render (presentation mode, title)
    if (spec && spec.id === next.id) return; // same figure: keep the animation state
    const sameShape = spec && spec.steps === next.steps;
    // a preset just opened ("view" names it) is shown whole, wherever the scrubber was
    const newView = !!next.view && (!spec || spec.view !== next.view);
    const keptFocus = spec ? spec.focus : null;
    spec = next;
    if (keptFocus !== null && keptFocus < spec.runs.length) spec.focus = keptFocus;
    setPlaying(false);
    step = sameShape && !newView ? Math.min(step, spec.steps) : spec.steps;
    el("hint").textContent = spec.hint || "";
    if (window.LRLabFan) window.LRLabFan.setup(spec, { apply: applyFan, release: releaseFan });
    Promise.resolve(build()).then(() => {
      wireClick();
      setHeight();
      document.body.dataset.ready = "1";
      document.body.dataset.specId = spec.id; // for tests and benchmarks: which spec is drawn
    });
  });

  // ---- plugins (present.js, export.js): a small API instead of reaching into this closure ----------
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
    // the map at step t as a figure {data, layout} of the given size (for an image of it)
    figureAt(t, width, height) {
      const layout = Object.assign({}, spec.map.layout, { width: width, height: height });
      return { data: spec.map.traces.concat(mapDynamic(t)), layout: layout };
    },
  };
  const queued = window.lrlabPlayerPlugins || [];
  window.lrlabPlayerPlugins = { push: (fn) => fn(api) };
  queued.forEach((fn) => fn(api));
  ["present.js", "export.js"].forEach((src) => {
    const s = document.createElement("script");
    s.src = src; // each registers itself through window.lrlabPlayerPlugins.push
    document.head.appendChild(s);
  });

  new ResizeObserver(setHeight).observe(document.body);
  send("streamlit:componentReady", { apiVersion: 1 });
})();

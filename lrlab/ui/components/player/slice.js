/* LR Lab player: the Slice view, the 1-D picture (lrlab/figures/slice.py builds spec.slice).

The loss along the steepest direction through a minimum m, g(s) = f(m + s·v) − f(m), is drawn once
per slice (spec.slice.slices[i].traces, static; traces[0] is the curve). Each run's point p_t is
projected onto the line, s_t = (p_t − m)·v, and drawn at (s_t, g(s_t)) with g interpolated linearly
between the curve's own samples: the dot lies on the drawn curve. The projection is done here, from
the paths the player has, so a drag of the player's lr slider (which swaps every run's path for a
fan run's) redraws with no server round trip; spec.slice.fan says which slice each fan run is on.

Per run, in its colour: every dot so far (small), the last TRAIL moves as segments from dot to dot,
fading, and the current dot (large). A dot outside the slice's range is drawn at its edge and says
"off the slice at step k". Play, scrub and keys only restyle these traces; the curve is never redrawn.
Several minima (runs that end in different ones) give several slices: a picker chooses which is drawn.
*/
(window.lrlabPlayerPlugins = window.lrlabPlayerPlugins || []).push(function (api) {
  "use strict";
  if (!api.addView) return;
  const Plotly = window.Plotly; // the page's cartesian bundle, the map's own (player.js keeps it global)
  const TRAIL = 5; // the last moves drawn as segments
  const FADE = [1, 0.72, 0.5, 0.34, 0.22]; // their opacity, newest first
  const PER_RUN = TRAIL + 2; // dynamic traces per run: the dots so far, the moves, the current dot
  const config = { responsive: true, displaylogo: false, scrollZoom: false,
                   modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"] };

  let div = null;
  let title = null;
  let pick = null;
  let plotDiv = null;
  let note = null;
  let spec = null;
  let shown = -1; // the slice drawn
  let chosen = null; // {id, index, follows}: a slice picked for this spec, while the followed run stays on its own
  let tracks = []; // per run: {s, g, left} (null for a run on another slice)
  let nStatic = 0;

  function mount(d) {
    div = d;
    div.classList.add("sliceview");
    const head = document.createElement("div");
    head.style.cssText = "display:flex;flex-wrap:wrap;gap:0.2rem 0.8rem;align-items:center;padding:0.1rem";
    title = document.createElement("div");
    title.className = "slicetitle";
    title.style.cssText = "font-weight:700;font-size:0.95rem";
    pick = document.createElement("select");
    pick.setAttribute("aria-label", "Slice through");
    pick.style.cssText = "font-size:0.85rem;min-height:1.8rem;padding:0.1rem 0.4rem";
    pick.hidden = true;
    pick.addEventListener("change", () => {
      chosen = { id: spec.id, index: Number(pick.value), follows: followedSlice() };
      draw(spec, api.step());
    });
    head.append(title, pick);
    plotDiv = document.createElement("div");
    note = document.createElement("div");
    note.className = "slicenote";
    note.style.cssText = "font-size:0.85rem;color:#333;padding:0.15rem 0.1rem;line-height:1.3";
    div.append(head, plotDiv, note);
  }

  // the slice run k is drawn on; null for a fan run whose minimum's slice was not sent. A dragged run
  // is its fan member's run at fan index run.fanIndex (player.js applyFan; -1: the server's run), and
  // spec.slice.fan[k] says which slice each of member k's fan runs is on
  function sliceOf(k) {
    const f = spec.runs[k].fanIndex;
    return f >= 0 && spec.slice.fan ? spec.slice.fan[k][f] : spec.slice.runs[k];
  }

  // the slice of the run the arrows follow (the first run when none), unless one was picked
  function followedSlice() {
    return sliceOf(spec.focus >= 0 && spec.focus < spec.runs.length ? spec.focus : 0);
  }

  // g at s, linear between the curve's samples xs (increasing), as Plotly draws the curve
  function interp(xs, ys, s) {
    let a = 0;
    let b = xs.length - 1;
    while (b - a > 1) {
      const mid = (a + b) >> 1;
      if (xs[mid] <= s) a = mid;
      else b = mid;
    }
    if (ys[a] === null || ys[b] === null) return null;
    return ys[a] + ((s - xs[a]) / (xs[b] - xs[a])) * (ys[b] - ys[a]);
  }

  // s_t and g(s_t) of a whole path; a point beyond the range sits at its edge, left[t] = the step the
  // dot went off the slice (-1 while on it)
  function project(run, sl) {
    const xs = sl.traces[0].x;
    const ys = sl.traces[0].y;
    const lo = xs[0];
    const hi = xs[xs.length - 1];
    const s = [];
    const g = [];
    const left = [];
    let since = -1;
    for (let t = 0; t < run.x.length; t++) {
      if (run.x[t] === null || run.y[t] === null) {
        s.push(null);
        g.push(null);
        left.push(-1);
        continue;
      }
      const st = (run.x[t] - sl.m[0]) * sl.v[0] + (run.y[t] - sl.m[1]) * sl.v[1];
      const off = !(st >= lo && st <= hi);
      since = off ? (since < 0 ? t : since) : -1;
      const at = off ? (st > hi ? hi : lo) : st;
      s.push(at);
      g.push(interp(xs, ys, at));
      left.push(since);
    }
    return { s: s, g: g, left: left, hi: hi };
  }

  function headIndex(tr, t) {
    let i = Math.min(t, tr.s.length - 1);
    while (i > 0 && tr.s[i] === null) i--;
    return i;
  }

  function dynamic(t) {
    const out = [];
    spec.runs.forEach((run, k) => {
      const tr = tracks[k];
      const meta = (role) => ({ role: role, run: k });
      const n = tr ? Math.min(t, tr.s.length - 1) + 1 : 0;
      out.push({
        type: "scatter", mode: "markers", x: tr ? tr.s.slice(0, n) : [], y: tr ? tr.g.slice(0, n) : [],
        marker: { color: run.color, size: 8, opacity: 0.6 }, showlegend: false, hoverinfo: "skip",
        meta: meta("dots"),
      });
      const h = tr ? headIndex(tr, t) : 0;
      for (let j = 0; j < TRAIL; j++) {
        const a = h - j - 1;
        const ok = tr && a >= 0 && tr.s[a] !== null && tr.s[a + 1] !== null;
        out.push({
          type: "scatter", mode: "lines", x: ok ? [tr.s[a], tr.s[a + 1]] : [], y: ok ? [tr.g[a], tr.g[a + 1]] : [],
          line: { color: run.color, width: 3.5 }, opacity: FADE[j], showlegend: false, hoverinfo: "skip",
          meta: meta("move"),
        });
      }
      const off = tr ? tr.left[h] : -1;
      out.push({
        type: "scatter", mode: "markers+text", x: tr ? [tr.s[h]] : [], y: tr ? [tr.g[h]] : [],
        text: [off >= 0 ? "off the slice at step " + off : ""],
        textposition: tr && tr.s[h] >= tr.hi ? "bottom left" : "bottom right", // the edge is the top of the curve
        textfont: { color: run.color, size: 16 }, cliponaxis: false,
        marker: { color: run.color, size: 18, symbol: run.symbol || "circle", line: { color: "#000", width: 2.5 } },
        showlegend: false, meta: meta("now"),
        hovertemplate: run.name + " at step " + h + "<br>s = %{x:.3g}<extra></extra>",
      });
    });
    return out;
  }

  // the plot takes the div's height (the map's) less the title and the sentence, at least MIN_PLOT;
  // when that does not fit, the div grows (min-height) rather than letting the sentence overflow it
  const MIN_PLOT = 300;
  function fitHeight() {
    div.style.minHeight = "";
    const text = title.parentNode.offsetHeight + note.offsetHeight + 6;
    const w = plotDiv.clientWidth || div.clientWidth || 600;
    const room = div.clientHeight > 0 ? div.clientHeight - text : 0.62 * w + 120;
    const h = Math.round(Math.max(MIN_PLOT, room));
    if (h + text > div.clientHeight) div.style.minHeight = h + text + "px";
    return h;
  }

  function fillPicker(used) {
    pick.replaceChildren();
    used.forEach((i) => {
      const names = spec.runs.filter((_, k) => sliceOf(k) === i).map((r) => r.name);
      const o = document.createElement("option");
      o.value = String(i);
      o.textContent = "through " + spec.slice.slices[i].point + (names.length ? " · " + names.join(", ") : "");
      pick.appendChild(o);
    });
    pick.value = String(shown);
    pick.hidden = used.length < 2;
  }

  function draw(next, step) {
    spec = next;
    const sl = spec.slice;
    const follows = followedSlice();
    const keep = chosen && chosen.id === spec.id && chosen.follows === follows;
    // a dragged lr whose slice was not sent keeps the slice on screen (its run is not drawn on it)
    const stay = shown >= 0 && shown < sl.slices.length ? shown : 0;
    shown = keep ? chosen.index : follows === null || follows === undefined ? stay : follows;
    if (!keep) chosen = null;
    const slice = sl.slices[shown];
    tracks = spec.runs.map((run, k) => (sliceOf(k) === shown ? project(run, slice) : null));
    const used = [...new Set(spec.runs.map((_, k) => sliceOf(k)).concat([shown]))].filter((i) => i !== null);
    fillPicker(used);
    title.textContent = slice.title;
    const away = spec.runs.filter((_, k) => sliceOf(k) !== null && sliceOf(k) !== shown).map((r) => r.name);
    const unsent = spec.runs.filter((_, k) => sliceOf(k) === null).map((r) => r.name);
    let text = slice.label;
    if (away.length) text += " Not on this slice (another minimum): " + away.join(", ") + "; pick its slice above.";
    if (unsent.length) {
      text += " " + unsent.join(", ") + " is sliced through another minimum: its slice comes when you release " +
        "the slider.";
    }
    note.textContent = text;
    div.dataset.slice = String(shown);
    nStatic = slice.traces.length;
    const layout = Object.assign({}, slice.layout, { height: fitHeight(), uirevision: spec.uirevision + ":" + shown });
    return Plotly.react(plotDiv, slice.traces.concat(dynamic(step)), layout, config);
  }

  function stepTo(next, step) {
    if (!tracks.length || next !== spec) return draw(next, step);
    const traces = dynamic(step);
    const update = {
      x: traces.map((tr) => tr.x),
      y: traces.map((tr) => tr.y),
      text: traces.map((tr) => tr.text || []),
      textposition: traces.map((tr) => tr.textposition || "top right"),
    };
    return Plotly.restyle(plotDiv, update, traces.map((_, i) => nStatic + i));
  }

  api.addView({
    id: "slice",
    label: "Slice",
    available: (s) => !!(s && s.slice && s.slice.slices && s.slice.slices.length),
    mount: mount,
    draw: draw,
    step: stepTo,
  });
});

// The player's own lr slider: the lr fan (lrlab/fan.py run_many; lrlab/figures/surface.py fan_spec)
// is, for each run of the view (a "member": its optimizer, schedule and factor of the slider's lr),
// one batched run per lr of one shared base grid. It does not depend on the lr: it comes once, from its
// own element (player.js fanStore), and spec.fan only names it and says which lr of the slider the
// server ran (spec.fan.lr, not necessarily a grid lr). The slider starts there, on the server's own
// runs (their arrows included). Dragging (the range input's `input` event) swaps every run for its
// member's run at the nearest grid lr, in the browser, with no server round trip: lr × multiples keep
// their ratios, a typed list moves by one factor, several optimizers or schedules run at the dragged
// lr. Releasing (`change`) hands that lr back to Streamlit so the sidebar, the badges and the URL
// follow. The track is coloured by the regime each lr ends in (the badges' colours): one stripe per
// run, in the runs' order, its colour beside it; the theory's lines of the configured optimizer
// (1/λ, 2/λ, ...) are labelled ticks. Above it, on the same lr scale, the fan's U curve: each lr's
// final loss above the minimum (log), one curve per run in its colour, dots in the regime's colour,
// a diverged lr as ✕ on the top edge (it has no final loss), the lr drawn marked. Under it, the
// verdict of the lr drawn: its regime word and the theory's sentence (one run; several runs: each
// run's word and side of its lines in the readout, player.js).
// player.js calls LRLabFan.setup(spec, fan, hooks) for each new spec (fan null: no slider yet);
// hooks.apply(i) redraws the runs at fan index i (-1: the server's runs), hooks.server(k) is the
// server's run k, hooks.release(lr) sends an lr back.
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const el = (id) => document.getElementById(id);
  let hooks = null;
  let fan = null; // the fan element's content
  let ref = null; // spec.fan: {id, lr: the server's lr on the slider's scale, fmin: f* of the charts}
  let runs = []; // spec.runs (their colours)
  let colors = {};
  let shown = -1; // the fan index drawn; -1: the server's runs
  let startPos = 0; // the slider's position of the server's lr

  const fmt = (v) => {
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
    return Number(v.toPrecision(4)).toString();
  };
  const SUP = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
  const pow10 = (e) => "10" + String(e).split("").map((c) => SUP[c]).join("");

  // the index of the fan lr nearest to lr, on the log scale
  function nearest(lr) {
    let best = 0;
    fan.lrs.forEach((v, i) => {
      if (Math.abs(Math.log(v / lr)) < Math.abs(Math.log(fan.lrs[best] / lr))) best = i;
    });
    return best;
  }

  // the slider is continuous on a log scale: position 0..STOPS spans the fan's lrs; a position
  // shows the fan's lr nearest to it (the readout says which lr that is), the start position the
  // server's own runs
  const STOPS = 400;
  const logLo = () => Math.log(fan.lrs[0]);
  const logSpan = () => Math.log(fan.lrs[fan.lrs.length - 1]) - logLo();
  const pct = (lr) => (100 * (Math.log(lr) - logLo())) / logSpan();
  const lrAt = (pos) => Math.exp(logLo() + (pos / STOPS) * logSpan());
  const posOf = (lr) => Math.max(0, Math.min(STOPS, Math.round((STOPS * pct(lr)) / 100)));
  const lrOf = (i) => (i < 0 ? ref.lr : fan.lrs[i]);
  const gap = (v) => (v === null || v === undefined || !isFinite(v) ? null : Math.max(v - ref.fmin, 1e-16));

  // the last recorded loss of a server run that did not diverge (its U-curve point), else null
  function lastLoss(run) {
    if (run.diverged_at !== null) return null;
    for (let t = run.loss.length - 1; t >= 0; t--) if (run.loss[t] !== null) return run.loss[t];
    return null;
  }

  // run k's verdict at fan index i (-1: the server's run k)
  function verdictOf(k, i) {
    if (i < 0) {
      const r = hooks.server(k);
      return { name: r.name, status: r.status, regime: r.regime, explanation: r.explanation, side: r.side,
               kind: r.side_kind, short: r.side_short, final: gap(lastLoss(r)) };
    }
    const m = fan.members[k];
    return { name: m.label.replace("{lr}", fmt(m.lrs[i])), status: m.status[i], regime: m.regime[i],
             explanation: m.explanation[i], side: m.side ? m.side[i] : null,
             kind: m.side_kind ? m.side_kind[i] : null, short: m.side_short ? m.side_short[i] : null,
             final: gap(m.final[i]) };
  }

  // a CSS gradient with one flat band per lr of the fan, where the slider shows it: member k's regime
  function trackGradient(k) {
    const n = fan.lrs.length;
    const edge = (i) => (i <= 0 ? 0 : i >= n ? 100 : (pct(fan.lrs[i - 1]) + pct(fan.lrs[i])) / 2);
    const stops = fan.members[k].regime.map((r, i) => {
      const c = colors[r] || "#888";
      return c + " " + edge(i).toFixed(3) + "% " + edge(i + 1).toFixed(3) + "%";
    });
    return "linear-gradient(to right, " + stops.join(", ") + ")";
  }

  // one stripe per run, in the runs' order (a single run: the whole track), and the runs' colours
  // beside the track's left end, stripe by stripe
  function paintTrack() {
    const input = el("fanlr");
    const keys = el("fankeys");
    const k = fan.members.length;
    const stripe = (j) => (100 * j) / k;
    input.style.backgroundImage = fan.members.map((_, j) => trackGradient(j)).join(", ");
    input.style.backgroundSize = fan.members.map(() => "100% " + (100 / k).toFixed(3) + "%").join(", ");
    input.style.backgroundPosition = fan.members.map((_, j) => "0 " + (k > 1 ? (100 * j) / (k - 1) : 0).toFixed(3) + "%").join(", ");
    input.style.backgroundRepeat = "no-repeat";
    input.style.height = k > 1 ? "calc(" + (0.32 * k).toFixed(2) + "rem + 2px)" : "";
    input.classList.toggle("stripes", k > 1);
    keys.hidden = k < 2;
    if (k > 1) {
      keys.style.background = "linear-gradient(to bottom, " + runs.map((r, j) =>
        r.color + " " + stripe(j).toFixed(3) + "% " + stripe(j + 1).toFixed(3) + "%").join(", ") + ")";
      keys.style.top = input.offsetTop + 1 + "px";
      keys.style.height = Math.max(0, input.offsetHeight - 2) + "px";
    }
  }

  // ---- the U curve, drawn by hand in an SVG over the track's lr scale ------------------------------
  const U = { top: 18, bottom: 40 }; // px: the curve's band (the tick labels' row above it)
  let geo = null; // {x(lr), y(final), width, height, lo, hi}

  function node(parent, tag, attrs, text) {
    const e = document.createElementNS(NS, tag);
    Object.entries(attrs).forEach(([k, v]) => e.setAttribute(k, v));
    if (text !== undefined) e.textContent = text;
    parent.appendChild(e);
    return e;
  }

  // every member's final losses above the minimum (null: diverged), per grid lr
  const finals = (k) => fan.members[k].final.map(gap);

  // where the slider's thumb centre is for lr: the track less half a thumb at either end
  function geometry() {
    const svg = el("fanu");
    const width = svg.clientWidth || 300;
    const height = svg.clientHeight || U.bottom + 10;
    const thumb = el("fanlr").getBoundingClientRect().height > 0 ? 0.65 * parseFloat(getComputedStyle(document.documentElement).fontSize) : 11;
    const all = fan.members.flatMap((_, k) => finals(k)).concat(runs.map((_, k) => verdictOf(k, -1).final));
    const finite = all.filter((v) => v !== null && v > 0).map(Math.log10);
    let lo = finite.length ? Math.floor(Math.min(...finite)) : -16;
    let hi = finite.length ? Math.ceil(Math.max(...finite)) : 0;
    if (hi - lo < 2) hi = lo + 2;
    const x = (lr) => thumb + ((width - 2 * thumb) * Math.max(0, Math.min(100, pct(lr)))) / 100;
    const y = (v) => U.top + ((hi - Math.log10(v)) / (hi - lo)) * (U.bottom - U.top);
    return { x: x, y: y, width: width, height: height, lo: lo, hi: hi };
  }

  function drawCurve() {
    const svg = el("fanu");
    svg.replaceChildren();
    geo = geometry();
    const g = geo;
    node(svg, "rect", { x: 0, y: U.top - 4, width: g.width, height: U.bottom - U.top + 7, fill: "#f6f6f6" });
    // the decades at the curve's top and bottom, in the gutter on its right (the caption, "final
    // f − f* per lr (log)", is on its left, under the slider's name)
    [[g.hi, U.top + 6], [g.lo, U.bottom + 2]].forEach(([e, yy]) =>
      node(svg, "text", { x: g.width + 4, y: yy, class: "ulabel" }, pow10(e)));
    // the theory's lines through the curve down to the track (those on the slider's range)
    shownLines().forEach((line) => {
      const xx = g.x(line.lr).toFixed(1);
      node(svg, "line", { x1: xx, x2: xx, y1: 0, y2: g.height, class: "uline" });
    });
    // per run: the curve through the lrs that have a final loss (in the run's colour when there are
    // several), then each lr as a dot in its regime's colour
    const several = fan.members.length > 1;
    fan.members.forEach((m, k) => {
      const fin = finals(k);
      let d = "";
      let pen = false;
      fan.lrs.forEach((lr, i) => {
        const v = fin[i];
        if (v === null || !(v > 0)) {
          pen = false;
          return;
        }
        d += (pen ? "L" : "M") + g.x(lr).toFixed(1) + "," + g.y(v).toFixed(1);
        pen = true;
      });
      const path = node(svg, "path", { d: d, class: "ucurve" });
      if (several) path.setAttribute("style", "stroke:" + runs[k].color);
    });
    fan.members.forEach((m, k) => {
      const fin = finals(k);
      fan.lrs.forEach((lr, i) => {
        const v = fin[i];
        const c = colors[m.regime[i]] || "#888";
        const xx = g.x(lr);
        if (v === null || !(v > 0)) {
          // diverged: no final loss; a ✕ on the top edge in the diverged colour
          const yy = U.top;
          node(svg, "path", { d: "M" + (xx - 3) + "," + (yy - 3) + "l6,6m0,-6l-6,6", stroke: colors.diverged || c, "stroke-width": 1.6, class: "udiv" });
        } else {
          node(svg, "circle", { cx: xx.toFixed(1), cy: g.y(v).toFixed(1), r: 2.2, fill: c, class: "udot" });
        }
      });
    });
    const mark = node(svg, "g", { id: "umark" });
    node(mark, "line", { y1: U.top - 6, y2: g.height, class: "umarkline" });
    runs.forEach((r, k) => {
      const ring = node(mark, "circle", { r: 5.5, class: "umarkring" });
      if (several) ring.setAttribute("style", "stroke:" + r.color);
      ring.dataset.run = String(k);
    });
    drawTicks();
    moveMark(shown);
  }

  // the lr drawn on the curve: a line down to the thumb and a ring on each run's point (or the top edge)
  function moveMark(i) {
    const mark = el("umark");
    if (!mark || !geo) return;
    const lr = lrOf(i);
    mark.setAttribute("transform", "translate(" + geo.x(lr).toFixed(1) + ",0)");
    const words = [];
    mark.querySelectorAll("circle").forEach((ring, k) => {
      const v = verdictOf(k, i).final;
      ring.setAttribute("cy", (v === null || !(v > 0) ? U.top : geo.y(v)).toFixed(1));
      words.push(v === null ? "diverged" : "final f − f* = " + fmt(v));
    });
    mark.dataset.lr = String(lr); // for tests: the lr the mark stands on
    el("fanu").setAttribute("aria-label", "Final loss above the minimum against the learning rate (the lr fan's U curve); " +
      "lr = " + fmt(lr) + ": " + words.join("; "));
  }

  // the theory's lines as labelled ticks over the curve: each label beside its line, the lower line's
  // to its left and the higher's to its right (inside the track), a second row if they still meet
  const shownLines = () => fan.lines.filter((line) => line.lr >= fan.lrs[0] && line.lr <= fan.lrs[fan.lrs.length - 1]);

  function drawTicks() {
    const box = el("fanticks");
    box.replaceChildren();
    const placed = [];
    const lines = shownLines();
    lines.forEach((line, k) => {
      const t = document.createElement("span");
      t.className = "fantick";
      t.textContent = line.label;
      box.appendChild(t);
      const xx = geo.x(line.lr);
      const w = t.offsetWidth;
      let left = k === lines.length - 1 ? xx + 3 : xx - 3 - w;
      if (left < 0) left = xx + 3;
      if (left + w > geo.width) left = xx - 3 - w;
      const row = placed.some((p) => left < p.right + 4 && left + w > p.left - 4) ? 1 : 0;
      if (row) t.classList.add("low");
      t.style.left = left.toFixed(1) + "px";
      placed.push({ left: left, right: left + w });
    });
  }

  function pill(v) {
    const p = document.createElement("span");
    p.className = "pill";
    p.style.background = colors[v.regime] || "#333";
    p.textContent = v.status;
    p.title = v.explanation;
    return p;
  }

  // the verdict of the lr drawn (one run): its regime word and the theory's sentence for it (where the
  // optimizer has lines) or the run's own sentence; the run's sentence is also the word's tooltip.
  // Several runs: each run's word and side of its own lines are in the readout (player.js), one line
  // per run, so the verdict's box stays hidden.
  function show(i) {
    el("fanval").textContent = "lr = " + fmt(lrOf(i));
    moveMark(i);
    if (runs.length > 1) return;
    const box = el("fanverdict");
    const v = verdictOf(0, i);
    const p = document.createElement("span");
    p.className = "pill";
    p.style.background = colors[v.regime] || "#333";
    p.textContent = v.status;
    p.title = v.explanation;
    box.replaceChildren(p, document.createTextNode(" " + (v.side || v.explanation)));
    box.dataset.regime = v.regime;
    box.dataset.side = v.kind || "";
  }

  // the verdict's box is as tall as its tallest text over the fan (measured once per spec), so a
  // drag never changes the frame's height (that would make the page lay itself out again)
  function holdVerdictHeight() {
    const v = el("fanverdict");
    v.style.minHeight = "";
    if (runs.length > 1) return;
    const seen = new Set();
    let tallest = 0;
    for (let i = -1; i < fan.lrs.length; i++) {
      const w = verdictOf(0, i);
      const key = w.status + "|" + (w.side || w.explanation);
      if (seen.has(key)) continue;
      seen.add(key);
      show(i);
      tallest = Math.max(tallest, v.getBoundingClientRect().height);
    }
    v.style.minHeight = Math.ceil(tallest) + "px";
  }

  // the fan index a slider position shows: the server's runs at their own position (and where the
  // nearest grid lr is the server's lr), else the nearest grid lr
  function pick(pos) {
    if (pos === startPos) return -1;
    const i = nearest(lrAt(pos));
    return fan.lrs[i] === ref.lr ? -1 : i;
  }
  const current = () => pick(Number(el("fanlr").value));

  function onInput() {
    if (!fan) return;
    const i = current();
    el("fanlr").setAttribute("aria-valuetext", "lr = " + fmt(lrOf(i)));
    if (i === shown) return; // a position between two fan lrs keeps the nearest one drawn
    show(i);
    hooks.apply(i);
    shown = i;
  }

  function onChange() {
    if (!fan) return;
    const i = current();
    if (i >= 0) hooks.release(fan.lrs[i]); // back on the server's lr: nothing to send
  }

  let observed = false;
  function setup(spec, data, h) {
    hooks = h;
    ref = spec.fan || null;
    runs = spec.runs || [];
    colors = spec.regime_colors || {};
    fan = data && ref && data.members.length === runs.length ? data : null;
    const bar = el("fanbar");
    bar.hidden = !fan;
    el("fanverdict").hidden = !fan || runs.length > 1; // several runs: their verdicts in the readout
    if (!fan) return;
    const input = el("fanlr");
    input.max = String(STOPS);
    startPos = posOf(ref.lr);
    input.value = String(startPos);
    input.setAttribute("aria-valuetext", "lr = " + fmt(ref.lr));
    shown = -1;
    paintTrack();
    drawCurve();
    holdVerdictHeight();
    show(-1);
    if (!input._lrlabWired) {
      input._lrlabWired = true;
      input.addEventListener("input", onInput);
      input.addEventListener("change", onChange);
    }
    if (!observed) {
      observed = true; // the curve follows the track's width (a resize, the phone layout)
      let lastW = 0;
      new ResizeObserver(() => {
        const w = el("fanu").clientWidth;
        if (fan && Math.abs(w - lastW) > 1) {
          lastW = w;
          drawCurve();
          paintTrack();
        }
      }).observe(el("fanwrap"));
    }
  }

  // hold: measure the verdict's box again (player.js moved it beside the map or back above it)
  window.LRLabFan = {
    setup: setup,
    hold: () => fan && (holdVerdictHeight(), show(shown)),
    shown: () => shown, // the fan index drawn (-1: the server's runs)
  };
})();

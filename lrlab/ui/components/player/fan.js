// The player's own lr slider: the lr fan (lrlab/fan.py) is one batched run per grid lr, all of them
// in spec.fan. Dragging (the range input's `input` event) swaps the drawn run for the fan's run at
// that lr, in the browser, with no server round trip; releasing (`change`) hands the lr back to
// Streamlit so the sidebar, the badges and the URL follow. The track is coloured by the regime each
// lr ends in (the badges' colours), with the theory's lines (1/λ, 2/λ, ...) as labelled ticks; above
// it, on the same lr scale, the fan's U curve: each lr's final loss above the minimum (log), dots in
// its regime's colour, a diverged lr as ✕ on the top edge (it has no final loss), the current lr
// marked. Under it, the verdict of the lr drawn: its regime word and the theory's sentence for it.
// player.js calls LRLabFan.setup(spec, hooks) after each new spec; hooks.apply(i) redraws run i.
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const el = (id) => document.getElementById(id);
  let hooks = null;
  let fan = null;
  let colors = {};
  let shown = -1; // the fan index drawn

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
  // shows the fan's lr nearest to it (the readout says which lr that is)
  const STOPS = 400;
  const logLo = () => Math.log(fan.lrs[0]);
  const logSpan = () => Math.log(fan.lrs[fan.lrs.length - 1]) - logLo();
  const pct = (lr) => (100 * (Math.log(lr) - logLo())) / logSpan();
  const lrAt = (pos) => Math.exp(logLo() + (pos / STOPS) * logSpan());
  const posOf = (lr) => Math.round((STOPS * pct(lr)) / 100);

  // a CSS gradient with one flat band per lr of the fan, where the slider shows it: its regime
  function trackGradient() {
    const n = fan.lrs.length;
    const edge = (i) => (i <= 0 ? 0 : i >= n ? 100 : (pct(fan.lrs[i - 1]) + pct(fan.lrs[i])) / 2);
    const stops = fan.regime.map((r, i) => {
      const c = colors[r] || "#888";
      return c + " " + edge(i).toFixed(3) + "% " + edge(i + 1).toFixed(3) + "%";
    });
    return "linear-gradient(to right, " + stops.join(", ") + ")";
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

  // where the slider's thumb centre is for lr: the track less half a thumb at either end
  function geometry() {
    const svg = el("fanu");
    const width = svg.clientWidth || 300;
    const height = svg.clientHeight || U.bottom + 10;
    const thumb = el("fanlr").getBoundingClientRect().height > 0 ? 0.65 * parseFloat(getComputedStyle(document.documentElement).fontSize) : 11;
    const finite = fan.final.filter((v) => v !== null && v > 0).map(Math.log10);
    let lo = finite.length ? Math.floor(Math.min(...finite)) : -16;
    let hi = finite.length ? Math.ceil(Math.max(...finite)) : 0;
    if (hi - lo < 2) hi = lo + 2;
    const x = (lr) => thumb + ((width - 2 * thumb) * pct(lr)) / 100;
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
    // the theory's lines through the curve down to the track
    fan.lines.forEach((line) => {
      const xx = g.x(line.lr).toFixed(1);
      node(svg, "line", { x1: xx, x2: xx, y1: 0, y2: g.height, class: "uline" });
    });
    // the curve through the lrs that have a final loss, then each lr as a dot in its regime's colour
    let d = "";
    let pen = false;
    fan.lrs.forEach((lr, i) => {
      const v = fan.final[i];
      if (v === null || !(v > 0)) {
        pen = false;
        return;
      }
      d += (pen ? "L" : "M") + g.x(lr).toFixed(1) + "," + g.y(v).toFixed(1);
      pen = true;
    });
    node(svg, "path", { d: d, class: "ucurve" });
    fan.lrs.forEach((lr, i) => {
      const v = fan.final[i];
      const c = colors[fan.regime[i]] || "#888";
      const xx = g.x(lr);
      if (v === null || !(v > 0)) {
        // diverged: no final loss; a ✕ on the top edge in the diverged colour
        const yy = U.top;
        node(svg, "path", { d: "M" + (xx - 3) + "," + (yy - 3) + "l6,6m0,-6l-6,6", stroke: colors.diverged || c, "stroke-width": 1.6, class: "udiv" });
      } else {
        node(svg, "circle", { cx: xx.toFixed(1), cy: g.y(v).toFixed(1), r: 2.2, fill: c, class: "udot" });
      }
    });
    const mark = node(svg, "g", { id: "umark" });
    node(mark, "line", { y1: U.top - 6, y2: g.height, class: "umarkline" });
    node(mark, "circle", { r: 5.5, class: "umarkring" });
    drawTicks();
    if (shown >= 0) moveMark(shown);
  }

  // the current lr on the curve: a line down to the thumb and a ring on its point (or the top edge)
  function moveMark(i) {
    const mark = el("umark");
    if (!mark || !geo) return;
    const xx = geo.x(fan.lrs[i]).toFixed(1);
    const v = fan.final[i];
    const yy = v === null || !(v > 0) ? U.top : geo.y(v);
    mark.setAttribute("transform", "translate(" + xx + ",0)");
    mark.querySelector("circle").setAttribute("cy", yy.toFixed(1));
    mark.dataset.lr = String(fan.lrs[i]); // for tests: the lr the mark stands on
    el("fanu").setAttribute("aria-label", "Final loss above the minimum against the learning rate (the lr fan's U curve); " +
      "lr = " + fmt(fan.lrs[i]) + (v === null ? ": diverged" : ": final f − f* = " + fmt(v)));
  }

  // the theory's lines as labelled ticks over the curve: each label beside its line, the lower line's
  // to its left and the higher's to its right (inside the track), a second row if they still meet
  function drawTicks() {
    const box = el("fanticks");
    box.replaceChildren();
    const placed = [];
    fan.lines.forEach((line, k) => {
      const t = document.createElement("span");
      t.className = "fantick";
      t.textContent = line.label;
      box.appendChild(t);
      const xx = geo.x(line.lr);
      const w = t.offsetWidth;
      let left = k === fan.lines.length - 1 ? xx + 3 : xx - 3 - w;
      if (left < 0) left = xx + 3;
      if (left + w > geo.width) left = xx - 3 - w;
      const row = placed.some((p) => left < p.right + 4 && left + w > p.left - 4) ? 1 : 0;
      if (row) t.classList.add("low");
      t.style.left = left.toFixed(1) + "px";
      placed.push({ left: left, right: left + w });
    });
  }

  // the verdict of the lr drawn: its regime word, and the theory's sentence for it (where the
  // optimizer has lines) or the run's own sentence; the run's sentence is also the word's tooltip
  function show(i) {
    const lr = fan.lrs[i];
    el("fanval").textContent = "lr = " + fmt(lr);
    const v = el("fanverdict");
    v.replaceChildren();
    const pill = document.createElement("span");
    pill.className = "pill";
    pill.style.background = colors[fan.regime[i]] || "#333";
    pill.textContent = fan.status[i];
    pill.title = fan.explanation[i];
    v.dataset.regime = fan.regime[i];
    const text = fan.side ? fan.side[i] : fan.explanation[i];
    v.dataset.side = fan.side ? fan.side_kind[i] : "";
    v.append(pill, document.createTextNode(" " + text));
    moveMark(i);
  }

  // the verdict's box is as tall as its tallest text over the fan (measured once per spec), so a
  // drag never changes the frame's height (that would make the page lay itself out again)
  function holdVerdictHeight() {
    const v = el("fanverdict");
    v.style.minHeight = "";
    const seen = new Set();
    let tallest = 0;
    fan.lrs.forEach((_, i) => {
      const key = fan.status[i] + "|" + (fan.side ? fan.side[i] : fan.explanation[i]);
      if (seen.has(key)) return;
      seen.add(key);
      show(i);
      tallest = Math.max(tallest, v.getBoundingClientRect().height);
    });
    v.style.minHeight = Math.ceil(tallest) + "px";
  }

  const current = () => nearest(lrAt(Number(el("fanlr").value)));

  function onInput() {
    const i = current();
    el("fanlr").setAttribute("aria-valuetext", "lr = " + fmt(fan.lrs[i]));
    if (i === shown) return; // a position between two fan lrs keeps the nearest one drawn
    show(i);
    hooks.apply(i);
    shown = i;
  }

  function onChange() {
    hooks.release(fan.lrs[current()]);
  }

  let observed = false;
  function setup(spec, h) {
    hooks = h;
    fan = spec.fan || null;
    colors = spec.regime_colors || {};
    const bar = el("fanbar");
    const verdict = el("fanverdict");
    bar.hidden = verdict.hidden = !fan;
    if (!fan) return;
    const input = el("fanlr");
    input.max = String(STOPS);
    input.value = String(posOf(fan.lrs[fan.index]));
    input.style.background = trackGradient();
    input.setAttribute("aria-valuetext", "lr = " + fmt(fan.lrs[fan.index]));
    shown = fan.index;
    drawCurve();
    holdVerdictHeight();
    show(fan.index);
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
        }
      }).observe(el("fanwrap"));
    }
  }

  // hold: measure the verdict's box again (player.js moved it beside the map or back above it)
  window.LRLabFan = { setup: setup, hold: () => fan && (holdVerdictHeight(), show(shown)) };
})();

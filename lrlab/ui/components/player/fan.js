// The player's own lr slider: the lr fan (lrlab/fan.py) is one batched run per grid lr, all of them
// in spec.fan. Dragging (the range input's `input` event) swaps the drawn run for the fan's run at
// that lr, in the browser, with no server round trip; releasing (`change`) hands the lr back to
// Streamlit so the sidebar, the badges and the URL follow. The track is coloured by the regime each
// lr ends in (the badges' colours), with the theory's lines (1/λ, 2/λ, ...) as labelled ticks.
// player.js calls LRLabFan.setup(spec, hooks) after each new spec; hooks.apply(i) redraws run i.
(function () {
  "use strict";
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

  function drawTicks() {
    const box = el("fanticks");
    box.replaceChildren();
    fan.lines.forEach((line, k) => {
      const t = document.createElement("span");
      t.className = "fantick" + (k % 2 ? " low" : "");
      t.style.left = pct(line.lr) + "%";
      t.textContent = line.label;
      box.appendChild(t);
    });
  }

  function show(i) {
    const lr = fan.lrs[i];
    el("fanval").textContent = "lr = " + fmt(lr);
    const v = el("fanverdict");
    v.replaceChildren();
    const pill = document.createElement("span");
    pill.className = "pill";
    pill.style.background = colors[fan.regime[i]] || "#333";
    pill.textContent = fan.status[i];
    v.dataset.regime = fan.regime[i];
    v.append(pill, document.createTextNode(" " + fan.explanation[i]));
  }

  const current = () => nearest(lrAt(Number(el("fanlr").value)));

  function onInput() {
    const i = current();
    el("fanlr").setAttribute("aria-valuetext", "lr = " + fmt(fan.lrs[i]));
    show(i);
    if (i !== shown) hooks.apply(i); // a position between two fan lrs keeps the nearest one drawn
    shown = i;
  }

  function onChange() {
    hooks.release(fan.lrs[current()]);
  }

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
    drawTicks();
    show(fan.index);
    shown = fan.index;
    if (!input._lrlabWired) {
      input._lrlabWired = true;
      input.addEventListener("input", onInput);
      input.addEventListener("change", onChange);
    }
  }

  window.LRLabFan = { setup: setup };
})();

/* LR Lab player: the map's moving parts (paths, heads, arrows, "left at step k", noise balls), drawn by
hand in an SVG layer exactly over the plotly.js map.

Why by hand: plotly.js has no public call that moves one trace without redrawing its plot, and a
Plotly.restyle of a path re-runs the whole map, the contour's marching squares included (~40 ms a
call measured in headless Chromium; an overlay plot of its own still cost ~16 ms a call). Here a move
sets a few `d` attributes (< 1 ms), so the contour's DOM is never touched while the runs move: Play,
scrubbing, keys and the lr slider's drag all come through draw().

The layer is an <svg> as large as the map's div, above it, with `pointer-events: none`: zoom, pan,
click and hover reach the map below. player.js hands draw() a scene (what to draw at a step, in data
coordinates: the same scene its mapDynamic() turns into plotly.js traces for the slides export, so
the picture on screen and on the slide agree) and a projection (data -> the div's pixels, from its
one adapter to plotly.js). Styles follow plotly.js's: the line widths, Plotly's dash patterns, the
marker symbols and sizes of the traces mapDynamic() builds.
*/
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const FAR = 1e7; // pixels: a bound for the renderer (the engine stops a run ~100 plot-widths away)

  function node(parent, tag, attrs) {
    const e = document.createElementNS(NS, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
    if (parent) parent.appendChild(e);
    return e;
  }
  const clamp = (v) => Math.max(-FAR, Math.min(FAR, v));
  const f1 = (v) => clamp(v).toFixed(1);

  // plotly.js's dash patterns (Drawing.dashStyle), scaled by the line width as it does
  function dashArray(dash, width) {
    const w = Math.max(width, 3);
    const d = {
      dot: [w, w],
      dash: [3 * w, 3 * w],
      longdash: [5 * w, 5 * w],
      dashdot: [3 * w, w, w, w],
      longdashdot: [5 * w, 2 * w, w, 2 * w],
    }[dash];
    return d ? d.join(",") : "none";
  }

  // the marker symbols the player uses, as plotly.js draws them for a marker of `size` px
  function symbolPath(symbol, size) {
    const r = size / 2;
    const poly = (n, R, rot, inner) => {
      const pts = [];
      const k = inner ? 2 * n : n;
      for (let i = 0; i < k; i++) {
        const a = rot + (i * 2 * Math.PI) / k;
        const rr = inner && i % 2 ? inner : R;
        pts.push((rr * Math.sin(a)).toFixed(2) + "," + (-rr * Math.cos(a)).toFixed(2));
      }
      return "M" + pts.join("L") + "Z";
    };
    switch (symbol) {
      case "square":
        return "M" + r + "," + r + "H" + -r + "V" + -r + "H" + r + "Z";
      case "diamond":
        return poly(4, r * 1.3, 0);
      case "triangle-up":
        return poly(3, r * 1.15, 0);
      case "pentagon":
        return poly(5, r * 1.05, 0);
      case "hexagon":
        return poly(6, r * 1.05, Math.PI / 6);
      case "triangle-down":
        return poly(3, r * 1.15, Math.PI);
      default:
        return "M" + r + ",0A" + r + "," + r + " 0 1,1 0," + -r + "A" + r + "," + r + " 0 0,1 " + r + ",0Z";
    }
  }

  // the line through the points (a null breaks it, as plotly.js's connectgaps: false) and the small
  // dots at each point (one path of circles)
  function lineAndDots(xs, ys, proj, dot) {
    let line = "";
    let dots = "";
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (xs[i] === null || ys[i] === null) {
        pen = false;
        continue;
      }
      const p = proj(xs[i], ys[i]);
      if (!p) {
        pen = false;
        continue;
      }
      line += (pen ? "L" : "M") + f1(p[0]) + "," + f1(p[1]);
      pen = true;
      if (dot) dots += "M" + f1(p[0] - dot) + "," + f1(p[1]) + "a" + dot + "," + dot + " 0 1,0 " + 2 * dot + ",0a" + dot + "," + dot + " 0 1,0 " + -2 * dot + ",0";
    }
    return [line, dots];
  }

  // draw(scene, proj, area): scene = {runs: [{x, y, head: [x, y] | null, color, dash, symbol,
  // width?, dot?}], arrows: [{x0, y0, x1, y1, color, dash, width}], exits: [{x, y, color, text,
  // side}], balls: [{points: [[x, y], ...], color, width}], marks?: [{x, y, color, text}]};
  // proj(x, y) -> [px, py] (null: not drawable, e.g. 0 on a log axis); area = the plot area.
  // The player's line charts use it too while the lr slider is dragged (a line, no dots, and the
  // "diverged at step k" mark: an x and its text, as lrlab/figures/parts.py stop_mark draws it).
  let made = 0; // each layer's clip paths get ids of their own (ids are the document's)
  function create(svg) {
    const id = "lrlab-over" + made++;
    const defs = node(svg, "defs");
    const clip = node(defs, "clipPath", { id: id + "-area" });
    const clipRect = node(clip, "rect");
    const clip2 = node(defs, "clipPath", { id: id + "-edge" }); // the area and a ring's width
    const clipRect2 = node(clip2, "rect");
    const root = node(svg, "g", { "clip-path": "url(#" + id + "-area)" });
    const top = node(svg, "g", { class: "exits", "clip-path": "url(#" + id + "-edge)" });
    const pool = {}; // kind -> elements kept between draws (a move sets attributes, no DOM churn)
    // one group per kind, stacked in this order whatever is drawn first: lines, their dots, heads,
    // arrows (as plotly.js's traces were: arrows after the runs), noise balls above them all
    const layer = {};
    ["line", "dots", "head", "arrow", "arrowhead", "ball"].forEach((k) => (layer[k] = node(root, "g")));
    ["exitring", "exittext", "markx", "marktext"].forEach((k) => (layer[k] = node(top, "g")));

    function take(kind, parent, tag, i) {
      const list = pool[kind] || (pool[kind] = []);
      while (list.length <= i) list.push(node(layer[kind], tag, { class: kind }));
      list[i].style.display = "";
      return list[i];
    }
    function hideFrom(kind, i) {
      (pool[kind] || []).slice(i).forEach((e) => (e.style.display = "none"));
    }

    function draw(scene, proj, area) {
      // the svg covers its box by CSS (player.css): only the plot area's clip is set here
      clipRect.setAttribute("x", area.x);
      clipRect.setAttribute("y", area.y);
      clipRect.setAttribute("width", Math.max(0, area.width));
      clipRect.setAttribute("height", Math.max(0, area.height));
      clipRect2.setAttribute("x", area.x - 12);
      clipRect2.setAttribute("y", area.y - 12);
      clipRect2.setAttribute("width", Math.max(0, area.width + 24));
      clipRect2.setAttribute("height", Math.max(0, area.height + 24));
      scene.runs.forEach((r, k) => {
        const width = r.width || 3.5;
        const [line, dots] = lineAndDots(r.x, r.y, proj, r.dot === undefined ? 2.5 : r.dot);
        const l = take("line", root, "path", k);
        l.setAttribute("d", line || "M0,0");
        l.setAttribute("fill", "none");
        l.setAttribute("stroke", r.color);
        l.setAttribute("stroke-width", width);
        l.setAttribute("stroke-linejoin", "round");
        l.setAttribute("stroke-dasharray", dashArray(r.dash, width));
        l.dataset.run = String(k);
        const d = take("dots", root, "path", k);
        d.setAttribute("d", dots || "M0,0");
        d.setAttribute("fill", r.color);
      });
      hideFrom("line", scene.runs.length);
      hideFrom("dots", scene.runs.length);

      let heads = 0;
      scene.runs.forEach((r) => {
        if (!r.head) return;
        const p = proj(r.head[0], r.head[1]);
        const h = take("head", root, "path", heads++);
        h.setAttribute("d", symbolPath(r.symbol, 17));
        h.setAttribute("transform", "translate(" + f1(p[0]) + "," + f1(p[1]) + ")");
        h.setAttribute("fill", r.color);
        h.setAttribute("stroke", "#000");
        h.setAttribute("stroke-width", 2.5);
      });
      hideFrom("head", heads);

      scene.arrows.forEach((a, k) => {
        const p0 = proj(a.x0, a.y0);
        const p1 = proj(a.x1, a.y1);
        const len = Math.hypot(p1[0] - p0[0], p1[1] - p0[1]);
        const g = take("arrow", root, "path", k);
        const ux = len ? (p1[0] - p0[0]) / len : 0;
        const uy = len ? (p1[1] - p0[1]) / len : 0;
        const head = Math.min(16, len); // the head never longer than the arrow
        const bx = p1[0] - ux * head;
        const by = p1[1] - uy * head;
        g.setAttribute("d", "M" + f1(p0[0]) + "," + f1(p0[1]) + "L" + f1(bx) + "," + f1(by));
        g.setAttribute("stroke", a.color);
        g.setAttribute("stroke-width", a.width);
        g.setAttribute("fill", "none");
        g.setAttribute("stroke-dasharray", dashArray(a.dash, a.width));
        g.setAttribute("opacity", a.opacity || 1);
        const h = take("arrowhead", root, "path", k);
        const w = head * 0.45;
        h.setAttribute(
          "d",
          "M" + f1(p1[0]) + "," + f1(p1[1]) + "L" + f1(bx - uy * w) + "," + f1(by + ux * w) + "L" + f1(bx + uy * w) + "," + f1(by - ux * w) + "Z",
        );
        h.setAttribute("fill", a.color);
        h.setAttribute("opacity", a.opacity || 1);
      });
      hideFrom("arrow", scene.arrows.length);
      hideFrom("arrowhead", scene.arrows.length);

      // the noise balls above the paths (a noisy path covers its own ball): a white halo, then the line
      let n = 0;
      scene.balls.forEach((b) => {
        const d = b.points.map((p, i) => {
          const q = proj(p[0], p[1]);
          return (i ? "L" : "M") + f1(q[0]) + "," + f1(q[1]);
        }).join("") + "Z";
        const e = take("ball", root, "path", n++);
        e.setAttribute("d", d);
        e.setAttribute("fill", "none");
        e.setAttribute("stroke", b.color);
        e.setAttribute("stroke-width", b.width);
      });
      hideFrom("ball", n);

      // where a run left the map's box: a ring on the box's edge and "left at step k" inside the box
      scene.exits.forEach((x, k) => {
        const p = proj(x.x, x.y);
        const ring = take("exitring", top, "circle", k);
        ring.setAttribute("cx", f1(p[0]));
        ring.setAttribute("cy", f1(p[1]));
        ring.setAttribute("r", 8);
        ring.setAttribute("fill", "#fff");
        ring.setAttribute("stroke", x.color);
        ring.setAttribute("stroke-width", 3.5);
        const t = take("exittext", top, "text", k);
        // inside the box: to the left of a point on the right edge, below one on the top edge, ...
        const dx = { right: -13, left: 13 }[x.side] || 0;
        const dy = { top: 24, bottom: -14 }[x.side] || (k % 2 ? 22 : -14);
        t.setAttribute("x", f1(p[0] + dx));
        t.setAttribute("y", f1(p[1] + dy));
        t.setAttribute("text-anchor", x.side === "right" ? "end" : x.side === "left" ? "start" : "middle");
        t.setAttribute("fill", x.color);
        t.textContent = x.text;
      });
      hideFrom("exitring", scene.exits.length);
      hideFrom("exittext", scene.exits.length);

      (scene.marks || []).forEach((m, k) => {
        const p = proj(m.x, m.y);
        const x = take("markx", top, "path", k);
        x.setAttribute("d", p ? "M" + f1(p[0] - 5) + "," + f1(p[1] - 5) + "l10,10m0,-10l-10,10" : "M0,0");
        x.setAttribute("stroke", m.color);
        x.setAttribute("stroke-width", 3.5);
        const t = take("marktext", top, "text", k);
        t.setAttribute("x", p ? f1(p[0] + 6) : 0);
        t.setAttribute("y", p ? f1(p[1] + 18) : 0);
        t.setAttribute("fill", m.color);
        t.textContent = p ? m.text : "";
      });
      hideFrom("markx", (scene.marks || []).length);
      hideFrom("marktext", (scene.marks || []).length);
    }

    return { draw: draw };
  }

  window.LRLabOverlay = { create: create, symbolPath: symbolPath };
})();

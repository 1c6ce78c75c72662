/* LR Lab player: small multiples, one small map per run: the grid of the "One map per run" view
(multiples.js registers the view and loads this file, its styles included, the first time it is shown).

Each run gets a small copy of the map: the same contour, minima and start (spec.map, drawn once per
spec and size by plotly.js as a static plot: the same box, equal x/y scales), and over it that run
alone, drawn by the player's overlay (window.LRLabOverlay) from the player's own scene
(api.sceneAt(t, k): its path, its head, "left at step k", its noise ball, the arrows if they follow
it), projected by api.project. Above each map the run's name and its verdict word in its badge's
colour (spec.regime_colors), so the grid reads at one glance: which run converged, which diverged;
under them its loss at the step (the readout's words: the readout is hidden meanwhile).

Play, scrubbing and the keys (step) redraw the overlays only; draw also rewrites the titles from
spec.runs (the lr slider's drag replaces a run's data in place), and redraws the contours only for a
new spec or a new size. The columns are the ones that make the maps largest in the room: the
screen's height under the grid on a projector (api.room; the grid grows past it rather than draw
maps under MIN_PLOT px), two columns and scrolling on a phone. The small maps have no tick labels:
they all show the map's box, which the Map view labels. slide() draws the same grid on a slide
(slides.js): the contour as one image per size, each run's overlay serialized over it.
*/
// the grid's view for the player's api: {mount(div), draw(spec, step), step(spec, step), slide(ctx, t, box)}
window.LRLabMultiples = function (api) {
  "use strict";
  const Plotly = window.Plotly; // the page's cartesian bundle, the map's own (player.js keeps it global)
  const NS = "http://www.w3.org/2000/svg";
  const GAP = 10; // px between the cells
  const M = { l: 3, r: 3, t: 3, b: 3 }; // a small map's margins: its frame only
  const MIN_PLOT = 120; // px: the smallest plot area's width
  const PHONE = 520; // px: below, two columns and scrolling

  let div = null;
  let gridDiv = null;
  let cells = []; // per run: {box, head, name, pill, now, plot, over, proj}
  let spec = null;
  let drawn = ""; // what the contours were drawn for (spec, size)
  let laid = null; // the grid (fit(), th, and where and for which titles it was laid out)
  let lastWidth = 0;

  // its styles come with its code (nothing on the page's first load); each small map's overlay is a
  // .mapover (player.css), as the map's; the titles stand for the readout, hidden meanwhile
  const CSS = `
.mgrid { display: grid; gap: ${GAP}px; align-content: start; }
.mcell { min-width: 0; }
.mtitle { display: flex; flex-wrap: wrap; align-items: center; align-content: flex-start; gap: 0.1rem 0.45rem;
          font-weight: 700; font-size: 0.9rem; line-height: 1.25; padding: 0 0 0.2rem 0.3rem;
          border-left: 0.35rem solid var(--run); }
.mtitle .pill { color: #fff; border-radius: 0.4rem; padding: 0.05rem 0.45rem; }
.mtitle .now { flex-basis: 100%; font-weight: 400; font-size: 0.85rem; font-variant-numeric: tabular-nums; }
.mplot { position: relative; }
body[data-view="multiples"] #readout { display: none; }`;

  function mount(d) {
    const style = document.createElement("style");
    style.textContent = CSS;
    document.head.appendChild(style);
    div = d;
    div.classList.add("multview");
    gridDiv = document.createElement("div");
    gridDiv.className = "mgrid";
    div.appendChild(gridDiv);
    // a new width (a resized window, a rotated phone): a new grid
    new ResizeObserver(() => {
      if (spec && !div.hidden && Math.abs(div.clientWidth - lastWidth) > 8) draw(spec, api.step());
    }).observe(div);
  }

  function makeCell() {
    const box = document.createElement("div");
    box.className = "mcell";
    const head = document.createElement("div");
    head.className = "mtitle";
    const name = document.createElement("span");
    const pill = document.createElement("span");
    pill.className = "pill";
    const now = document.createElement("span");
    now.className = "now";
    head.append(pill, name, now);
    const wrap = document.createElement("div");
    wrap.className = "mplot";
    const plot = document.createElement("div");
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("class", "mapover");
    svg.setAttribute("aria-hidden", "true");
    wrap.append(plot, svg);
    box.append(head, wrap);
    gridDiv.appendChild(box);
    return { box: box, head: head, name: name, pill: pill, now: now, plot: plot, over: window.LRLabOverlay.create(svg),
             proj: null };
  }

  // n plots of aspect a (height / width) in c columns cw px wide in w x h px (h: Infinity to scroll),
  // each under a title th px high (as wide as its column): {c, r, cw, fits (the plot width the room
  // gives), pw (never under MIN_PLOT unless the column is narrower), w, h (a plot div's size)}
  function fit(n, c, w, h, a, th) {
    const r = Math.ceil(n / c);
    const cw = Math.floor((w - (c - 1) * GAP) / c);
    const wide = cw - M.l - M.r;
    const fits = isFinite(h) ? Math.min(wide, ((h - (r - 1) * GAP) / r - th - M.t - M.b) / a) : wide;
    const pw = Math.floor(Math.max(fits, Math.min(MIN_PLOT, wide)));
    return { c: c, r: r, cw: cw, fits: fits, pw: pw, w: pw + M.l + M.r, h: Math.round(pw * a) + M.t + M.b };
  }

  // the grid of the columns cols (a list) that gives the largest maps, or the fewest rows for maps at
  // most 20% smaller: runs side by side read at one glance (two runs in a row rather than stacked,
  // seven in 4 + 3 rather than 3 + 3 + 1); sized(c) is the grid of c columns
  function largest(cols, sized) {
    const grids = cols.map(sized);
    const top = Math.max(...grids.map((g) => g.fits));
    return grids.filter((g) => g.fits >= 0.8 * top).reduce((b, g) => (g.r < b.r ? g : b));
  }

  // a small map's static figure: the map's traces, its axes without titles, no legend
  function staticFigure(w, h) {
    const L = spec.map.layout;
    const axis = (ax) => Object.assign({}, ax, { title: { text: "" }, showticklabels: false, ticks: "" });
    const layout = { font: L.font, margin: M, width: w, height: h, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
                     xaxis: axis(L.xaxis), yaxis: axis(L.yaxis), showlegend: false, hovermode: false };
    return { data: spec.map.traces, layout: layout };
  }

  const verdictColor = (run) => (spec.regime_colors || {})[run.regime] || "#333";


  // a run at step t in the readout's words: its loss, its lr if a schedule changes it (else its name
  // or the sidebar says it), or where it diverged; longest(run): the longest it can be (api.fmt's
  // numbers have at most 9 characters), so the titles keep their height whatever the step
  const varies = (run) => run.lr.some((v) => v !== null && v !== run.lr[0]);
  function atStep(run, t) {
    if (run.diverged_at !== null && t >= run.diverged_at) return "diverged at step " + run.diverged_at;
    const j = Math.min(t, run.lr.length - 1);
    const lr = j >= 0 && varies(run) ? ", lr " + api.fmt(run.lr[j]) : "";
    return "loss " + api.fmt(run.loss[Math.min(t, run.loss.length - 1)]) + lr;
  }
  function longest(run) {
    const loss = "loss -8.88e-88" + (varies(run) ? ", lr 8.88e-8" : "");
    const gone = run.diverged_at !== null ? "diverged at step " + run.diverged_at : "";
    return gone.length > loss.length ? gone : loss;
  }

  // a text changed only when it changes: an unchanged title costs the page no layout
  const put = (e, text) => {
    if (e.textContent !== text) e.textContent = text;
  };

  // each title (overlays() writes the step's line)
  function titles() {
    spec.runs.forEach((run, k) => {
      const c = cells[k];
      put(c.name, run.name);
      put(c.pill, run.status);
      c.pill.style.background = verdictColor(run);
      c.box.style.setProperty("--run", run.color);
      c.box.dataset.regime = run.regime;
    });
  }

  function overlays(t) {
    cells.forEach((c, k) => {
      put(c.now, atStep(spec.runs[k], t));
      if (c.proj) c.over.draw(api.sceneAt(t, k), c.proj.proj, c.proj.area);
    });
  }

  // the grid for n titled maps in w x room px: the columns with the largest maps, the titles' height
  // measured in them (narrow columns wrap them; each step line at its longest), the div's height set
  // to the grid's
  function layout(n, w, room, a) {
    cells.forEach((c) => (c.head.style.minHeight = ""));
    const titled = (c) => {
      gridDiv.style.gridTemplateColumns = "repeat(" + c + ", " + fit(n, c, w, room, a, 0).cw + "px)";
      return Math.max(...cells.map((cell) => cell.head.offsetHeight));
    };
    const cols = w < PHONE ? [2] : Array.from({ length: n }, (_, i) => i + 1);
    const g = largest(cols, (c) => fit(n, c, w, room, a, titled(c)));
    g.th = titled(g.c);
    cells.forEach((c) => (c.head.style.minHeight = g.th + "px")); // the maps of a row side by side
    const total = g.r * (g.th + g.h) + (g.r - 1) * GAP;
    div.style.minHeight = div.style.maxHeight = total + "px"; // the grid's own height, not the map's
    return g;
  }

  function draw(next, step) {
    spec = next;
    const n = spec.runs.length;
    while (cells.length < n) cells.push(makeCell());
    cells.splice(n).forEach((c) => {
      Plotly.purge(c.plot);
      c.box.remove();
    });
    titles();
    const w = div.clientWidth || document.body.clientWidth || 600;
    lastWidth = w;
    const room = w < PHONE ? Infinity : api.room(gridDiv);
    const where = spec.id + ":" + n + ":" + w + ":" + Math.round(room);
    const said = spec.runs.map((r) => r.name + "|" + r.status + "|" + longest(r)).join("\n");
    if (!laid || laid.where !== where || laid.said !== said) {
      cells.forEach((c, k) => put(c.now, longest(spec.runs[k])));
      // the same spec, width and room (the lr slider's drag): the same grid, unless a title outgrew it
      if (!laid || laid.where !== where || Math.max(...cells.map((c) => c.head.offsetHeight)) > laid.th) {
        laid = layout(n, w, room, spec.aspect || 1);
      }
      Object.assign(laid, { where: where, said: said });
    }
    const g = laid;
    const plots = spec.id + ":" + n + ":" + g.w + "x" + g.h;
    if (plots === drawn) {
      overlays(step);
      return Promise.resolve();
    }
    drawn = plots;
    const fig = staticFigure(g.w, g.h);
    return Promise.all(cells.map((c) => {
      c.plot.parentNode.style.width = g.w + "px";
      c.plot.style.height = g.h + "px";
      return Plotly.react(c.plot, fig.data, fig.layout, { staticPlot: true }).then(() => {
        c.proj = api.project(c.plot);
      });
    })).then(() => overlays(api.step()));
  }

  // ---- the slides (export.js): the same grid on a canvas ----------------------------------------------
  const TITLE = 66; // px: the verdict, the run's name, its loss at the step: a line each
  let base = null; // {key, img, proj}: the static small map as an image, once per spec and size
  let slideOver = null; // an overlay of its own, drawn per cell and rasterized

  function loadImage(src) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error("a small map could not be rendered"));
      img.src = src;
    });
  }

  // the static small map at w x h: an image and its projection (an off-screen plot of that size)
  async function baseImage(w, h) {
    const key = spec.id + ":" + w + "x" + h;
    if (base && base.key === key) return base;
    const off = document.createElement("div");
    off.style.cssText = "position:fixed;left:-10000px;top:0;width:" + w + "px;height:" + h + "px";
    document.body.appendChild(off);
    try {
      const fig = staticFigure(w, h);
      await Plotly.newPlot(off, fig.data, fig.layout, { staticPlot: true });
      const proj = api.project(off);
      const img = await loadImage(await api.adapter.image(off, { width: w, height: h }));
      base = { key: key, img: img, proj: proj };
      return base;
    } finally {
      Plotly.purge(off);
      off.remove();
    }
  }

  // run k's overlay at step t as an image (the on-screen overlay's drawing, serialized)
  function overlayImage(t, k, w, h, p) {
    if (!slideOver) {
      const svg = document.createElementNS(NS, "svg");
      const style = document.createElementNS(NS, "style");
      style.textContent = ".exits text{font:700 14px sans-serif;paint-order:stroke;stroke:#fff;stroke-width:4px}";
      svg.appendChild(style);
      slideOver = { svg: svg, over: window.LRLabOverlay.create(svg) };
    }
    slideOver.svg.setAttribute("width", w);
    slideOver.svg.setAttribute("height", h);
    slideOver.over.draw(api.sceneAt(t, k), p.proj, p.area);
    const xml = new XMLSerializer().serializeToString(slideOver.svg);
    return loadImage("data:image/svg+xml;charset=utf-8," + encodeURIComponent(xml));
  }

  // the grid at step t in box {x, y, width, height} of the canvas: per run its verdict word in its
  // badge's colour, its name, its loss at step t (or where it diverged), its small map
  async function slide(ctx, t, box) {
    const n = spec.runs.length;
    const a = spec.aspect || 1;
    const g = largest(Array.from({ length: n }, (_, i) => i + 1), (c) => fit(n, c, box.width, box.height, a, TITLE));
    const b = await baseImage(g.w, g.h);
    // centred on the slide
    const x0 = box.x + (box.width - (g.c * g.w + (g.c - 1) * GAP)) / 2;
    const y0 = box.y + (box.height - (g.r * (TITLE + g.h) + (g.r - 1) * GAP)) / 2;
    for (let k = 0; k < n; k++) {
      const run = spec.runs[k];
      const x = x0 + (k % g.c) * (g.w + GAP);
      const y = y0 + Math.floor(k / g.c) * (TITLE + g.h + GAP);
      ctx.font = "bold 16px sans-serif";
      const pw = Math.min(g.w, ctx.measureText(run.status).width + 12);
      ctx.fillStyle = verdictColor(run);
      ctx.beginPath();
      ctx.roundRect(x, y, pw, 22, 5);
      ctx.fill();
      ctx.fillStyle = "#fff";
      ctx.fillText(run.status, x + 6, y + 17, pw - 12);
      ctx.fillStyle = run.color;
      ctx.fillRect(x + 1, y + 28, 12, 12);
      ctx.fillStyle = "#111";
      ctx.font = "bold 15px sans-serif";
      ctx.fillText(run.name, x + 18, y + 39, g.w - 18);
      ctx.fillStyle = "#333";
      ctx.font = "14px sans-serif";
      ctx.fillText(atStep(run, t), x + 1, y + 58, g.w - 1);
      ctx.drawImage(b.img, x, y + TITLE, g.w, g.h);
      ctx.drawImage(await overlayImage(t, k, g.w, g.h, b.proj), x, y + TITLE, g.w, g.h);
    }
  }

  return {
    mount: mount,
    draw: draw,
    step: (next, t) => (next === spec && cells.length === next.runs.length ? overlays(t) : draw(next, t)),
    slide: slide,
  };
};

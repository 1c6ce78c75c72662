/* LR Lab player: the slides, drawn in the browser (works on Streamlit Community Cloud: nothing runs
beside the server); export.js loads this file on the first click of PNG or GIF. "PNG": the map at
the current step; "GIF": the run animated from step 0 to the end. Both are 960 x 540 (a 16:9
slide): the map on the left, on the right the title, the step and each run's name, verdict word and
loss at that step, so the verdict is in the image. A view that draws itself on a slide (its slide(),
e.g. the small multiples) is drawn under the title and the step instead, its verdicts in it.

The map is rendered by plotly.js's public Plotly.toImage, reached through the player's adapter
(api.adapter.image), from the player's own figure at the step (api.figureAt): the map on screen is
not touched. The GIF encoder is gifenc 1.0.3 (vendor/, MIT; see vendor/README.md), imported on the
first GIF.
*/
// the slides for the player's api: {png(title), gif(title)} -> Promise (the file downloaded)
window.LRLabSlides = function (api) {
  "use strict";
  const W = 960;
  const H = 540;
  const MAP = 540; // the map's square on the left; the text panel gets the rest
  const MAX_FRAMES = 36; // ~8 s at 220 ms a frame; the last frame is held
  const gifBtn = document.getElementById("gif");
  let title = "";
  let gifenc = null;

  function loadImage(url) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error("the map could not be rendered"));
      img.src = url;
    });
  }

  // text wrapped into lines of at most maxWidth px
  function wrap(ctx, text, maxWidth) {
    const lines = [];
    let line = "";
    String(text).split(/\s+/).forEach((word) => {
      const next = line ? line + " " + word : word;
      if (ctx.measureText(next).width > maxWidth && line) {
        lines.push(line);
        line = word;
      } else {
        line = next;
      }
    });
    if (line) lines.push(line);
    return lines;
  }

  const fmt = api.fmt; // as the readout writes numbers

  // one slide frame at step t, drawn on ctx
  async function drawFrame(ctx, t) {
    const spec = api.spec();
    const view = api.currentView ? api.currentView() : null;
    if (view && view.slide) return drawView(ctx, t, view);
    const url = await api.adapter.image(api.figureAt(t, MAP, H), { width: MAP, height: H });
    const img = await loadImage(url);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, W, H);
    ctx.drawImage(img, 0, 0, MAP, H);
    const x = MAP + 16;
    const room = W - x - 16;
    let y = 40;
    ctx.fillStyle = "#111";
    ctx.font = "bold 22px sans-serif";
    wrap(ctx, title, room).slice(0, 3).forEach((l) => {
      ctx.fillText(l, x, y);
      y += 28;
    });
    ctx.font = "18px sans-serif";
    ctx.fillStyle = "#444";
    ctx.fillText("step " + t + " / " + spec.steps + " · verdict of each whole run:", x, y + 4);
    y += 42;
    const rowH = Math.min(66, (H - y - 10) / Math.max(1, spec.runs.length));
    spec.runs.forEach((run) => {
      const gone = run.diverged_at !== null && t >= run.diverged_at;
      ctx.fillStyle = run.color;
      ctx.beginPath();
      ctx.arc(x + 9, y - 7, 8, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = "#111";
      ctx.font = "bold " + Math.round(Math.min(26, rowH * 0.42)) + "px sans-serif";
      ctx.fillText(run.status, x + 26, y); // the verdict word, large
      ctx.font = Math.round(Math.min(17, rowH * 0.3)) + "px sans-serif";
      ctx.fillStyle = "#333";
      const i = Math.min(t, run.loss.length - 1);
      const at = gone ? "diverged at step " + run.diverged_at : "loss " + fmt(run.loss[i]);
      ctx.fillText(run.name + " · " + at, x + 26, y + rowH * 0.38);
      y += rowH;
    });
  }

  // the title and the step on one line, the view under them
  async function drawView(ctx, t, view) {
    const spec = api.spec();
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, W, H);
    const step = "step " + t + " / " + spec.steps;
    ctx.font = "18px sans-serif";
    const sw = ctx.measureText(step).width;
    ctx.fillStyle = "#444";
    ctx.fillText(step, W - 16 - sw, 32);
    ctx.fillStyle = "#111";
    ctx.font = "bold 22px sans-serif";
    ctx.fillText(wrap(ctx, title, W - 48 - sw)[0] || "", 16, 32);
    await view.slide(ctx, t, { x: 12, y: 50, width: W - 24, height: H - 58 });
  }

  function download(blob, name) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 2000);
  }

  function canvas() {
    const c = document.createElement("canvas");
    c.width = W;
    c.height = H;
    return c;
  }

  async function exportPng() {
    const c = canvas();
    await drawFrame(c.getContext("2d"), api.step());
    const blob = await new Promise((resolve) => c.toBlob(resolve, "image/png"));
    download(blob, "lrlab-step" + api.step() + ".png");
  }

  async function exportGif() {
    if (!gifenc) gifenc = import(new URL("vendor/gifenc.esm.js", document.baseURI).href);
    const { GIFEncoder, quantize, applyPalette } = await gifenc;
    const spec = api.spec();
    const n = Math.min(MAX_FRAMES, spec.steps + 1);
    const steps = Array.from({ length: n }, (_, k) => Math.round((k * spec.steps) / Math.max(1, n - 1)));
    const c = canvas();
    const ctx = c.getContext("2d", { willReadFrequently: true });
    const gif = GIFEncoder();
    for (let k = 0; k < steps.length; k++) {
      gifBtn.textContent = "GIF " + (k + 1) + "/" + n;
      await drawFrame(ctx, steps[k]);
      const rgba = ctx.getImageData(0, 0, W, H).data;
      const palette = quantize(rgba, 256);
      const index = applyPalette(rgba, palette);
      gif.writeFrame(index, W, H, { palette: palette, delay: k === n - 1 ? 2500 : 220 });
    }
    gif.finish();
    download(new Blob([gif.bytes()], { type: "image/gif" }), "lrlab-run.gif");
  }

  return {
    png: (named) => {
      title = named;
      return exportPng();
    },
    gif: (named) => {
      title = named;
      return exportGif();
    },
  };
};

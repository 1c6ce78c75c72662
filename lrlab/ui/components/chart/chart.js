/* LR Lab chart: one Plotly figure dict drawn by the app's own plotly.js (a Streamlit component, v1
protocol, no build step). See lrlab/ui/chart.py.

The figure arrives as Streamlit's render arguments ({figure: {data, layout, frames?, fit?}, config})
and is drawn with Plotly.react, frames included, so Plotly's own animation (Play/Pause buttons, the
step slider) works as in plain plotly.js. The width is the column's; the frame is as tall as the
figure. Nothing is sent back.

Narrow screens (figure.fit, made by lrlab.figures.nn.narrow_form): the server does not know the
screen, so the figure may carry a second, complete layout, fit.narrow, drawn instead of
figure.layout while this frame is narrower than fit.below px; fit.grow[form] = [a, b] makes that
form's height follow the width (a + b * width px, at most its layout's height: panels that stay
square). The form is decided here, at the first drawing and again after a resize (once it has
settled: dragging a window's edge draws once, not at every pixel). A new form keeps the animation
where it stands: Plotly's frames change data only, never the layout, so the data drawn and the
slider's position carry over to the other layout.
*/
(function () {
  "use strict";

  function send(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data || {}), "*");
  }
  let lastHeight = -1;
  function setHeight() {
    const h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h !== lastHeight) {
      lastHeight = h;
      send("streamlit:setFrameHeight", { height: h });
    }
  }

  const div = document.getElementById("chart");
  const DEFAULT_HEIGHT = 450; // plotly.js's own default when a layout names no height
  const SETTLE_MS = 150; // a resize is acted on once no other came for this long
  let last = null; // the arguments last drawn, as JSON: a re-render with the same figure changes nothing
  let fig = null; // the figure being shown
  let config = null;
  let shown = null; // "form height width" last drawn: a resize that changes none of them draws nothing

  // the mode bar's "Fullscreen" button, as st.plotly_chart has: the chart fills the screen (a projector)
  const FULLSCREEN = {
    name: "fullscreen",
    title: "Fullscreen",
    icon: { width: 1000, height: 1000, path: "M0 0h350v100H100v250H0zM650 0h350v350H900V100H650zM0 650h100v250h250v100H0zM900 650h100v350H650V900h250z" },
    click: () => (document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen()),
  };

  // the form (its name, layout and height) this frame's width asks for
  function form(width) {
    const fit = fig.fit || {};
    const name = fit.narrow && width < fit.below ? "narrow" : "wide";
    const layout = name === "narrow" ? fit.narrow : fig.layout;
    let height = layout.height || DEFAULT_HEIGHT;
    const grow = (fit.grow || {})[name];
    if (grow) height = Math.min(height, Math.round(grow[0] + grow[1] * width));
    if (document.fullscreenElement) height = window.innerHeight;
    return { name: name, layout: layout, height: height };
  }

  // draw the figure in the form the width asks for; `fresh`: a new figure (else only when the form,
  // the height or the width changed, keeping the animation's data and the slider where they are)
  function draw(fresh) {
    const width = div.clientWidth || window.innerWidth;
    const f = form(width);
    const key = [f.name, f.height, width].join(" ");
    if (!fresh && key === shown) return;
    const sameLayout = !fresh && shown !== null && shown.split(" ").slice(0, 2).join(" ") === f.name + " " + f.height;
    shown = key;
    document.body.dataset.form = f.name;
    if (sameLayout) {
      Plotly.Plots.resize(div); // only the width changed: plotly.js fits the same layout to it
      return;
    }
    div.style.height = f.height + "px";
    setHeight(); // the frame takes the figure's height before plotly.js draws into it
    const layout = Object.assign({}, f.layout, { height: f.height });
    let data = fig.data;
    if (!fresh && div.data) {
      data = div.data; // what the animation drew last, in the other form's layout
      const now = (div.layout && div.layout.sliders) || [];
      if (layout.sliders) layout.sliders = layout.sliders.map((s, i) => (now[i] ? Object.assign({}, s, { active: now[i].active }) : s));
    }
    Promise.resolve(Plotly.react(div, { data: data, layout: layout, frames: fig.frames || [], config: config })).then(() => {
      setHeight();
      document.body.dataset.ready = "1";
    });
  }

  let timer = null;
  window.addEventListener("resize", () => {
    if (!fig) return;
    clearTimeout(timer);
    timer = setTimeout(() => draw(false), SETTLE_MS);
  });
  document.addEventListener("fullscreenchange", () => fig && draw(false));

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || data.type !== "streamlit:render" || !data.args || !data.args.figure) return;
    const text = JSON.stringify([data.args.figure, data.args.config]);
    if (text === last) return; // the same figure (e.g. a resize): keep the animation where it is
    last = text;
    fig = data.args.figure;
    // plotly.js does not follow the frame's width by itself (responsive: false): the resize handler
    // above does, and decides the form first
    config = Object.assign({ responsive: false }, data.args.config || {});
    if (config.displayModeBar !== false) config.modeBarButtonsToAdd = [FULLSCREEN];
    draw(true);
  });

  send("streamlit:componentReady", { apiVersion: 1 });
})();

/* LR Lab chart: one Plotly figure dict drawn by the app's own plotly.js (a Streamlit component, v1
protocol, no build step). See lrlab/ui/chart.py.

The figure arrives as Streamlit's render arguments ({figure: {data, layout, frames?}, config}) and is
drawn with Plotly.react, frames included, so Plotly's own animation (Play/Pause buttons, the step
slider) works as in plain plotly.js. The frame is as tall as the figure's layout.height; the width is
the column's (responsive). Nothing is sent back.
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
  let last = null; // the arguments last drawn, as JSON: a re-render with the same figure changes nothing
  let height = DEFAULT_HEIGHT; // the figure's own height (outside fullscreen)

  // the mode bar's "Fullscreen" button, as st.plotly_chart has: the chart fills the screen (a projector)
  const FULLSCREEN = {
    name: "fullscreen",
    title: "Fullscreen",
    icon: { width: 1000, height: 1000, path: "M0 0h350v100H100v250H0zM650 0h350v350H900V100H650zM0 650h100v250h250v100H0zM900 650h100v350H650V900h250z" },
    click: () => (document.fullscreenElement ? document.exitFullscreen() : document.documentElement.requestFullscreen()),
  };
  document.addEventListener("fullscreenchange", () => {
    const h = document.fullscreenElement ? window.innerHeight : height;
    div.style.height = h + "px";
    Plotly.relayout(div, { height: h });
  });

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || data.type !== "streamlit:render" || !data.args || !data.args.figure) return;
    const text = JSON.stringify([data.args.figure, data.args.config]);
    if (text === last) return; // the same figure (e.g. a resize): keep the animation where it is
    last = text;
    const fig = data.args.figure;
    height = (fig.layout && fig.layout.height) || DEFAULT_HEIGHT;
    div.style.height = height + "px";
    setHeight(); // the frame takes the figure's height before plotly.js draws into it
    const config = Object.assign({ responsive: true }, data.args.config || {});
    if (config.displayModeBar !== false) config.modeBarButtonsToAdd = [FULLSCREEN];
    Promise.resolve(
      Plotly.react(div, { data: fig.data, layout: fig.layout, frames: fig.frames || [], config: config }),
    ).then(() => {
      setHeight();
      document.body.dataset.ready = "1";
    });
  });

  send("streamlit:componentReady", { apiVersion: 1 });
})();

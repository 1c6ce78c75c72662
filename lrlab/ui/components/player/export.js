/* LR Lab player: the PNG and GIF buttons (slides of the map, or of the view shown, with each run's
verdict in the image). Their code, slides.js, and the GIF encoder are fetched on the first click:
no byte of them on the page's first load.
*/
(window.lrlabPlayerPlugins = window.lrlabPlayerPlugins || []).push(function (api) {
  "use strict";
  let title = "";
  let busy = false;
  let slides = null; // slides.js's, once loaded

  const named = (spec) => {
    title = spec.title || "LR Lab";
  };
  api.renderHooks.push(named);
  if (api.spec()) named(api.spec()); // a render that came before this file ran

  function wire(btn, job) {
    const label = btn.textContent;
    btn.addEventListener("click", () => {
      if (busy || !api.spec()) return;
      busy = true;
      btn.disabled = true;
      api.setPlaying(false);
      api.load("slides.js")
        .then(() => (slides = slides || window.LRLabSlides(api))[job](title))
        .catch((err) => {
          btn.title = "export failed: " + err.message;
          console.warn("LR Lab export:", err);
        })
        .finally(() => {
          busy = false;
          btn.disabled = false;
          btn.textContent = label;
        });
    });
  }
  wire(document.getElementById("png"), "png");
  wire(document.getElementById("gif"), "gif");
});

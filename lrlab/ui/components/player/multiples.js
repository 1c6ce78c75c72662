/* LR Lab player: the small multiples, "One map per run" (a view plugin, for 2 runs or more). This file
registers the view; its grid (multiples-grid.js) is fetched when the view is first shown.
*/
(window.lrlabPlayerPlugins = window.lrlabPlayerPlugins || []).push(function (api) {
  "use strict";
  if (!api.addView || !api.load) return;
  let div = null;
  let grid = null; // the grid's view, once loaded

  const load = () =>
    api.load("multiples-grid.js").then(() => {
      if (!grid) {
        grid = window.LRLabMultiples(api);
        grid.mount(div);
      }
      return grid;
    });

  api.addView({
    id: "multiples",
    label: "One map per run",
    available: (s) => !!(s && s.runs && s.runs.length >= 2),
    mount: (d) => (div = d),
    draw: (spec, t) => load().then((g) => g.draw(spec, t)),
    step: (spec, t) => grid && grid.step(spec, t),
    slide: (ctx, t, box) => load().then((g) => g.slide(ctx, t, box)),
  });
});

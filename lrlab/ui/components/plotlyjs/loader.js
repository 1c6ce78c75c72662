/* LR Lab: the page's one plotly.js, shared by every component frame (see lrlab/ui/plotlyjs.py).

A component's index.html loads this file first:

  <script src="../lrlab.ui.plotlyjs.bundles/loader.js"
          data-bundle="plotly-cartesian.min.js" data-next="chart.js"></script>

It runs the bundle in this frame, then the frame's own script (data-next), which finds window.Plotly.
window.lrlabPlotlyjs.load(name) runs another bundle of the folder later (the player's 3D view loads
plotly.min.js with it) and resolves once it has run.

Why not a plain <script src>: Streamlit serves component files with "Cache-Control: public" and no
expiry or validator, so the browser fetches a file again for every frame that asks for it (measured:
two frames, two full downloads). Here the first frame of a page that needs a bundle fetches it once
and keeps it in the page (the parent window, same origin) as a blob: URL; every other frame, and
every frame created later in the same tab (reruns, page switches), runs that blob: no second request.
Only strings are kept on the parent window, never an object of this frame: a frame can go away at
any rerun, and its promises and functions with it. A frame that started a download and goes away
before it ends clears its claim, so a waiting frame takes over; outside the app (no same-origin
parent) the bundle is loaded by its URL.
*/
(function () {
  "use strict";

  const me = document.currentScript;
  const folder = new URL(".", me.src).href;
  const POLL_MS = 25; // how often a frame looks for a download another frame is making
  const GIVE_UP_MS = 15000; // a claim older than this is taken over (its frame went away unnoticed)
  const KEY = "__lrlabPlotlyjs:"; // + the bundle's URL: its blob: URL, or "loading" while fetched

  function host() {
    try {
      const top = window.parent;
      return top !== window && top.location.origin === location.origin ? top : null;
    } catch (e) {
      return null; // a parent of another origin: nothing to share with
    }
  }

  // a URL to run the bundle `name` from: the page's blob: URL of it, made by the first frame that asks
  function bundleUrl(name) {
    const url = folder + name;
    const top = host();
    if (!top) return Promise.resolve(url);
    const key = KEY + url;
    const found = top[key];
    if (typeof found === "string" && found.startsWith("blob:")) return Promise.resolve(found);
    if (found === "loading") {
      // another frame is fetching it: wait for its blob: URL, or take over if that frame went away
      const since = Date.now();
      return new Promise((resolve) => {
        (function wait() {
          if (top[key] === "loading" && Date.now() - since < GIVE_UP_MS) {
            setTimeout(wait, POLL_MS);
            return;
          }
          if (top[key] === "loading") top[key] = undefined;
          resolve(bundleUrl(name));
        })();
      });
    }
    top[key] = "loading";
    const release = () => {
      if (top[key] === "loading") top[key] = undefined;
    };
    window.addEventListener("pagehide", release);
    return fetch(url)
      .then((r) => {
        if (!r.ok) throw new Error("HTTP " + r.status + " for " + url);
        return r.blob();
      })
      .then((blob) => {
        const blobUrl = top.URL.createObjectURL(blob); // owned by the page, not by this frame
        top[key] = blobUrl;
        window.removeEventListener("pagehide", release);
        return blobUrl;
      })
      .catch((err) => {
        release();
        throw err;
      });
  }

  function run(src) {
    return new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = () => resolve();
      s.onerror = () => reject(new Error("could not run " + src));
      document.head.appendChild(s);
    });
  }

  function load(name) {
    return bundleUrl(name).then(run);
  }

  window.lrlabPlotlyjs = { load: load };
  const next = me.dataset.next;
  load(me.dataset.bundle)
    .then(() => next && run(new URL(next, document.baseURI).href))
    .catch((err) => {
      (document.body || document.documentElement).textContent = "LR Lab could not load plotly.js: " + err.message;
    });
})();

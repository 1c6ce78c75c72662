/* LR Lab: the lr fan's carrier, a hidden component of its own (lrlab/ui/player.py, fan_carrier).

Why a separate element: the lr fan (every run of the player's lr slider, 0.1-1 MB of JSON) does not
depend on the lr, and the player's spec does. Sent as this element's arguments, byte-identical on every
rerun that does not change the fan (an lr release, a toggle), Streamlit's ForwardMsg cache sends it
as a ~100-byte reference to the message the browser already has instead of sending it again.

How the player gets it: through the page (same origin), as loader.js shares plotly.js. This frame
keeps the fan's JSON text (a string: never an object of this frame, which any rerun may remove) on
the parent window under "__lrlabFan:" + id, the last KEEP of them, and fires an "lrlab-fan" event
on the parent with the id; player.js (fanStore) parses the one its spec names. Nothing else.
*/
(function () {
  "use strict";
  const PREFIX = "__lrlabFan:";
  const ORDER = "__lrlabFanIds"; // the ids kept, oldest first, space-separated (a string as well)
  const KEEP = 3;

  function host() {
    try {
      const top = window.parent;
      return top !== window && top.location.origin === location.origin ? top : null;
    } catch (e) {
      return null; // a parent of another origin: nobody to hand the fan to
    }
  }

  function send(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data || {}), "*");
  }

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || data.type !== "streamlit:render" || !data.args) return;
    const id = String(data.args.id || "");
    const text = data.args.fan;
    const top = host();
    if (!top || !id || typeof text !== "string") return;
    if (top[PREFIX + id] !== text) {
      top[PREFIX + id] = text;
      const ids = String(top[ORDER] || "").split(" ").filter((v) => v && v !== id);
      ids.push(id);
      while (ids.length > KEEP) delete top[PREFIX + ids.shift()];
      top[ORDER] = ids.join(" ");
    }
    top.dispatchEvent(new top.CustomEvent("lrlab-fan", { detail: id }));
  });

  send("streamlit:componentReady", { apiVersion: 1 });
  send("streamlit:setFrameHeight", { height: 0 });
})();

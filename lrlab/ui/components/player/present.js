/* LR Lab player: presentation mode's keys (see lrlab/ui/explorer/present.py).

While spec.present is on:  ← / →  lr one grid step down / up,  space  Play / Pause,  n / p  next /
previous preset. Space is handled here in the browser; the others need the server: they are sent as
the component's value {key, nonce} and the page applies them through its codec.

Where the focus may be: inside the player's frame (its keydown reaches the player's own listener,
which asks the hooks first), or on the page around it (the page is the same origin: one listener on
the parent document, replaced by the newest frame and removed when the frame goes away). Keys typed
into a text box, a number box or a select are left alone, and so is space on a button (it clicks).
*/
(window.lrlabPlayerPlugins = window.lrlabPlayerPlugins || []).push(function (api) {
  "use strict";
  const SERVER = { ArrowLeft: "lr_down", ArrowRight: "lr_up", n: "next", p: "prev" };
  let on = false;

  function handle(e) {
    if (!on || e.ctrlKey || e.metaKey || e.altKey) return false;
    const t = e.target;
    const tag = t && t.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return false;
    if (tag === "INPUT" && !["checkbox", "range", "button"].includes(t.type)) return false;
    if (e.key === " ") {
      if (tag === "BUTTON" || tag === "INPUT") return false;
      e.preventDefault();
      api.setPlaying(!api.isPlaying());
      return true;
    }
    const key = SERVER[e.key.length === 1 ? e.key.toLowerCase() : e.key];
    if (!key) return false;
    e.preventDefault();
    api.setPlaying(false);
    api.send("streamlit:setComponentValue", { value: { key: key, nonce: Date.now() }, dataType: "json" });
    return true;
  }
  api.keyHooks.push(handle);

  // the page around the frame
  function onPage(e) {
    if (!window.frameElement) {
      detach(); // this frame is gone
      return;
    }
    if (e.target && e.target.tagName === "IFRAME") return; // the frame's own listener has it
    handle(e);
  }
  function detach() {
    try {
      const top = window.parent;
      if (top.__lrlabPresentKeys === onPage) {
        top.document.removeEventListener("keydown", onPage);
        top.__lrlabPresentKeys = null;
      }
    } catch (err) {
      /* another origin: nothing was attached */
    }
  }
  try {
    const top = window.parent;
    if (top !== window && top.location.origin === location.origin) {
      if (top.__lrlabPresentKeys) top.document.removeEventListener("keydown", top.__lrlabPresentKeys);
      top.__lrlabPresentKeys = onPage;
      top.document.addEventListener("keydown", onPage);
      window.addEventListener("pagehide", detach);
    }
  } catch (err) {
    /* another origin: keys work inside the frame only */
  }

  function show(spec) {
    on = !!spec.present;
    document.body.classList.toggle("present", on);
  }
  api.renderHooks.push(show);
  if (api.spec()) show(api.spec()); // a render that came before this file ran
});

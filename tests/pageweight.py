"""What one page load costs the network, read in Chromium from the DevTools protocol (CDP).

Shared by ``tests/test_browser_pages.py`` (asserts the bytes) and ``benchmarks/bench_pages.py`` (prints
bytes and times). A :class:`Wire` listens to a page's ``Network`` domain with the HTTP cache disabled:

* HTTP: per request, the bytes as the browser received them (``encodedDataLength`` of
  ``Network.loadingFinished``: headers plus the body as sent, i.e. gzip-compressed where the server
  compressed it). Same-origin frames (every Streamlit component) share the page's session, so
  their requests are in it.
* the websocket: the payload bytes of every frame received (``Network.webSocketFrameReceived``;
  binary frames come base64-encoded and are counted decoded). The app turns on the websocket's
  compression (``server.enableWebsocketCompression``): CDP reports the payload inflated, so these are
  the messages' own bytes; ``benchmarks/bench_wire.py`` counts what travels.

:func:`ws_messages` decodes each websocket message as Streamlit's ForwardMsg (its kind and bytes), for
``tests/test_browser_explorer.py`` (the fan's element sent once) and ``benchmarks/bench_fan.py``.

Bytes are deterministic enough to assert (they depend on the app, the bundles and Streamlit, not on
the machine's speed); times are not, and live only in the benchmark.
"""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELLO_APP = ROOT / "tests" / "data" / "hello_app.py"  # Streamlit's floor, served beside the app
# a plotly.js: our bundles (plotly-cartesian.min.js, plotly.min.js) or Streamlit's chart bundle
# behind st.plotly_chart (static/js/PlotlyChart.<hash>.js)
PLOTLY_JS = re.compile(r"/plotly[^/]*\.js(\?|$)", re.IGNORECASE)
QUIET_S = 1.5  # a page has settled when no request was in flight for this long


@dataclass(frozen=True)
class Request:
    url: str
    status: int
    bytes: int  # encodedDataLength: as received


class Wire:
    """The network of one page, from now on (attach before ``page.goto``)."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self._urls: dict[str, str] = {}
        self._status: dict[str, int] = {}
        self._open: set[str] = set()
        self._done: dict[str, int] = {}
        self.ws_bytes = 0
        self.last_activity = time.monotonic()
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", self._failed)
        self.cdp.on("Network.webSocketFrameReceived", self._ws)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def _sent(self, e) -> None:
        self._urls[e["requestId"]] = e["request"]["url"]
        self._open.add(e["requestId"])
        self.last_activity = time.monotonic()

    def _response(self, e) -> None:
        self._status[e["requestId"]] = e["response"]["status"]

    def _finished(self, e) -> None:
        self._done[e["requestId"]] = int(e["encodedDataLength"])
        self._open.discard(e["requestId"])
        self.last_activity = time.monotonic()

    def _failed(self, e) -> None:
        self._open.discard(e["requestId"])
        self.last_activity = time.monotonic()

    def _ws(self, e) -> None:
        r = e["response"]
        data = r.get("payloadData", "")
        self.ws_bytes += len(base64.b64decode(data)) if r.get("opcode") == 2 else len(data.encode())
        self.last_activity = time.monotonic()

    def settle(self, page, *, quiet: float = QUIET_S, timeout: float = 90.0) -> None:
        """Wait until no request has been in flight, and none started, for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            page.wait_for_timeout(100)
            if not self._open and time.monotonic() - self.last_activity >= quiet:
                return
        raise TimeoutError(f"the network did not settle within {timeout:.0f} s: {sorted(self._open)}")

    @property
    def requests(self) -> list[Request]:
        return [Request(self._urls.get(i, "?"), self._status.get(i, 0), n) for i, n in self._done.items()]

    @property
    def http_bytes(self) -> int:
        return sum(r.bytes for r in self.requests)

    @property
    def total_bytes(self) -> int:
        return self.http_bytes + self.ws_bytes

    def plotly_requests(self) -> list[str]:
        """The URLs of the plotly.js bundles requested so far (ours, and Streamlit's chart bundle)."""
        return [u for u in self._urls.values() if PLOTLY_JS.search(u)]


def ws_messages(page) -> list[tuple[str, int]]:
    """Every websocket message ``page`` receives from now on, decoded as Streamlit's ForwardMsg:
    (kind, bytes) per message, kind "el:<element>" ("el:component_instance:<name>", the component's
    short name) for a new element, "ref" for a reference to a message the browser cached
    (Streamlit's ForwardMsg cache), else the message's type. The list fills as messages arrive."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # streamlit is installed with the app

    got: list[tuple[str, int]] = []

    def on_frame(event):
        raw = event["response"]["payloadData"]
        data = base64.b64decode(raw) if event["response"]["opcode"] == 2 else raw.encode()
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            kind = "ref"
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            kind = "el:" + el.WhichOneof("type")
            if kind == "el:component_instance":
                kind += ":" + el.component_instance.component_name.rsplit(".", 1)[-1]
        got.append((kind, len(data)))

    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on("Network.webSocketFrameReceived", on_frame)
    return got

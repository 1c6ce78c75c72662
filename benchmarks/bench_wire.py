"""Bytes on the wire, as a student's laptop receives them: Streamlit's websocket with and without
``server.enableWebsocketCompression`` (permessage-deflate), side by side in one run.

Chromium's DevTools report a websocket frame's *decoded* payload, not what crossed the network, so
here the browser talks to the app through a small TCP proxy on 127.0.0.1 that counts every byte the
server sends, split into the websocket connection (the one whose request asks for ``Upgrade:
websocket``) and the rest (HTTP: pages, scripts, plotly.js). Per server setting, in a fresh browser
context with the cache disabled:

* cold: the explorer's default view opened until the player has drawn it (HTTP + websocket);
* an lr release: the player's lr slider dragged and released (one rerun: the new runs, the fan
  sent as a reference), websocket bytes;
* the neural-network lab opened (its figures travel as JSON), websocket bytes.

    python benchmarks/bench_wire.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_browser import FLAGS, find_chromium  # noqa: E402
from stclient import Server, free_port  # noqa: E402

PLAYER = "iframe[title='lrlab.ui.player.descent_player']"


class CountingProxy:
    """A TCP proxy on 127.0.0.1 that counts the bytes ``target`` sends back, websocket apart."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.ws = 0
        self.http = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def reset(self) -> None:
        self.ws = self.http = 0

    async def _pipe(self, reader, writer, count=None) -> None:
        try:
            while data := await reader.read(65536):
                if count is not None:
                    count(len(data))
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            try:
                writer.close()
            except RuntimeError:  # the loop is closing
                pass

    async def _client(self, c_reader, c_writer) -> None:
        s_reader, s_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        first = await c_reader.read(65536)  # the request line and headers (a browser sends them at once)
        is_ws = b"upgrade: websocket" in first.lower()
        s_writer.write(first)
        await s_writer.drain()

        def count(n: int) -> None:
            if is_ws:
                self.ws += n
            else:
                self.http += n

        try:
            await asyncio.gather(self._pipe(c_reader, s_writer), self._pipe(s_reader, c_writer, count))
        except asyncio.CancelledError:  # the proxy is closing
            pass

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", self.port))
        self._ready.set()
        self._loop.run_forever()
        server.close()  # then the connections still open, so that nothing is left pending
        tasks = asyncio.all_tasks(self._loop)
        for t in tasks:
            t.cancel()
        self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        self._loop.close()

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def _idle(pg) -> None:
    time.sleep(0.3)
    pg.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=90_000)
    time.sleep(0.5)  # the last frames of the rerun


def measure(browser, compression: bool, rounds: int = 3) -> dict:
    flag = f"--server.enableWebsocketCompression={'true' if compression else 'false'}"
    out: dict[str, list] = {"cold_http": [], "cold_ws": [], "release_ws": [], "nn_ws": []}
    with Server(extra=(flag,)) as srv, CountingProxy(srv.port) as proxy:
        base = f"http://127.0.0.1:{proxy.port}"
        for _ in range(rounds):
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            pg = ctx.new_page()
            ctx.new_cdp_session(pg).send("Network.setCacheDisabled", {"cacheDisabled": True})
            proxy.reset()
            pg.goto(base + "/")
            frame = pg.frame_locator(PLAYER).first
            frame.locator("body[data-ready='1']").wait_for(timeout=90_000)
            frame.locator("#fanlr").wait_for(state="visible", timeout=30_000)
            _idle(pg)
            out["cold_http"].append(proxy.http)
            out["cold_ws"].append(proxy.ws)
            proxy.reset()
            frame.locator("#fanlr").evaluate(
                "(el) => { el.value = String(Number(el.value) + 40);"
                " el.dispatchEvent(new Event('input', {bubbles: true}));"
                " el.dispatchEvent(new Event('change', {bubbles: true})); }"
            )
            _idle(pg)
            out["release_ws"].append(proxy.ws)
            ctx.close()
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            pg = ctx.new_page()
            proxy.reset()
            pg.goto(base + "/nn")
            pg.wait_for_selector("h1:has-text('neural-network lab')", timeout=90_000)
            pg.wait_for_selector("iframe[title='lrlab.ui.chart.chart']", timeout=90_000)
            _idle(pg)
            out["nn_ws"].append(proxy.ws)
            ctx.close()
    return out


def rows(rounds: int = 3) -> list[tuple[str, str]]:
    exe = find_chromium()
    if exe is None:
        return [("wire", "skipped: no Chromium (apt-get install chromium, or set LRLAB_CHROMIUM)")]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=FLAGS)
        try:
            res = {c: measure(browser, c, rounds) for c in (False, True)}
        finally:
            browser.close()

    def kb(xs) -> float:
        return statistics.median(xs) / 1e3

    out = []
    for key, label in (
        ("cold_http", "explorer cold: HTTP (pages, scripts, plotly.js)"),
        ("cold_ws", "explorer cold: websocket"),
        ("release_ws", "explorer: one lr release, websocket"),
        ("nn_ws", "NN lab opened: websocket"),
    ):
        off, on = kb(res[False][key]), kb(res[True][key])
        out.append((label, f"{off:8.1f} KB -> {on:8.1f} KB with compression ({off / max(on, 1e-9):4.1f}x)"))
    return out


def main() -> None:
    for k, v in rows():
        print(f"{k:<52} {v}")


if __name__ == "__main__":
    main()

"""Shared helpers for the benchmarks: serve the app on localhost, read a process's RSS, and a minimal
Streamlit websocket client.

The client speaks Streamlit's own protocol, as the browser does: it connects to
``ws://127.0.0.1:PORT/_stcore/stream`` (subprotocol ``streamlit``), sends a ``BackMsg`` with
``rerun_script = ClientState(query_string=...)`` and reads ``ForwardMsg`` protobufs until
``script_finished``. Every app setting lives in the URL (``lrlab.ui.explorer.config``), and the explorer
re-seeds its widgets when the query string changes, so a new query string per rerun is what a slider
change does (the app writes the slider value back to the URL too). A rerun counts as correct when its
deltas contain the badge block (``lr-badges``) naming the requested ``lr = ...``, and no exception
element.

No cached-message hashes are sent, so the server sends every message in full (a browser with a warm
cache may receive references instead): sizes here are an upper bound on the wire.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


# -- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``streamlit run app.py`` on 127.0.0.1 (a context manager; killed on exit)."""

    def __init__(
        self,
        port: int | None = None,
        extra: tuple[str, ...] = (),
        launcher: str | None = None,
        env=None,
        app: str | Path | None = None,
    ):
        self.app = Path(app) if app else None  # another script to serve (a variant), else app.py
        self.launcher = launcher  # a script that takes streamlit's arguments, else ``-m streamlit``
        self.env = env
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/_stcore/stream"
        self.extra = extra
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        cmd = [
            sys.executable,
            *([self.launcher] if self.launcher else ["-m", "streamlit"]),
            "run",
            str(self.app or APP),
            "--server.headless=true",
            f"--server.port={self.port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
            "--server.runOnSave=false",
            *self.extra,
        ]
        self.log = open(os.devnull, "wb")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(self.env or {})}
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return self
            except OSError:
                time.sleep(0.3)
            if self.proc.poll() is not None:
                break
        self.__exit__(None, None, None)
        raise RuntimeError(f"streamlit did not start on {self.url}")

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_mb(self) -> float:
        return rss_mb(self.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB (psutil if installed, else /proc/PID/status VmRSS)."""
    try:
        import psutil
    except ImportError:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for pid {pid}") from None
    return psutil.Process(pid).memory_info().rss / 2**20


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by ``pid`` (all its threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the websocket client --------------------------------------------------------------------------


@dataclass
class Rerun:
    """What one rerun brought back."""

    seconds: float  # from sending rerun_script to receiving script_finished
    n_msgs: int
    n_bytes: int  # sum of the ForwardMsg sizes received
    status: int | None  # ScriptFinishedStatus (0 = FINISHED_SUCCESSFULLY)
    badge: str = ""  # the body of the lr-badges html element, if sent
    exceptions: list[str] = field(default_factory=list)
    component_bytes: int = 0  # the descent player's JSON args


class Client:
    """One browser tab, minus the browser: ``await c.connect(); r = await c.rerun("lr=0.05")``."""

    def __init__(self, ws_url: str, timeout: float = 60.0):
        self.ws_url = ws_url
        self.timeout = timeout
        self.ws = None
        self.page_hash = ""

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(
            self.ws_url,
            subprotocols=["streamlit"],
            max_size=2**26,
            open_timeout=self.timeout,
            ping_interval=None,
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, query_string: str) -> Rerun:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = query_string
        msg.rerun_script.page_script_hash = self.page_hash
        msg.rerun_script.widget_states.SetInParent()
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        out = Rerun(0.0, 0, 0, None)
        deadline = t0 + self.timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no script_finished within {self.timeout} s")
            data = await asyncio.wait_for(self.ws.recv(), left)
            out.n_msgs += 1
            out.n_bytes += len(data)
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = self.page_hash or fm.new_session.main_script_hash
            elif kind == "page_info_changed" or kind == "navigation":
                if kind == "navigation" and fm.navigation.page_script_hash:
                    self.page_hash = fm.navigation.page_script_hash
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                which = el.WhichOneof("type")
                if which == "html" and "lr-badges" in el.html.body:
                    out.badge = el.html.body
                elif which == "exception":
                    out.exceptions.append(f"{el.exception.type}: {el.exception.message}")
                elif which == "component_instance":
                    out.component_bytes = max(out.component_bytes, len(el.component_instance.json_args))
            elif kind == "script_finished":
                out.status = fm.script_finished
                if out.status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    out.seconds = time.perf_counter() - t0
                    return out


def lr_query(lr: float, base: str = "") -> str:
    """The query string of the default view with learning rate ``lr``."""
    q = f"lr={lr:g}"
    return f"{base}&{q}" if base else q


def badge_ok(r: Rerun, lr: float) -> bool:
    return r.status == 0 and not r.exceptions and f"lr = {lr:.4g}" in r.badge


def percentile(xs, q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation, as numpy.percentile."""
    s = sorted(xs)
    if not s:
        return float("nan")
    pos = (len(s) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def load_average() -> str:
    try:
        return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "load average n/a"

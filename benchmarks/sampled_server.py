"""``streamlit run`` with a sampling profiler over all of the server's threads (used by bench_server).

Every ``interval`` a thread reads every other thread's Python stack (``sys._current_frames``) and
counts, for each thread that is not waiting (innermost frame in ``selectors``/``threading``/``queue``
waits), the bucket of its innermost frame: the script thread's buckets of ``bench_server`` (engine,
figure builders, st.plotly_chart, ...) and, outside the script, protobuf serialization and message
caching, and the web server (asyncio, starlette, websockets). The counts are written as JSON to the
file named by ``LRLAB_SAMPLE_OUT`` every second; a reader subtracts two snapshots to get a window.

Usage: ``LRLAB_SAMPLE_OUT=/tmp/s.json python benchmarks/sampled_server.py run app.py [streamlit flags]``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_server import BUCKETS, _bucket_of  # noqa: E402

IDLE = {
    ("selectors.py", "select"),
    ("threading.py", "wait"),
    ("threading.py", "_wait_for_tstate_lock"),
    ("queue.py", "get"),
    ("base_events.py", "_run_once"),
    ("thread.py", "_worker"),  # a ThreadPoolExecutor worker blocked in SimpleQueue.get (C)
    ("polling_path_watcher.py", "task"),  # a watcher thread in time.sleep (C)
}
SERIALIZE = "protobuf serialization + message cache (outside the script)"
WEB = "web server: asyncio, starlette, websockets"


def classify(frame) -> str | None:
    """The bucket of a thread's current stack, or None if the thread is waiting."""
    stack = []
    while frame is not None:
        stack.append(frame.f_code)
        frame = frame.f_back
    inner = stack[0]
    if (os.path.basename(inner.co_filename), inner.co_name) in IDLE:
        return None
    paths = [c.co_filename.replace("\\", "/") for c in stack]
    if any("scriptrunner" in p for p in paths):
        bucket = BUCKETS[8]
        for code in reversed(stack):
            bucket = _bucket_of(code.co_filename, code.co_name, bucket)
        return bucket
    if any("google/protobuf" in p or "forward_msg_cache" in p or "runtime_util" in p for p in paths):
        return SERIALIZE
    return WEB


def sample(out: str, interval: float) -> None:
    me = threading.get_ident()
    counts: Counter = Counter()
    last = time.monotonic()
    while True:
        time.sleep(interval)
        for tid, frame in sys._current_frames().items():
            if tid == me:
                continue
            b = classify(frame)
            if b is not None:
                counts[b] += 1
                if os.environ.get("LRLAB_SAMPLE_DEBUG") and b == WEB:
                    f = frame
                    counts["dbg " + os.path.basename(f.f_code.co_filename) + ":" + f.f_code.co_name] += 1
        counts["_ticks"] += 1
        if time.monotonic() - last > 1.0:
            last = time.monotonic()
            tmp = out + ".tmp"
            with open(tmp, "w") as f:
                json.dump(dict(counts), f)
            os.replace(tmp, out)


def main() -> None:
    out = os.environ["LRLAB_SAMPLE_OUT"]
    interval = float(os.environ.get("LRLAB_SAMPLE_INTERVAL", "0.001"))
    sys.setswitchinterval(interval / 2)  # let the sampler in between the busy thread's bytecodes
    threading.Thread(target=sample, args=(out, interval), daemon=True).start()
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *sys.argv[1:]]
    streamlit_main()


if __name__ == "__main__":
    main()

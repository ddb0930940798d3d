"""``interdictor serve`` stops on SIGTERM within 5 s, even with a request still in flight."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BOUND = 5.0  # seconds from SIGTERM to exit (what an orchestrator waits before SIGKILL, with margin)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _up(port: int, proc: subprocess.Popen[bytes], wait: float = 90) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail("the server did not come up")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_serve_stops_on_sigterm_within_five_seconds_with_a_request_in_flight(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "INTERDICTOR_DATA_DIR": str(tmp_path / "data"), "INTERDICTOR_SECRET_KEY": "s" * 64,
           "INTERDICTOR_DETECTORS": "route"}
    cmd = [sys.executable, "-m", "interdictor.cli", "serve", "--port", str(port), "--log-level", "warning",
           "--db", f"sqlite:///{tmp_path / 'serve.sqlite'}"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stuck = socket.socket()
    try:
        _up(port, proc)
        # a client that sends half a request body and then waits: the request never finishes by itself
        stuck.connect(("127.0.0.1", port))
        stuck.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 1000\r\n\r\n{\"username\": ")
        time.sleep(0.5)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=BOUND + 5)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {BOUND + 5:.0f} s after SIGTERM")
        assert time.monotonic() - t0 < BOUND
    finally:
        stuck.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()

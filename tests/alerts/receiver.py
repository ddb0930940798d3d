"""A local webhook receiver for the alert tests: records what it is sent, answers as told (status, delay),
can be stopped and started again on the same port."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Receiver:
    port: int = field(default_factory=free_port)
    status: int = 200
    delay: float = 0.0
    got: list[Received] = field(default_factory=list)
    started: int = 0  # requests that arrived (answered or still being answered)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Receiver:
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with rec._lock:
                    rec.started += 1
                if rec.delay:
                    time.sleep(rec.delay)
                if rec.status < 300:
                    with rec._lock:
                        rec.got.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(rec.status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def on(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.got if r.path == path]

    def wait_for(self, path: str, n: int, timeout: float = 5.0) -> list[Received]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            got = self.on(path)
            if len(got) >= n:
                return got
            time.sleep(0.05)
        return self.on(path)


def wait_until(cond: Any, timeout: float = 5.0) -> bool:
    """Whether ``cond()`` came true within ``timeout`` seconds (polled every 50 ms)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return bool(cond())

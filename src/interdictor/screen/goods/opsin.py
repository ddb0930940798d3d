"""Systematic chemical names to SMILES through OPSIN (a Java jar), cheaply.

Starting a JVM costs about a CPU-second, far more than reading the names, so the resolver keeps:

* **one OPSIN process per resolver**, started on the first name it has to read and fed every later
  batch through its pipes (OPSIN answers one line per name, flushed); it ends with the resolver or
  the interpreter, and a process that stalls past the timeout is killed and replaced next time;
* **answers across runs** in a small JSON-lines file in the user cache directory, keyed by the jar —
  the same seller writes the same names day after day, so most runs start no JVM at all.

The JVM runs with the client compiler only and the serial collector: for a few hundred names that
halves its CPU time.  Nothing here raises: a name that cannot be read maps to None.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import queue
import shutil
import subprocess
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from interdictor.screen.goods.cachefile import append_lines, read_lines

log = logging.getLogger(__name__)

NameResolver = Callable[[Sequence[str]], dict[str, str | None]]
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.awt.headless=true")
MAX_NAME_CHARS = 500


def _read_lines(out: IO[str], sink: queue.Queue[str | None]) -> None:
    for line in out:
        sink.put(line)
    sink.put(None)  # end of stream: the process is gone


def _stop(proc: subprocess.Popen[str]) -> None:
    try:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=2)
    except Exception:
        proc.kill()


class _Process:
    """One running OPSIN, answering a name per line."""

    def __init__(self, java: str, jar: Path) -> None:
        self.proc = subprocess.Popen(
            [java, *JVM_FLAGS, "-jar", str(jar), "-osmi"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8", bufsize=1,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        assert self.proc.stdout is not None
        threading.Thread(target=_read_lines, args=(self.proc.stdout, self.lines), daemon=True).start()
        self._finalizer = weakref.finalize(self, _stop, self.proc)
        self.stalled = False

    def ask(self, names: list[str], timeout_s: float) -> dict[str, str | None] | None:
        """Answers for ``names``, or None when the process died or stalled (it is then stopped)."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write("".join(n + "\n" for n in names))
            self.proc.stdin.flush()
        except OSError:
            self.kill()
            return None
        deadline = time.monotonic() + timeout_s
        out: dict[str, str | None] = {}
        for n in names:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.0))
            except queue.Empty:
                self.stalled = True
                line = None
            if line is None:  # stalled past the deadline, or gone
                self.kill()
                return None
            out[n] = line.strip() or None
        return out

    def kill(self) -> None:
        self._finalizer.detach()
        self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        self._finalizer()


@dataclass
class OpsinResolver:
    """Systematic name → SMILES through the OPSIN command-line jar (cached per name, and across runs)."""

    jar: Path
    java: str = "java"
    timeout_s: float = 60.0
    cache: dict[str, str | None] = field(default_factory=dict)
    cache_file: Path | None = None  # answers kept between runs (JSON lines); None keeps them in memory only
    _proc: _Process | None = field(default=None, init=False, repr=False)
    _loaded: bool = field(default=False, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (a context broadcast to Spark executors) with the answers known so far and neither the
        process nor the file: an executor starts its own OPSIN when it meets a new name (Java and the jar
        must be where they are on the driver) and keeps its answers for its run."""
        with self._lock:
            self._load()
            return {"jar": self.jar, "java": self.java, "timeout_s": self.timeout_s, "cache": dict(self.cache)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.jar, self.java, self.timeout_s, self.cache = state["jar"], state["java"], state["timeout_s"], state["cache"]
        self.cache_file, self._proc, self._loaded, self._lock = None, None, True, threading.Lock()

    def __call__(self, names: Sequence[str]) -> dict[str, str | None]:
        with self._lock:
            self._load()
            todo = [n for n in dict.fromkeys(names)
                    if n not in self.cache and "\n" not in n and n.strip() and len(n) <= MAX_NAME_CHARS]
            if todo:
                found = self._resolve(todo)
                if found is not None:
                    self.cache.update(found)
                    self._save(found)
            return {n: self.cache.get(n) for n in names}

    def _resolve(self, todo: list[str]) -> dict[str, str | None] | None:
        # a process kept from an earlier batch may have died since: that one is restarted once
        for fresh in ((False, True) if self._proc is not None else (True,)):
            if fresh:
                try:
                    self._proc = _Process(self.java, self.jar)
                except OSError as exc:
                    log.warning("OPSIN could not run (%s); %d names left unresolved", exc, len(todo))
                    return None
            assert self._proc is not None
            proc = self._proc
            found = proc.ask(todo, self.timeout_s)
            if found is not None:
                return found
            self._proc = None
            if proc.stalled:
                break  # the same names would stall a new process too
        log.warning("OPSIN did not answer in %.0f s; %d names left unresolved", self.timeout_s, len(todo))
        return None

    def close(self) -> None:
        if self._proc is not None:
            self._proc.close()
            self._proc = None

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.cache_file is None:
            return
        for entry in read_lines(self.cache_file):
            if (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                    and (entry[1] is None or isinstance(entry[1], str))):
                self.cache.setdefault(entry[0], entry[1])

    def _save(self, found: dict[str, str | None]) -> None:
        if self.cache_file is not None:
            append_lines(self.cache_file, [[n, s] for n, s in found.items()])


def answers_file(jar: Path, cache_dir: Path) -> Path | None:
    """Where answers of this jar are kept: a name keyed by the jar's file name and size."""
    try:
        size = jar.stat().st_size
    except OSError:
        return None
    key = hashlib.sha1(f"{jar.name}:{size}".encode()).hexdigest()[:12]
    return cache_dir / f"opsin-{key}.jsonl"


def find_opsin(configured: str | Path | None, cache_dir: Path | None = None) -> OpsinResolver | None:
    """An OPSIN resolver when Java and a jar are present: the configured path, else the jar that the
    optional ``py2opsin`` package ships.  None (and a log line) otherwise — never a download.

    ``cache_dir``: where answers are kept between runs (default: the user cache directory).
    """
    java = shutil.which("java")
    if java is None:
        log.info("no Java runtime: systematic names will not be resolved to structures")
        return None
    candidates: list[Path] = []
    if configured:
        candidates.append(Path(configured))
    spec = importlib.util.find_spec("py2opsin")  # optional: ships the OPSIN jar inside the wheel (not imported)
    if spec is not None and spec.origin:
        candidates.extend(sorted(Path(spec.origin).parent.glob("opsin*.jar")))
    for jar in candidates:
        if jar.is_file():
            if cache_dir is None:
                import platformdirs

                cache_dir = Path(platformdirs.user_cache_dir("interdictor", appauthor=False))
            return OpsinResolver(jar=jar, java=java, cache_file=answers_file(jar, cache_dir))
    log.info("no OPSIN jar found (set INTERDICTOR_OPSIN_JAR): systematic names will not be resolved")
    return None

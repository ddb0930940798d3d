"""Downloading OFAC's official list files (``interdictor lists update``).

The files go to a dated folder under the data directory and are then imported
like any local file, so what was imported can always be traced to bytes on
disk.  Tests never reach the network: they hand in an ``httpx`` transport.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

OFAC_BASE = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
OFAC_FILES = ("SDN.CSV", "ALT.CSV", "ADD.CSV")
MAX_BYTES = 200 * 1024 * 1024  # the SDN files are a few MB; refuse anything absurd


class FetchError(RuntimeError):
    pass


def fetch_ofac(
    dest_root: Path,
    base_url: str = OFAC_BASE,
    files: tuple[str, ...] = OFAC_FILES,
    transport: httpx.BaseTransport | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download ``files`` into ``dest_root/ofac-<UTC timestamp>/``; returns that folder."""
    dest = dest_root / f"ofac-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    dest.mkdir(parents=True, exist_ok=True)
    with httpx.Client(transport=transport, timeout=timeout, follow_redirects=True) as client:
        for name in files:
            url = base_url.rstrip("/") + "/" + name
            try:
                with client.stream("GET", url) as resp:
                    if resp.status_code != 200:
                        raise FetchError(f"{url}: HTTP {resp.status_code}")
                    total = int(resp.headers.get("content-length", 0)) or None
                    done = 0
                    with (dest / name).open("wb") as fh:
                        for chunk in resp.iter_bytes():
                            done += len(chunk)
                            if done > MAX_BYTES:
                                raise FetchError(f"{url}: larger than {MAX_BYTES // 2**20} MB; refused")
                            fh.write(chunk)
                            if progress:
                                progress(name, done, total)
            except httpx.HTTPError as exc:
                raise FetchError(
                    f"{url}: {exc.__class__.__name__}: {exc}. Offline? Download the files by hand and use "
                    "`interdictor lists import SDN.CSV --alt ALT.CSV --add ADD.CSV`."
                ) from exc
    return dest

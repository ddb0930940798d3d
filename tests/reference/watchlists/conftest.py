from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[Connection]:
    from interdictor.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'lists.sqlite'}")
    try:
        with store.begin() as c:
            yield c
    finally:
        store.close()

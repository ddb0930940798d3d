"""Opening the store: engine, migrations, bulk writes.

SQLAlchemy owns the schema and every ordinary query.  Bulk writes of whole
batches go through ADBC (Arrow in, no per-row Python), which is what lets one
machine store tens of thousands of shipments a second on SQLite and PostgreSQL
alike; without ADBC drivers they fall back to ``executemany``.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url

from interdictor.store import schema

log = logging.getLogger(__name__)


class StoreError(Exception):
    """The store cannot be opened or written; the message names the step that failed."""


def all_metadata() -> MetaData:
    """The core metadata with every area's tables (``store/schema_*.py``) registered on it."""
    pkg = importlib.import_module("interdictor.store")
    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name.startswith("schema_"):
            importlib.import_module(f"interdictor.store.{mod.name}")
    return schema.metadata


def _alembic_config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "interdictor.store:migrations")
    cfg.attributes["connection"] = conn
    return cfg


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


@dataclass
class Store:
    url: str
    engine: Engine
    _adbc: Any = field(default=None, repr=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def connect(self) -> Connection:
        return self.engine.connect()

    def migrate(self) -> None:
        try:
            with self.engine.begin() as conn:
                command.upgrade(_alembic_config(conn), "heads")
        except Exception as exc:
            raise StoreError(f"migrating the database at {self.safe_url} failed: {exc}") from exc

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    # ------------------------------------------------------------ bulk I/O

    def adbc(self) -> Any | None:
        """A lazily opened ADBC connection for bulk Arrow writes (None when unavailable)."""
        if self._adbc is not None:
            return self._adbc
        url = make_url(self.url)
        try:
            if self.dialect == "sqlite":
                import adbc_driver_sqlite.dbapi as sqlite_drv

                self._adbc = sqlite_drv.connect(url.database or ":memory:")
                cur = self._adbc.cursor()
                cur.execute("PRAGMA busy_timeout=30000")
                # bulk writes: a large page cache keeps the B-trees of a growing file in memory
                # (the file is in WAL mode already: the engine's connections set it)
                cur.execute("PRAGMA cache_size=-65536")  # 64 MB
                cur.execute("PRAGMA temp_store=MEMORY")
                cur.close()
                self._adbc.commit()
            elif self.dialect == "postgresql":
                import adbc_driver_postgresql.dbapi as pg_drv

                self._adbc = pg_drv.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
            else:
                return None
        except Exception as exc:
            log.warning("bulk writes fall back to executemany: %s", exc)
            self._adbc = None
        return self._adbc

    def insert_frames(self, frames: list[tuple[str, pl.DataFrame]]) -> None:
        """Append several frames to their tables in one transaction."""
        frames = [(t, f) for t, f in frames if f.height]
        if not frames:
            return
        con = self.adbc()
        if con is not None:
            cur = con.cursor()
            try:
                for table, df in frames:
                    cur.adbc_ingest(table, df.to_arrow(), mode="append")
                con.commit()
                return
            except Exception as exc:
                con.rollback()
                raise StoreError(f"writing {table} to {self.safe_url} failed: {exc}") from exc
            finally:
                cur.close()
        with self.engine.begin() as conn:
            md = all_metadata()
            for table, df in frames:
                conn.execute(md.tables[table].insert(), df.to_dicts())

    def query_frame(self, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
        with self.engine.connect() as conn:
            res = conn.execute(text(sql), params or {})
            rows = res.fetchall()
            return pl.DataFrame([tuple(r) for r in rows], schema=list(res.keys()), orient="row",
                                infer_schema_length=None)

    def close(self) -> None:
        if self._adbc is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                self._adbc.close()
            self._adbc = None
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open (and by default create or migrate) the database at ``url``."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    if u.get_backend_name() == "postgresql" and u.drivername == "postgresql":
        url = u.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    try:
        engine = create_engine(url, future=True, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise StoreError(f"cannot open the database at {make_url(url).render_as_string(hide_password=True)}: {exc}") from exc
    store = Store(url=url, engine=engine)
    if migrate:
        store.migrate()
    return store

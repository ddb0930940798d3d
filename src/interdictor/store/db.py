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
import os
import pkgutil
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, MetaData, Select, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

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


BULK_CACHE_KB = 65536  # SQLite pages a bulk connection keeps (64 MB)


def _pragma(con: Any, pragma: str) -> None:
    cur = con.cursor()
    try:
        cur.execute(f"PRAGMA {pragma}")
    finally:
        cur.close()
    con.commit()


@dataclass
class Store:
    url: str
    engine: Engine
    # ADBC connections are not shared between threads: each thread that bulk-writes or
    # bulk-reads (the screening thread, a write-behind thread) opens its own
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _opened: list[Any] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    runs_settled: bool = field(default=False, repr=False)  # stale runs marked once per open (store.repo)
    # the writers of one process take turns on SQLite (``turn``): a transaction, a bulk append, a chunk's rows,
    # re-assessments, the network's growth; two threads writing one SQLite file at once through its two
    # libraries (ADBC's and Python's) corrupted it
    writing: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        _STORES[id(self.engine)] = self

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction; on SQLite it waits for the process's other writers (``turn``)."""
        with self.turn(), self.engine.begin() as conn:
            yield conn

    def turn(self) -> contextlib.AbstractContextManager[Any]:
        """On SQLite, the process's writers one at a time (``writing``): ADBC's SQLite and Python's are two
        copies of the library, whose file locks do not see each other inside one process, so two of their
        writers at once would both write.  Nothing for PostgreSQL."""
        return self.writing if self.dialect == "sqlite" else contextlib.nullcontext()

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
        """This thread's lazily opened ADBC connection for bulk Arrow I/O (None when unavailable)."""
        if getattr(self._local, "tried", False):
            return self._local.con
        self._local.tried = True
        self._local.con = con = self._open_adbc()
        if con is not None:
            with self._lock:
                self._opened.append(con)
        return con

    @contextmanager
    def bulk_cache(self, megabytes: int) -> Iterator[None]:
        """While inside, this thread's bulk connection keeps up to ``megabytes`` of SQLite pages in memory
        (filled only as pages are read; given back after): for a writer whose inserts land all over large
        indexes, the network's growth.  Nothing for PostgreSQL, whose cache is the server's."""
        con = self.adbc() if self.dialect == "sqlite" else None
        if con is not None:
            _pragma(con, f"cache_size=-{int(megabytes) * 1024}")
        try:
            yield
        finally:
            if con is not None:
                with contextlib.suppress(Exception):  # a connection that failed keeps what it had
                    _pragma(con, f"cache_size=-{BULK_CACHE_KB}")

    def release_adbc(self) -> None:
        """Close this thread's ADBC connection (a thread that is about to end calls this)."""
        con = getattr(self._local, "con", None)
        self._local.tried = False
        self._local.con = None
        if con is None:
            return
        with self._lock:
            if con in self._opened:
                self._opened.remove(con)
        with contextlib.suppress(Exception):  # closing is best effort
            con.close()

    def _open_adbc(self) -> Any | None:
        url = make_url(self.url)
        con: Any = None
        try:
            if self.dialect == "sqlite":
                import adbc_driver_sqlite.dbapi as sqlite_drv

                con = sqlite_drv.connect(url.database or ":memory:")
                cur = con.cursor()
                cur.execute("PRAGMA busy_timeout=30000")
                # bulk writes: a large page cache keeps the B-trees of a growing file in memory
                # (the file is in WAL mode already: the engine's connections set it)
                cur.execute(f"PRAGMA cache_size=-{BULK_CACHE_KB}")
                cur.execute("PRAGMA temp_store=MEMORY")
                cur.close()
                con.commit()
            elif self.dialect == "postgresql":
                import adbc_driver_postgresql.dbapi as pg_drv

                con = pg_drv.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        except Exception as exc:
            log.warning("bulk writes fall back to executemany: %s", exc)
            if con is not None:
                with contextlib.suppress(Exception):
                    con.close()
            con = None
        return con

    def insert_frames(self, frames: list[tuple[str, pl.DataFrame]]) -> None:
        """Append several frames to their tables in one transaction."""
        frames = [(t, f) for t, f in frames if f.height]
        if not frames:
            return
        con = self.adbc()
        if con is not None:
            cur = con.cursor()
            try:
                with self.turn():
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

    def read_frame(self, stmt: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
        """A query's whole result as one frame with ``schema`` (its columns in order): through ADBC as Arrow,
        with no Python per row, where the driver is there, else row by row through SQLAlchemy."""
        con = self.adbc()
        if con is not None:
            sql, params = self._positional(stmt)
            cur = con.cursor()
            try:
                if self.dialect == "sqlite":
                    # SQLite's driver infers a column's type from its first batch; one batch for the
                    # whole result, so a column that starts with nulls is not typed too early
                    cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(2**30)})
                cur.execute(sql, params or None)
                tbl = cur.fetch_arrow_table()
            except Exception as exc:
                log.warning("bulk read falls back to SQLAlchemy: %s", exc)
                tbl = None
            finally:
                cur.close()
                con.commit()  # end the read transaction: the next read sees what was written since
            if tbl is not None:
                df = pl.from_arrow(tbl)
                assert isinstance(df, pl.DataFrame)
                df = df.rename(dict(zip(df.columns, schema, strict=True)))
                # SQLite keeps a time as text (SQLAlchemy's ISO form): parsed, as SQLAlchemy would
                texts = [pl.col(n).str.to_datetime(time_unit=d.time_unit, time_zone=d.time_zone)
                         for n, d in pl.Schema(schema).items()
                         if isinstance(d, pl.Datetime) and df.schema[n] == pl.String]
                return (df.with_columns(texts) if texts else df).cast(pl.Schema(schema))
        with self.engine.connect() as conn:
            return pl.DataFrame([tuple(r) for r in conn.execute(stmt)], schema=schema, orient="row")

    def _positional(self, stmt: Select[Any]) -> tuple[str, tuple[Any, ...]]:
        """``stmt`` as SQL with positional placeholders the ADBC driver binds (``?`` for SQLite, ``$n`` for
        PostgreSQL) and its values in order: values are bound, never written into the SQL."""
        from sqlalchemy.dialects import postgresql, sqlite

        dialect: Any = (sqlite.dialect(paramstyle="qmark") if self.dialect == "sqlite"
                        else postgresql.dialect(paramstyle="numeric_dollar"))  # type: ignore[no-untyped-call]
        compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        return str(compiled), tuple(compiled.params[name] for name in compiled.positiontup or ())

    def query_frame(self, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
        with self.engine.connect() as conn:
            res = conn.execute(text(sql), params or {})
            rows = res.fetchall()
            return pl.DataFrame([tuple(r) for r in rows], schema=list(res.keys()), orient="row",
                                infer_schema_length=None)

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for con in opened:
            with contextlib.suppress(Exception):  # closing is best effort
                con.close()
        self._local = threading.local()
        self.engine.dispose()


_STORES: weakref.WeakValueDictionary[int, Store] = weakref.WeakValueDictionary()  # by id(engine), for read_frame_on


def read_frame_on(conn: Connection, stmt: Select[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """``Store.read_frame`` for a caller that holds a connection: through the ADBC connection of the store
    ``conn`` belongs to (Arrow, no Python per row). That connection reads what is committed: call it before
    ``conn``'s transaction writes. Row by row on ``conn`` itself for an in-memory database (another
    connection would see another database) or an engine no ``Store`` opened."""
    store = _STORES.get(id(conn.engine))
    database = make_url(store.url).database if store is not None else None
    if store is None or store.engine is not conn.engine or (store.dialect == "sqlite"
                                                            and database in (None, "", ":memory:")):
        return pl.DataFrame([tuple(r) for r in conn.execute(stmt)], schema=schema, orient="row")
    return store.read_frame(stmt, schema)


URL_FORMS = "sqlite:///PATH (the embedded file) or postgresql+psycopg://USER@HOST:5432/DBNAME"


def database_url(url: str) -> URL:
    """``url`` parsed, with the PostgreSQL driver this package installs; a ``StoreError`` naming the forms
    that work when it is not a database URL we can open."""
    try:
        u = make_url(url)
    except ArgumentError:
        raise StoreError(f"{url!r} is not a database URL; use {URL_FORMS}") from None
    if u.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):  # the common spellings, one driver
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() not in ("sqlite", "postgresql") or u.drivername not in ("sqlite", "postgresql+psycopg"):
        raise StoreError(f"{u.drivername!r} databases are not supported; use {URL_FORMS}")
    return u


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only (it holds password and key hashes and personal
    data) before SQLite does, with the umask's 0644; SQLite gives its -wal and -shm files the same mode."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open (and by default create or migrate) the database at ``url``."""
    u = database_url(url)
    url = u.render_as_string(hide_password=False)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        _create_private(Path(u.database).expanduser())
    try:
        engine = create_engine(url, future=True, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        why = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StoreError(f"cannot open the database at {u.render_as_string(hide_password=True)}: {why}") from exc
    store = Store(url=url, engine=engine)
    if migrate:
        store.migrate()
    return store

"""Build the screening context: one loader per part, run before screening.

A loader takes an open connection (or None when screening without a store) and
the settings, and returns its part.  With no connection it must still return a
working part from shipped data (cold start).  Add a part by adding a line to
``LOADERS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from interdictor.screen.context import Context
from interdictor.settings import Settings

log = logging.getLogger(__name__)

Loader = Callable[[Connection | None, Settings], Any]


def _route(conn: Connection | None, settings: Settings) -> Any:
    from interdictor.reference.geo import load_geo
    from interdictor.screen.route import RoutePart

    return RoutePart(geo=load_geo(), border_area_km=settings.border_area_km)


def _consistency(conn: Connection | None, settings: Settings) -> Any:
    from interdictor.screen.consistency import ConsistencyPart

    return ConsistencyPart()


def _parties(conn: Connection | None, settings: Settings) -> Any:
    from interdictor.screen.parties import load_parties

    return load_parties(conn, settings)


def _goods(conn: Connection | None, settings: Settings) -> Any:
    from interdictor.screen.goods.loader import load_goods

    return load_goods(conn, settings)


LOADERS: dict[str, Loader] = {
    "route": _route,
    "consistency": _consistency,
    "parties": _parties,
    "goods": _goods,
}


def load_context(settings: Settings, conn: Connection | None = None, parts: list[str] | None = None) -> Context:
    ctx = Context()
    for name, loader in LOADERS.items():
        if parts is not None and name not in parts:
            continue
        value = loader(conn, settings)
        version = getattr(value, "version", None)
        ctx = ctx.with_part(name, value, str(version) if version is not None else None)
    return ctx

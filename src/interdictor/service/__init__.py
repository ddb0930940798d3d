"""The HTTP service: API, partner scoping, audit, and the web workspace.  ``create_app(settings)``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(*args: Any, **kwargs: Any) -> FastAPI:
    from interdictor.service.app import create_app as make

    return make(*args, **kwargs)


__all__ = ["create_app"]

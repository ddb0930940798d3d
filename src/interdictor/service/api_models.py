"""API: the risk model versions — list them, train one on the stored outcomes, activate or deactivate.

The same operations as ``interdictor learn`` and ``interdictor models``. A change is seen by the
running service at its next batch (``screening.assembly.refresh_model``), with no restart.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam

from interdictor import __version__
from interdictor.learn.loop import ModelError
from interdictor.screening.assembly import refresh_model
from interdictor.service import views
from interdictor.service.auth import require, state
from interdictor.service.errors import ERROR_RESPONSES, ApiError
from interdictor.service.principal import Principal
from interdictor.store import models

router = APIRouter(responses=ERROR_RESPONSES)
Admin = Annotated[Principal, Depends(require("admin"))]
Version = Annotated[int, PathParam(ge=1, le=1_000_000)]


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    card = row["card"] or {}
    return {"version": row["version"], "active": bool(row["active"]), "created_at": row["created_at"],
            "created_by": row["created_by"], "data": card.get("data"), "validation": card.get("validation"),
            "feature_set": card.get("feature_set")}


def _swap(request: Request) -> None:
    """Let the service screen with the store's active model now (the writer would see it at its next batch)."""
    st = state(request)
    st.screener.screening = refresh_model(st.screening, st.store, st.settings)


@router.get("/models", tags=["models"], summary="Risk model versions, newest first, which one is active")
def list_models(request: Request, who: Annotated[Principal, Depends(require("performance"))]) -> dict[str, Any]:
    with state(request).read() as conn:
        rows = models.list_models(conn)
    return {"results": views.jsonable([_summary(r) for r in rows])}


@router.post("/admin/models/learn", tags=["models"], status_code=201,
             summary="Train a model on every stored outcome; active when it validates no worse")
def learn(request: Request, who: Admin, activate: bool = False) -> dict[str, Any]:
    """``interdictor learn``: 422 ``nothing_to_learn`` when no stored exam found anything yet."""
    try:
        with state(request).write() as conn:
            done = models.learn(conn, who.actor, activate=activate, code_version=__version__)
    except ModelError as exc:
        raise ApiError(422, str(exc), "nothing_to_learn") from exc
    if done.active:
        _swap(request)
    return {"version": done.version, "active": done.active, "forced": done.forced, "why": done.why,
            "notes": list(done.notes)}


@router.post("/admin/models/{version}/activate", tags=["models"], summary="Screen with this model version from now on")
def activate(request: Request, version: Version, who: Admin) -> dict[str, Any]:
    with state(request).write() as conn:
        if version not in {r["version"] for r in models.list_models(conn)}:
            raise ApiError(404, f"no model version {version}", "unknown_model")
        try:
            models.activate(conn, who.actor, version)
        except ModelError as exc:
            raise ApiError(409, str(exc), "model_unusable") from exc
    _swap(request)
    return {"active": version}


@router.post("/admin/models/deactivate", tags=["models"], summary="Screen with rules alone from now on")
def deactivate(request: Request, who: Admin) -> dict[str, Any]:
    with state(request).write() as conn:
        was = models.deactivate(conn, who.actor)
    _swap(request)
    return {"deactivated": was}

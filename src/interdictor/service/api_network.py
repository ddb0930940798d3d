"""``GET /api/v1/network/backtrack/{partner}/{shipment_id}``: the shipments linked to one, across partners.

For targeters and analysts only (the ``network`` permission): it names other partners' shipments and
parties, so a partner's key is refused.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from interdictor.network import NetworkConfig, NetworkError
from interdictor.service import views
from interdictor.service.auth import require, state
from interdictor.service.errors import ERROR_RESPONSES, ApiError
from interdictor.service.principal import Principal
from interdictor.store.network import backtrack

router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/network/backtrack/{partner}/{shipment_id}", tags=["network"],
            summary="Stored shipments linked to this one through shared parties, ranked, with paths")
def get_backtrack(request: Request, partner: str, shipment_id: str,
                  who: Annotated[Principal, Depends(require("network"))],
                  depth: Annotated[int, Query(ge=1, le=6)] = 2,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
    """Every stored shipment linked to this one through shared parties, addresses, phones or e-mails, across
    partners, ranked by closeness and risk (``rank, partner, shipment_id, score, hops, path``); ``skipped``
    names the hubs and crowded parties that were not followed, ``linked`` how many were found in all."""
    try:
        found = backtrack(state(request).store, NetworkConfig(limit=limit), partner, shipment_id, depth)
    except NetworkError as exc:
        raise ApiError(404, str(exc), "unknown_shipment") from exc
    return {"results": views.jsonable(found.rows.to_dicts()), "linked": found.linked, "skipped": found.skipped}

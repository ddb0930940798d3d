"""``GET /api/v1/network/backtrack/{partner}/{shipment_id}``: the shipments linked to one, across partners;
``GET /api/v1/network/communities`` and ``…/communities/{id}``: the connected groups of actors.

For targeters and analysts only (the ``network`` permission): it names other partners' shipments and
parties, so a partner's key is refused.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from interdictor.network import NetworkConfig, NetworkError
from interdictor.network.communities import top as first
from interdictor.service import views
from interdictor.service.auth import require, state
from interdictor.service.errors import ERROR_RESPONSES, ApiError
from interdictor.service.principal import Principal
from interdictor.store.network import backtrack, communities, community

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
        found = backtrack(state(request).store, NetworkConfig(limit=limit), partner, shipment_id, depth, fresh=False)
    except NetworkError as exc:
        raise ApiError(404, str(exc), "unknown_shipment") from exc
    return {"results": views.jsonable(found.rows.to_dicts()), "linked": found.linked, "skipped": found.skipped}


@router.get("/network/communities", tags=["network"],
            summary="Connected groups of actors across partners: size, members, seizures, first and last seen")
def get_communities(request: Request, who: Annotated[Principal, Depends(require("network"))],
                    top: Annotated[int, Query(ge=1, le=1000)] = 50,
                    sort: Annotated[Literal["size", "risk"], Query()] = "size") -> dict[str, Any]:
    """Communities of two actors or more (actors tied through shipments and identifiers that are not hubs),
    the first ``top`` by ``sort`` (size: actors, then shipments; risk: seizures, then referrals, then size);
    ``communities`` is how many there are in all."""
    _, _, summary = communities(state(request).store, NetworkConfig(), fresh=False)
    rows = first(summary, sort, top)
    return {"results": views.jsonable(rows.to_dicts()), "communities": summary.height}


@router.get("/network/communities/{community_id}", tags=["network"],
            summary="One community: its actors and its shipments")
def get_community(request: Request, community_id: str,
                  who: Annotated[Principal, Depends(require("network"))]) -> dict[str, Any]:
    """The community's summary, its actors (most linked first) and its shipments (newest first, with any
    seizure or referral)."""
    try:
        found = community(state(request).store, NetworkConfig(), community_id, fresh=False)
    except NetworkError as exc:
        raise ApiError(404, str(exc), "unknown_community") from exc
    return {"community": views.jsonable(found.summary), "actors": views.jsonable(found.actors.to_dicts()),
            "shipments": views.jsonable(found.shipments.to_dicts())}

"""The workspace's network pages: the largest and the riskiest communities, and one community's actors
and shipments (click through to each shipment).  They cross partners: targeters and analysts only."""

from __future__ import annotations

from typing import Annotated

import polars as pl
from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from interdictor.network import NetworkConfig, NetworkError
from interdictor.network.communities import top
from interdictor.service.auth import require, state
from interdictor.service.errors import ApiError
from interdictor.service.principal import Principal
from interdictor.service.web_pages import render
from interdictor.store.network import communities, community

router = APIRouter(include_in_schema=False)

SHOWN = 25  # communities in each list
SHIPMENTS_SHOWN = 500  # a community's shipments on its page (the rest are counted)


@router.get("/network/communities", response_class=HTMLResponse)
async def communities_page(request: Request, me: Annotated[Principal, Depends(require("network"))]) -> Response:
    _, _, summary = await run_in_threadpool(communities, state(request).store, NetworkConfig(), False)
    riskiest = top(summary.filter((pl.col("seizures") > 0) | (pl.col("referrals") > 0)), "risk", SHOWN)
    return render(request, "communities.html", me, total=summary.height, largest=top(summary, "size", SHOWN).to_dicts(),
                  riskiest=riskiest.to_dicts())


@router.get("/network/communities/{community_id}", response_class=HTMLResponse)
async def community_page(request: Request, community_id: str,
                         me: Annotated[Principal, Depends(require("network"))]) -> Response:
    try:
        found = await run_in_threadpool(community, state(request).store, NetworkConfig(), community_id, False)
    except NetworkError as exc:
        raise ApiError(404, str(exc), "unknown_community") from exc
    return render(request, "community.html", me, c=found.summary, actors=found.actors.to_dicts(),
                  shipments=found.shipments.head(SHIPMENTS_SHOWN).to_dicts(), more=max(
                      found.shipments.height - SHIPMENTS_SHOWN, 0))

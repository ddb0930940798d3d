"""Actors across shipments and partners, and the graph that links shipments through them.

Pure over tables the store hands in: ``actors`` resolves parties into actors (incrementally, with
the fields that tied them), ``graph`` builds the shipment–actor–identifier graph and backtracks
from one shipment.  ``store/network.py`` reads and writes the tables.
"""

from __future__ import annotations

from dataclasses import dataclass


class NetworkError(ValueError):
    """A question the network cannot answer (an unknown shipment, a bad depth), in words."""


@dataclass(frozen=True)
class NetworkConfig:
    hub_names: int = 25  # an identifier used by this many distinct names is a hub: it links no one
    max_fanout: int = 2_000  # a node with more edges than this is not crossed (stated, never a hang)
    # an actor trading with this many distinct counterparties (an ordinary shop, a warehouse) is busy: no
    # community crosses it (the hub measure, counting an actor's counterparties as an identifier's names)
    busy_counterparties: int = 10
    max_nodes: int = 500_000  # a backtrack's neighbourhood grows to this many nodes at most (said when cut)
    limit: int = 200  # linked shipments shown at most (the rest are counted and said)
    seizure_window_days: int = 365  # seizures examined this long before a screen still mark their network
    seizure_half_life_days: float = 90.0  # a seizure's marks weigh half as much this long after it
    second_hop: float = 0.5  # a mark two hops from a seizure weighs this share of one a hop away
    linked_per_seizure: int = 500  # shipments followed from one seizure to its second hop at most (nearest kept)

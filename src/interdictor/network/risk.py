"""Risk that flows from seizures: the marks a seizure leaves, and the reasons they raise on new shipments.

A seizure (an outcome ``seized``) marks the actors of the seized shipment's parties (every variant
resolved into them) and the phones, e-mails and addresses those parties used — *one hop*.  The shipments
that share one of those marks are linked to the seizure; their own actors and identifiers are marked
too, one step further — *two hops*.  Hubs (an identifier used by many names: a consolidator's address,
a courier's phone) mark nothing and are never followed.

``reasons`` is a pure step of the screening pass: the batch's parties are keyed as the network keys
them (``actors.key_parties``) and joined to the marks, loaded once per screening set-up — never a lookup
per row.  A reason's weight is its rule's weight (the most it can add) times the decay with hops
(``NetworkConfig.second_hop``) and with the time from the seizure to the shipment's filing
(``NetworkConfig.seizure_half_life_days``); its evidence names the shared identifier, the seized
shipment and the day of the seizure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import polars as pl

from interdictor.model import REASON_SCHEMA, conform, empty
from interdictor.network import NetworkConfig
from interdictor.network.actors import company_keys, key_parties

CODES = ("NETWORK_SEIZED_SHIPPER", "NETWORK_SEIZED_CONSIGNEE", "NETWORK_SEIZED_PHONE_EMAIL",
         "NETWORK_SEIZED_RETURN_ADDRESS", "NETWORK_SEIZED_ADDRESS")
# an actor is marked through all its variants (kind ``variant``) and, when it is a company (a legal form in
# its name), by its folded name (``company``); these identifiers are marked as themselves
IDENTS = ("phone", "email", "address")

# kind: variant | company | phone | email | address; value: the network's key of it; hops: 1 or 2; seized: P/ID of the
# seized shipment; seized_on: the day of the exam; role: the role the mark had on the shipment it came from;
# shown: the identifier or actor as a person reads it; via: the linked shipment a 2-hop mark came from
MARK_SCHEMA = pl.Schema({"kind": pl.String, "value": pl.String, "hops": pl.Int32, "seized": pl.String,
                         "seized_on": pl.Date, "role": pl.String, "shown": pl.String, "via": pl.String})


@dataclass(frozen=True)
class SeizureMarks:
    """The screening context's ``network`` part: the marks of the seizures recorded before the screen."""

    marks: pl.DataFrame  # MARK_SCHEMA
    seizures: int = 0
    through: str = "none"  # when the last counted seizure was recorded
    cfg: NetworkConfig = field(default_factory=NetworkConfig)

    @property
    def version(self) -> str:
        return "none" if not self.seizures else f"{self.seizures} seizures recorded through {self.through}"

    @classmethod
    def empty(cls) -> SeizureMarks:
        return cls(pl.DataFrame(schema=MARK_SCHEMA))


def party_marks(keyed_uses: pl.DataFrame, occurrences: pl.DataFrame, actor_variants: pl.DataFrame,
                hubs: pl.DataFrame, source: pl.DataFrame, hops: int) -> pl.DataFrame:
    """The marks the parties of some shipments leave.

    ``keyed_uses``: (variant, kind, value, shown) the parties used; ``occurrences``: (partner, shipment_id,
    party, variant) of those shipments; ``actor_variants``: (variant, member, name) — every variant of the
    actor each variant resolved into (``member``); ``hubs``: (kind, value); ``source``: (partner,
    shipment_id, seized, seized_on, via) — which seizure each shipment carries and through which shipment."""
    occ = occurrences.join(source, on=["partner", "shipment_id"])
    ids = occ.join(keyed_uses.filter(pl.col("kind").is_in(IDENTS)), on="variant").join(
        hubs.select("kind", "value"), on=["kind", "value"], how="anti").select(
        "kind", "value", "seized", "seized_on", pl.col("party").alias("role"), "shown", "via")
    actors = occ.join(actor_variants, on="variant").select(
        pl.lit("variant").alias("kind"), pl.col("member").alias("value"), "seized", "seized_on",
        pl.col("party").alias("role"), pl.col("name").alias("shown"), "via")
    name_key = pl.col("value").str.split("|").list.first()
    companies = actors.filter(name_key.is_in(company_keys(actors["value"].str.split("|").list.first()).implode()))
    companies = companies.with_columns(pl.lit("company").alias("kind"), name_key.alias("value"))
    return pl.concat([actors, companies, ids]).with_columns(pl.lit(hops, pl.Int32).alias("hops")).select(list(MARK_SCHEMA))


def reasons(parties: pl.DataFrame, shipments: pl.DataFrame, part: SeizureMarks, weights: dict[str, float],
            partner: str | None, now: datetime | None = None) -> pl.DataFrame:
    """NETWORK_SEIZED_* reasons (``REASON_SCHEMA``, weighed) for a batch: ``parties`` and ``shipments`` are
    the batch's tables, ``weights`` the rule set's weight of each code (a code without a rule is not raised),
    ``partner`` the filer (a seized shipment screened again is not linked to its own seizure)."""
    marks = part.marks
    if marks.is_empty() or parties.is_empty():
        return empty(REASON_SCHEMA)
    cfg = part.cfg
    own = (partner or "") + "/"
    keyed = key_parties(parties.select(
        pl.lit(partner or "", pl.String).alias("partner"), "shipment_id", pl.lit(1, pl.Int32).alias("version"),
        "party", "name", "address", "postal_code", "country", "phone", "email"))
    occ = keyed.occurrences.select("shipment_id", "party", "variant")
    keys = pl.concat([
        occ.select("shipment_id", "party", pl.lit("variant").alias("kind"), pl.col("variant").alias("value"),
                   pl.lit(None, pl.String).alias("mine")),
        occ.select("shipment_id", "party", pl.lit("company").alias("kind"),
                   pl.col("variant").str.split("|").list.first().alias("value"), pl.lit(None, pl.String).alias("mine")),
        occ.join(keyed.uses.filter(pl.col("kind").is_in(IDENTS)), on="variant").select(
            "shipment_id", "party", "kind", "value", pl.col("shown").alias("mine")),
    ])
    hit = keys.join(marks, on=["kind", "value"]).filter(
        (own + pl.col("shipment_id") != pl.col("seized")) & (own + pl.col("shipment_id") != pl.col("via").fill_null("")))
    if hit.is_empty():
        return empty(REASON_SCHEMA)
    actor = pl.col("kind").is_in(["variant", "company"])
    code = (pl.when(actor).then(
        pl.when(pl.col("party") == "shipper").then(pl.lit("NETWORK_SEIZED_SHIPPER"))
        .otherwise(pl.lit("NETWORK_SEIZED_CONSIGNEE")))
        .when(pl.col("kind").is_in(["phone", "email"])).then(pl.lit("NETWORK_SEIZED_PHONE_EMAIL"))
        .when(pl.col("role") == "shipper").then(pl.lit("NETWORK_SEIZED_RETURN_ADDRESS"))
        .otherwise(pl.lit("NETWORK_SEIZED_ADDRESS")))
    rule = pl.DataFrame({"code": list(weights), "rule": list(weights.values())},
                        schema={"code": pl.String, "rule": pl.Float64})
    when = (datetime.now(UTC) if now is None else now).replace(tzinfo=None)
    filed = shipments.select("shipment_id", pl.col("filed_at").dt.replace_time_zone(None).cast(pl.Datetime("us"))
                             .fill_null(when).dt.date().alias("filed"))
    age = (pl.col("filed") - pl.col("seized_on")).dt.total_days().clip(lower_bound=0)
    what = (pl.when(pl.col("kind") == "variant")
            .then(pl.format("{} '{}' is the same actor as the {} of", pl.col("party"), pl.col("shown"), pl.col("role")))
            .when(pl.col("kind") == "company")
            .then(pl.format("{} is the company '{}', the {} of", pl.col("party"), pl.col("shown"), pl.col("role")))
            .when(pl.col("kind") == "address")
            .then(pl.format("{} address {} is the {} address on", pl.col("party"), pl.col("mine"),
                            pl.when(pl.col("role") == "shipper").then(pl.lit("return")).otherwise(pl.col("role"))))
            .otherwise(pl.format("{} {} {} also on", pl.col("party"),
                                 pl.when(pl.col("kind") == "email").then(pl.lit("e-mail")).otherwise(pl.col("kind")),
                                 pl.col("mine"))))
    story = (pl.when(pl.col("hops") == 1)
             .then(pl.format("{} shipment {}, seized {}", what, pl.col("seized"), pl.col("seized_on")))
             .otherwise(pl.format("{} shipment {}, linked to shipment {} seized {} (2 hops)", what, pl.col("via"),
                                  pl.col("seized"), pl.col("seized_on"))))
    out = (hit.with_columns(code.alias("code")).join(rule, on="code").join(filed, on="shipment_id", how="left")
           .with_columns((pl.col("rule") * pl.when(pl.col("hops") == 1).then(1.0).otherwise(cfg.second_hop)
                          * (0.5 ** (age.fill_null(0) / cfg.seizure_half_life_days))).round(1).alias("weight"),
                         story.alias("evidence"))
           .filter(pl.col("weight") > 0)
           # each code once per shipment: its strongest instance (nearest, newest), then a stable order
           .sort(["shipment_id", "code", "weight", "hops", "seized", "evidence"],
                 descending=[False, False, True, False, False, False])
           .unique(["shipment_id", "code"], keep="first", maintain_order=True))
    return conform(out.select("shipment_id", "code", "weight", "evidence", "party"), REASON_SCHEMA)

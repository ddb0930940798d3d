"""The shape of each file of ``demo/data``: strict models, so a misspelt key is an error naming it.

The generator reads the documents as they are (``sources.load`` checks each once, when it is first
read); a mapping whose keys are data (countries, HS headings, airline prefixes) is a ``dict``, one whose
keys are names the code reads is a model.  Positional rows (``[city, state, weight, region]``) stay rows.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from interdictor.typed_config import Strict, Texts

Number = int | float
Row = tuple[Any, ...]  # a positional row: its fields are named where the generator reads it
Weights = dict[str, Number]  # choice: relative weight


# ---------------------------------------------------------------------------------------- commodities.yaml
class FamilyDoc(Strict):
    id: str
    industries: Texts
    weight: Number
    hs: Texts
    unit_kg: Number
    unit_usd: Number
    qty: Number
    marketplace: bool | None = None
    templates: tuple[str | Row, ...]  # a description, or [description, hs, cas?, kg?]


class CommoditiesDoc(Strict):
    vocab: dict[str, Texts]  # the {placeholders} of templates
    families: tuple[FamilyDoc, ...]


# -------------------------------------------------------------------------------------------- origins.yaml
class CountryDoc(Strict):
    share: Number
    phone: str
    cities: tuple[Row, ...]  # [city, province, weight, postcode pattern, area code, [districts], [airports]]


class OriginTypeDoc(Strict):
    share: Number
    modes: Weights


class OriginsDoc(Strict):
    countries: dict[str, CountryDoc]
    types: dict[str, OriginTypeDoc]
    industries: dict[str, Texts]
    syllables_first: Texts
    syllables_second: Texts
    industry_words: dict[str, Texts]
    name_forms: dict[str, Texts]
    trade_names: dict[str, Texts]
    trade_words: Texts
    cn_roads: Texts
    cn_buildings: Texts
    hk_roads: Texts
    other_roads: Texts
    cn_email_domains: Texts


# --------------------------------------------------------------------------------------------- people.yaml
class PeopleDoc(Strict):
    first_names: Texts
    last_names: Texts
    streets: Texts
    mx_first_names: Texts
    mx_last_names: Texts
    street_types: Texts
    units: Texts
    email_domains: Texts
    business_words: Texts
    business_kinds: Texts
    business_suffixes: Texts
    logistics_kinds: Texts
    logistics_suffixes: Texts
    spanish_business: Texts
    mx_streets: Texts


# --------------------------------------------------------------------------------------------- places.yaml
class BorderPlaceDoc(Strict):
    city: str
    state: str
    zip: str | None = None
    weight: Number
    streets: Texts


class MexicoPlaceDoc(Strict):
    city: str
    state: str
    area: str
    weight: Number
    colonias: tuple[tuple[str, str], ...]  # [colonia, postal code]


class PlacesDoc(Strict):
    elsewhere: Number
    residential: tuple[Row, ...]  # [city, state, weight, region]
    business: tuple[Row, ...]
    border: tuple[BorderPlaceDoc, ...]
    mexico: tuple[MexicoPlaceDoc, ...]


# --------------------------------------------------------------------------------------------- seeded.yaml
class ChemicalDoc(Strict):
    key: str
    names: Texts
    misspellings: Texts
    cas: str
    alt_cas: Texts = ()
    hs: str
    liquid: bool = False


class SeededSellersDoc(Strict):
    trade_first: Texts
    trade_second: Texts
    places: tuple[Row, ...]  # [city, province, postcode pattern, area code, [districts]]
    province_swaps: tuple[tuple[str, str], ...]
    industries: tuple[Texts, ...]
    machinery: Texts
    forms: Texts
    hk_forms: Texts
    emails: Texts
    fake_addresses: Texts


class DecoyDoc(Strict):
    names: Texts = ()
    chemicals: tuple[tuple[str, str], ...] = ()  # [name, cas]
    templates: Texts = ()
    cas: str | None = None
    hs: str | tuple[Row, ...]  # one heading, or [heading, weight] choices
    usd_per_kg: tuple[Number, Number]
    kg: tuple[Number, Number]
    sellers: Texts
    buyers: Texts
    buyer_places: tuple[tuple[str, str], ...]  # [city, state]


class SeededDoc(Strict):
    kinds: Weights
    decoy_kinds: Texts
    hts10: dict[str, str]
    chemicals: tuple[ChemicalDoc, ...]
    chemical_weights: Weights
    generic_names: Texts
    generic_hs: tuple[Row, ...]  # [heading, weight]
    covers: tuple[tuple[str, str], ...]  # [description, heading]
    bulk_covers: tuple[tuple[str, str], ...]
    equipment: tuple[Row, ...]  # [description, heading, low kg, high kg]
    sellers: SeededSellersDoc
    decoys: dict[str, DecoyDoc]


# ------------------------------------------------------------------------------------------ transport.yaml
class GatewayDoc(Strict):
    cbp: str | None = None


class FilerDoc(Strict):
    """How a filer writes its data: HS code style, port code system, letter case."""

    name: str
    hs: str
    port: str
    case: str


class ExpressDoc(FilerDoc):
    id: str
    network: str
    weight: Number
    mawb: str | None = None
    origins: Texts = ()


class ForwarderDoc(FilerDoc):
    code: str
    weight: Number
    hawb: str


class PostalDoc(Strict):
    filer: FilerDoc
    posts: dict[str, str]
    services: Weights


class AirlineDoc(Strict):
    name: str
    from_: Texts = Field(default=(), alias="from")  # the airports it flies from


class TransportDoc(Strict):
    modes: Weights
    gateways: dict[str, GatewayDoc]
    east: Texts
    destinations: dict[str, dict[str, Weights]]  # network: region: gateway weights
    origin_groups: dict[str, Texts]
    transit: dict[str, Weights]
    express: tuple[ExpressDoc, ...]
    postal: PostalDoc
    forwarders: tuple[ForwarderDoc, ...]
    airlines: dict[str, AirlineDoc]
    currencies: dict[str, dict[str, tuple[Number, Number]]]  # country: currency: [weight, per USD]


DEMO_MODELS: dict[str, type[Strict]] = {
    "commodities": CommoditiesDoc,
    "origins": OriginsDoc,
    "people": PeopleDoc,
    "places": PlacesDoc,
    "seeded": SeededDoc,
    "transport": TransportDoc,
}

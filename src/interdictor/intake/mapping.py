"""Column-mapping profiles: a partner's own CSV/JSON headers onto the manifest contract, without code.

A profile is YAML::

    name: ecommerce
    description: One row per item e-commerce manifest (mawb, bag_id, hawb_or_tracking, ...)
    columns:                 # our column: their column (or a list of candidates, first present wins)
      shipment_id: [hawb_or_tracking, tracking_no]
      shipper_postal_code: shipper_postcode
      item_quantity: quantity
    concat:                  # our column built from several of theirs, joined with a separator
      routing: {columns: [departure_airport, arrival_airport], sep: "-"}
    defaults:                # constant values when the column is absent or empty
      mode: express
    units:                   # unit of a numeric column when the partner writes bare numbers
      gross_weight_kg: lb

Shipped profiles live in ``interdictor/intake/profiles/``; ``interdictor profiles add``
stores more in the database.  The command line's ``--profile`` takes a shipped name or
the path of a YAML file; the API takes a name only (``PROFILE_NAME``), never a path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import yaml
from pydantic import AfterValidator, BeforeValidator, Field

from interdictor.intake.base import IntakeError
from interdictor.intake.fields import KNOWN
from interdictor.typed_config import Strict, parse_as, suggest

PROFILE_PACKAGE = "interdictor.intake.profiles"
PROFILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")  # a plain name: no path, no dot, no suffix


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    concat: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def transform(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Apply concatenations, defaults and units to renamed string rows."""
        out = rows
        for ours, (theirs, sep) in self.concat.items():
            present = [c for c in theirs if c in out.columns]
            if not present:
                continue
            built = pl.concat_str([pl.col(c).str.strip_chars().replace("", None) for c in present],
                                  separator=sep, ignore_nulls=True).replace("", None)
            # a column of our name that the partner left empty is filled from the parts
            own = pl.col(ours).str.strip_chars().replace("", None) if ours in out.columns else pl.lit(None, pl.String)
            out = out.with_columns(pl.coalesce(own, built).alias(ours))
        for ours, value in self.defaults.items():
            if ours in out.columns:
                out = out.with_columns(
                    pl.when(pl.col(ours).str.strip_chars().replace("", None).is_null())
                    .then(pl.lit(str(value))).otherwise(pl.col(ours)).alias(ours)
                )
            else:
                out = out.with_columns(pl.lit(str(value)).alias(ours))
        for ours, unit in self.units.items():
            if ours in out.columns:
                c = pl.col(ours).str.strip_chars()
                out = out.with_columns(
                    pl.when(c.str.contains(r"^[-+]?[\d.,]+$")).then(pl.concat_str([c, pl.lit(" " + unit)]))
                    .otherwise(c).alias(ours)
                )
        return out


def _manifest_column(name: str) -> str:
    if name not in KNOWN:
        raise ValueError(f"{name!r} is not a manifest column{suggest(name, KNOWN)} (known: {', '.join(KNOWN)})")
    return name


def _their_names(v: Any) -> Any:
    if isinstance(v, str):
        return [v]
    if not isinstance(v, list):
        raise ValueError(f"expected a column name or a list of names, got {v!r}")
    return v


def _folded(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(x.strip().lower() for x in names)


def _scalar(v: Any) -> Any:
    if isinstance(v, (dict, list)):
        raise ValueError(f"expected one value (text or a number), got {v!r}")
    return str(v)


Ours = Annotated[str, AfterValidator(_manifest_column)]  # a manifest column (the README's contract)
# their column, or a list of candidates (the first present wins); compared lower case
Theirs = Annotated[tuple[str, ...], BeforeValidator(_their_names), Field(min_length=1), AfterValidator(_folded)]


class ConcatSpec(Strict):
    columns: Theirs
    sep: str = " "


class ProfileDoc(Strict):
    """A column-mapping profile file."""

    name: str | None = Field(default=None, min_length=1)
    description: str = ""
    columns: dict[Ours, Theirs] | None = None
    concat: dict[Ours, ConcatSpec] | None = None
    defaults: dict[Ours, Annotated[str, BeforeValidator(_scalar)]] | None = None
    units: dict[Ours, str] | None = None


def parse_profile(raw: dict[str, Any], source: str) -> Profile:
    doc = parse_as(ProfileDoc, raw, source, IntakeError)
    return Profile(
        name=doc.name or Path(source).stem,
        description=doc.description,
        columns=dict(doc.columns or {}),
        concat={k: (c.columns, c.sep) for k, c in (doc.concat or {}).items()},
        defaults=dict(doc.defaults or {}),
        units=dict(doc.units or {}),
    )


def parse_profile_text(text: str, source: str) -> Profile:
    """A profile from YAML text; ``IntakeError`` names each problem."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise IntakeError(f"{source}: not valid YAML: {exc}") from exc
    return parse_profile(raw if raw is not None else {}, source)


def shipped_profiles() -> dict[str, Profile]:
    out: dict[str, Profile] = {}
    for entry in resources.files(PROFILE_PACKAGE).iterdir():
        if entry.name.endswith((".yaml", ".yml")):
            p = parse_profile_text(entry.read_text(encoding="utf-8"), entry.name)
            out[p.name] = p
    return out


def load_profile(name_or_path: str) -> Profile:
    """A shipped profile by name, or a YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise IntakeError(f"cannot read profile {path}: {exc}") from exc
        return parse_profile_text(text, str(path))
    shipped = shipped_profiles()
    if name_or_path in shipped:
        return shipped[name_or_path]
    raise IntakeError(
        f"unknown profile {name_or_path!r}; shipped profiles: {', '.join(sorted(shipped)) or 'none'} "
        f"(or give the path of a YAML profile)"
    )


def apply_profile(header: list[str], profile: Profile | None) -> dict[str, str]:
    """Map each header name to our column name (identity for names already ours)."""
    mapping = {h: h for h in header}
    if profile is None:
        return mapping
    for ours, candidates in profile.columns.items():
        for theirs in candidates:
            if theirs in mapping and theirs != ours:
                if ours in mapping and mapping[ours] == ours and ours not in candidates:
                    mapping[ours] = f"{ours}__original"  # their column of our name is kept aside
                mapping[theirs] = ours
                break
    return mapping

"""Typed parameters and fields shared by the API and the pages: what is not one is a 422 in the one error shape,
and the OpenAPI schema says so (a pattern, a length), so a client can know a request is acceptable before sending it."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

SLUG = r"^[a-z0-9][a-z0-9._-]{0,63}$"
"""An organisation id, partner code, corridor or list id: lower-case letters, digits, '.', '_' or '-'."""

REASON_CODE = r"^[A-Z][A-Z0-9_]{0,63}$"
"""A reason code, such as GOODS_PRECURSOR."""


def _iso_day(value: object) -> object:
    # pydantic alone would take '0' or '1700000000' for a Unix time and answer for 1970 or 2023
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "this is needed: more than spaces")
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]
"""A calendar day, written YYYY-MM-DD."""

Slug = Annotated[str, Field(min_length=1, max_length=64, pattern=SLUG)]

NotBlank = Annotated[str, Field(min_length=1, json_schema_extra={"pattern": r"\S"}), AfterValidator(_not_blank)]
"""Text that says something: at least one character that is not a space (the schema's pattern says the same,
the validator says it in plain words)."""

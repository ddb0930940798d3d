"""Typed configuration files: strict pydantic models and errors that name the file, the key and the fix.

Every YAML kind the package reads — rule sets, column-mapping profiles, corridors, the knowledge
base, programme severities, the party vocabularies, the demo generator's data — is written by hand.
Their models forbid unknown keys, so ``flor: exam`` is an error instead of a rule
without a floor; ``problems`` turns pydantic's errors into lines such as::

    parties.yaml: rules.PARTY_SANCTIONED: unknown key 'flor' — did you mean 'floor'? (allowed: weight, ...)

An item of a list that has an ``id`` is named by it too: ``substances[12 id=p2p].control[0]``.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """A configuration mapping: unknown keys are errors, parsed values are not changed afterwards."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _texts(v: Any) -> Any:
    """A YAML list of words: null is none, a number YAML read as one is its text (``[500, 1000]``).

    Not a true/false: that is an unquoted no/yes/on/off, which the file meant as a word (see ``problems``)."""
    if v is None:
        return ()
    if isinstance(v, (list, tuple)):
        return [str(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x for x in v]
    return v


# a list of words as a hand-written file holds them (null for none; numbers as text)
Texts = Annotated[tuple[str, ...], BeforeValidator(_texts)]

# A value a file may write in more than one shape (a list or a mapping of lists) is a union whose members
# carry these tags, picked by ``shape_of``: only the shape written is checked, and errors name no member.
MAPPING, LIST, SCALAR = "<mapping>", "<list>", "<scalar>"
_TAGS = frozenset({MAPPING, LIST, SCALAR})


def shape_of(v: Any) -> str:
    """The tag of the shape ``v`` is written in (a ``Discriminator`` for the tagged unions above)."""
    return MAPPING if isinstance(v, dict) else LIST if isinstance(v, (list, tuple)) else SCALAR


def suggest(word: str, choices: Sequence[str]) -> str:
    """`` — did you mean 'x'?`` when one of ``choices`` is close to ``word``, else nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" — did you mean {close[0]!r}?" if close else ""


def _fields(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _models_in(tp: Any) -> list[type[BaseModel]]:
    """The models a type annotation can hold at its top level (through Optional/Union/Annotated)."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _models_in(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        return [m for a in get_args(tp) for m in _models_in(a)]
    return [tp] if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _inner(tp: Any) -> Any:
    """The value type of a mapping or sequence annotation (what one key or index step leads to)."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _inner(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        for a in get_args(tp):
            if get_origin(a) is not None:
                return _inner(a)
        return None
    args = get_args(tp)
    if isinstance(origin, type) and issubclass(origin, Mapping) and len(args) == 2:
        return args[1]
    return args[0] if args else None


def _model_at(root: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model that holds the mapping at ``loc`` (a path of field names, dict keys and list indexes)."""
    tp: Any = root
    for step in loc:
        if step in _TAGS:
            continue
        models = _models_in(tp)
        if models and isinstance(step, str):
            field = next((f for m in models for n, f in m.model_fields.items() if step in (n, f.alias)), None)
            if field is None:
                return None
            tp = field.annotation
        else:
            tp = _inner(tp)
    models = _models_in(tp)
    return models[0] if models else None


def _where(loc: Sequence[int | str], raw: Any = None) -> str:
    """``a.b[2].c``; a list item with an ``id`` in ``raw`` (the document) is named by it: ``b[2 id=x]``."""
    out = ""
    for step in loc:
        if step == "[key]":  # pydantic's marker for a failing mapping key: the key itself is the previous step
            raw = None
            continue
        if step in _TAGS:
            continue
        if isinstance(step, int):
            item = raw[step] if isinstance(raw, list) and 0 <= step < len(raw) else None
            ident = item.get("id") if isinstance(item, dict) else None
            out += f"[{step} id={ident}]" if isinstance(ident, (str, int)) else f"[{step}]"
            raw = item
        else:
            out += f".{step}" if out else str(step)
            raw = raw.get(step) if isinstance(raw, dict) else None
    return out or "(top level)"


def problems(exc: ValidationError, model: type[BaseModel], source: str, raw: Any = None) -> list[str]:
    """One line per error: ``source: where: what`` — with the close key and the allowed ones for an unknown key.

    ``raw``, the document that failed, lets a list item be named by its ``id``."""
    out = []
    for e in exc.errors(include_url=False):
        loc = list(e["loc"])
        if e["type"] == "extra_forbidden":
            key = str(loc[-1])
            holder = _model_at(model, loc[:-1])
            allowed = _fields(holder) if holder else []
            hint = suggest(key, allowed) + (f" (allowed: {', '.join(allowed)})" if allowed else "")
            out.append(f"{source}: {_where(loc[:-1], raw)}: unknown key {key!r}{hint}")
            continue
        msg = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "missing":
            msg = "missing (this key is required)"
        elif e["type"] == "union_tag_invalid":  # a value in a shape none of the tagged members takes
            shapes = [t.strip(" '<>") for t in str(e.get("ctx", {}).get("expected_tags", "")).split(",")]
            msg = f"Input should be a {' or a '.join(shapes)} (got {e.get('input')!r})"
        elif e["type"] == "string_type" and isinstance(e.get("input"), bool):
            msg += f" (got {e.get('input')!r}: YAML reads an unquoted no, yes, on or off as that; quote the word)"
        elif e["type"] not in ("value_error", "assertion_error") and not isinstance(e.get("input"), (dict, list)):
            msg += f" (got {e.get('input')!r})"
        out.append(f"{source}: {_where(loc, raw)}: {msg}")
    return out


def parse_as(model: type[M], raw: Any, source: str, error: type[Exception]) -> M:
    """``raw`` (a parsed YAML document) as ``model``; every problem at once in one ``error``."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise error("\n".join(problems(exc, model, source, raw))) from None

"""The read-only context detectors screen against.

Everything a detector needs beyond the batch itself — reference data, watchlists,
learned profiles, counts from the store's history — is loaded *before* screening
and handed in here, so detectors stay pure and testable with hand-made contexts.

Parts are keyed by name so each intelligence area owns its own part without
editing this module: ``ctx.part("goods")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Context:
    parts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    versions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any], dict[str, str]]]:
        """Pickled (broadcast to Spark executors) as plain dicts, read-only again when unpickled."""
        return _context, (dict(self.parts), dict(self.versions))

    def part(self, name: str) -> Any | None:
        """The named part, or None when it was not loaded (the detector then returns nothing)."""
        return self.parts.get(name)

    def with_part(self, name: str, value: Any, version: str | None = None) -> Context:
        parts = dict(self.parts)
        parts[name] = value
        versions = dict(self.versions)
        if version is not None:
            versions[name] = version
        return replace(self, parts=MappingProxyType(parts), versions=MappingProxyType(versions))

    def with_versions(self, more: Mapping[str, str]) -> Context:
        """The same parts, with more inputs' versions recorded (an input a part was built from)."""
        return replace(self, versions=MappingProxyType({**self.versions, **more}))


def _context(parts: dict[str, Any], versions: dict[str, str]) -> Context:
    return Context(MappingProxyType(parts), MappingProxyType(versions))

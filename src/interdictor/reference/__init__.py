"""Built-in knowledge shipped as package data, and loaders for external lists."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    """Path of a file in ``interdictor/reference/data``."""
    return Path(str(resources.files("interdictor.reference").joinpath("data", name)))

"""Interdictor: targeting for the supply chain of synthetic drugs."""

__version__ = "0.1.0"

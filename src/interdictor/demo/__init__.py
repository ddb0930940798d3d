"""Synthetic partner traffic for ``interdictor demo`` and the throughput benchmark."""

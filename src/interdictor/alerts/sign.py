"""The webhook signature: ``X-Interdictor-Signature: sha256=<hex HMAC-SHA256 of the body>``, keyed by the
subscription's secret, so a receiver can tell a delivery came from us and was not altered."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Interdictor-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return header is not None and hmac.compare_digest(sign(secret, body), header)

"""Secrets: API keys, passwords, session tokens, CSRF tokens.

API keys are high-entropy random strings (``idk_<id>_<secret>``, 190+ bits), so a
fast keyed hash (HMAC-SHA256 with the service's secret key) is enough to store
them: guessing is hopeless and checking costs microseconds, where a slow password
hash on every request would eat the whole latency budget.  Passwords are low
entropy and are stored with Argon2id (argon2-cffi), whose parameters travel inside
each hash, so they can be raised later and old hashes still verify.  Hashes of
the first releases (scrypt, fixed parameters) still verify and are replaced at the
next successful sign-in.  Session tokens are random and stored hashed, like keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

KEY_PREFIX = "idk"
_HASHER = PasswordHasher()  # argon2-cffi's defaults (RFC 9106's low-memory profile), kept in each hash
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}  # the first releases' fixed parameters: verify only


def keyed_hash(secret_key: str, token: str) -> str:
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def new_api_key() -> tuple[str, str]:
    """(key_id, full key).  The id is public (it finds the row); the rest is the secret."""
    key_id = secrets.token_hex(8)
    return key_id, f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def split_api_key(key: str) -> str | None:
    """The key id of a well-formed key, else None."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 16 or len(parts[2]) < 32:
        return None
    try:
        int(parts[1], 16)
    except ValueError:
        return None
    return parts[1]


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@cache
def _decoy() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))


def _check_scrypt(password: str, stored: str) -> bool:
    try:
        _, salt_b64, dk_b64 = stored.split("$", 2)
        dk = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt_b64), **_SCRYPT)
        return hmac.compare_digest(dk, base64.b64decode(dk_b64))
    except ValueError:
        return False


def check_password(password: str, stored: str | None) -> bool:
    if stored and stored.startswith("scrypt$"):
        return _check_scrypt(password, stored)
    known = stored is not None and stored.startswith("$argon2")
    try:
        # no hash (unknown user, no password): spend the same time, so that the answer does not come faster
        return _HASHER.verify(stored if stored is not None and known else _decoy(), password) and known
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Should a hash that just verified be replaced (an old scheme, or weaker parameters than today's)?"""
    return not stored.startswith("$argon2") or _HASHER.check_needs_rehash(stored)


def password_problem(password: str) -> str | None:
    if len(password) < 10:
        return "a password needs at least 10 characters"
    if len(set(password)) < 5:
        return "a password needs more than a few distinct characters"
    return None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def load_or_create_secret(data_dir: Path) -> str:
    """The service secret kept beside the embedded database (created once, readable by the owner only)."""
    path = data_dir / "service-secret.key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    return key

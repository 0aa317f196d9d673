"""Access tokens: 256 random bits, shown once, stored only as SHA-256 hashes and
compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits; the issue asks for at least 128


PREFIX = "hf_"  # never starts with "-" (argparse would read it as an option); easy to spot in logs


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def new_session_id() -> str:
    """A short public identifier (not a secret: tokens guard access)."""
    return secrets.token_hex(5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def matches(token: str | None, stored_hash: str) -> bool:
    """Does `token` hash to `stored_hash`? Constant time in the hash comparison."""
    if not token:
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)

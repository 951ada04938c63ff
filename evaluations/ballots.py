"""Ballot codes (测评码): made at random, shown once, kept only as a keyed digest.

Ten Crockford base-32 characters (50 random bits), printed as two groups of five. What a
household types is normalised first: case, spaces and dashes do not matter, and the letters
people confuse with digits (O, I, L) read as the digits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from foundation import crypto

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 10
_CONFUSED = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalised(typed: str) -> str:
    """The code as stored, or "" when what was typed cannot be a code."""
    code = "".join(str(typed or "").split()).replace("-", "").upper().translate(_CONFUSED)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return ""
    return code


def printed(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def digest(code: str) -> str:
    key = bytes.fromhex(crypto.derived_secret(b"ballot-code"))
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()

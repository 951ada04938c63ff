"""Field encryption for personal information (PIPL; MLPS level-3 practice).

AES-256-GCM with a random 96-bit nonce per value; the stored text is
``v1:<base64(nonce || ciphertext+tag)>``. A keyed hash (HMAC-SHA256 with a key derived
from the same secret) gives uniqueness and exact lookup without decrypting.

The key comes from ``LIAISON_DATA_KEY`` (base64 of 32 bytes). The embedded default
generates one into ``var/data_key`` only while no database exists beside it: a missing
key next to an existing database stops the app with a clear message instead of
silently starting over with a new key (which would make every stored ID unreadable).

The first use of a key against a database records its fingerprint in the change log
(``data_key.registered``); from then on a process whose key has another fingerprint
refuses to encrypt, decrypt or look up anything (:class:`KeyMismatch`), so a wrong
key can never quietly write rows that the right key cannot read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1:"


class KeyMismatch(RuntimeError):
    """Stored data was encrypted with another key."""


@cache
def _master_key() -> bytes:
    raw = os.environ.get("LIAISON_DATA_KEY") or _embedded_key()
    key = base64.b64decode(raw)
    if len(key) != 32:
        raise ImproperlyConfigured("LIAISON_DATA_KEY must be base64 of exactly 32 bytes.")
    return key


def _embedded_key() -> str:
    path = settings.VAR_DIR / "data_key"
    if path.exists():
        return path.read_text().strip()
    if "SECRET_KEY" in os.environ:  # a real deployment: its key must be configured
        raise ImproperlyConfigured("Set LIAISON_DATA_KEY (base64 of 32 bytes) in production.")
    if _has_encrypted_rows():
        raise ImproperlyConfigured(
            f"The data key {path} is missing but the database already holds encrypted data. "
            "Restore the key file from your backup (or set LIAISON_DATA_KEY); a new key "
            "would make every stored ID number unreadable."
        )
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = base64.b64encode(os.urandom(32)).decode()
    path.write_text(key)
    path.chmod(0o600)
    return key


_sample_provider = None


def set_sample_provider(provider) -> None:
    """The app that stores encrypted data tells the library how to fetch one ciphertext
    (``None`` if there is none): the library imports no app."""
    global _sample_provider
    _sample_provider = provider


def encrypted_sample() -> str | None:
    """One stored ciphertext, or None (none stored, no provider, or no tables yet)."""
    from django.db import DatabaseError, connection

    if _sample_provider is None:
        return None
    try:
        return _sample_provider()
    except DatabaseError:  # the table does not exist yet (before migrate)
        connection.close()
        return None


def _has_encrypted_rows() -> bool:
    return encrypted_sample() is not None


_verified = False


def fingerprint() -> str:
    """A short public fingerprint of the data key (safe to log and store)."""
    return hmac.new(_subkey(b"fingerprint"), b"liaison-data-key", hashlib.sha256).hexdigest()[:16]


def _verify_key() -> None:
    """Once per process: the key must be the one this database was encrypted with."""
    global _verified
    if _verified:
        return
    from django.db import DatabaseError

    from .datakey import ensure_data_key_fingerprint

    try:
        ensure_data_key_fingerprint(actor=None, fingerprint=fingerprint())
    except DatabaseError:  # no tables yet (before migrate): check again next time
        return
    _verified = True


@cache
def _subkey(purpose: bytes) -> bytes:
    return hmac.new(_master_key(), purpose, hashlib.sha256).digest()


@cache
def _aead() -> AESGCM:
    return AESGCM(_subkey(b"encrypt"))


def derived_secret(purpose: bytes) -> str:
    """A secret for another use (e.g. signing card links), derived from the data key."""
    _verify_key()
    return _subkey(b"derived:" + purpose).hex()


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    _verify_key()
    nonce = os.urandom(12)
    sealed = _aead().encrypt(nonce, plaintext.encode(), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    _verify_key()
    return open_sealed(token)


def open_sealed(token: str) -> str:
    """Decrypt without the fingerprint check (the check itself uses it)."""
    blob = base64.b64decode(token.removeprefix(PREFIX))
    try:
        return _aead().decrypt(blob[:12], blob[12:], None).decode()
    except Exception as exc:  # InvalidTag: wrong key or tampered value — never silent
        raise KeyMismatch(
            "Stored personal data cannot be decrypted with the configured data key."
        ) from exc


def blind_index(value: str) -> str:
    """Keyed hash for uniqueness and exact lookup (same input, same output)."""
    if not value:
        return ""
    _verify_key()
    return hmac.new(_subkey(b"index"), value.encode(), hashlib.sha256).hexdigest()

"""Outlet credentials, encrypted at rest with keys of their own (OUTLET_CREDENTIAL_KEYS), never
SECRET_KEY. The first key encrypts; every key decrypts, so keys can be rotated.

A process keeps what it decrypted, keyed by the stored ciphertext and the keys: decrypting (and, on a
laptop, reading the key file) on every delivery cost more than signing its message. A changed secret
is stored as a new ciphertext, so the next delivery decrypts it at once."""

from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _keys():
    keys = list(settings.OUTLET_CREDENTIAL_KEYS)
    if keys:
        return keys
    if not settings.DEBUG:
        raise ImproperlyConfigured("OUTLET_CREDENTIAL_KEYS must be set when DEBUG is off.")
    # On a laptop: one key, made once, kept beside the SQLite database.
    path = Path(settings.VAR_DIR) / "outlet-credential.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return [path.read_text().strip()]


def _fernet():
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt(secret):
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def decrypt(token):
    if not token:
        return ""
    return _decrypt(token, tuple(settings.OUTLET_CREDENTIAL_KEYS), str(settings.VAR_DIR))


@lru_cache(maxsize=256)
def _decrypt(token, keys, key_folder):
    # keys and key folder only key the cache: other keys must not read what the old ones decrypted
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An outlet credential cannot be decrypted with OUTLET_CREDENTIAL_KEYS."
        ) from None

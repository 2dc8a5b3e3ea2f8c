"""Encryption at rest for stored API keys (Fernet).

The key material comes from ``DEVSPEND_SECRET_KEY`` or, when that is unset, from a
key file next to the database created on first use with mode 0600. Any text is
accepted as the secret: it is stretched to a Fernet key with SHA-256, so an
operator can paste a passphrase. Losing or changing the secret makes stored keys
unreadable; that is reported as :class:`SecretKeyError` naming the fix, never as
a traceback.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from devspend.errors import SecretKeyError
from devspend.settings import Settings
from devspend.store.engine import private_dir


class SecretBox:
    """Encrypts and decrypts API keys with one secret; ``source`` names it in messages."""

    def __init__(self, secret: str, *, source: str) -> None:
        digest = hashlib.sha256(secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        self.source = source

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken:
            raise SecretKeyError(
                f"Cannot decrypt the stored API key with the secret from {self.source}: it is "
                "not the secret the key was stored with. Restore the original secret, or "
                "reconnect the team with `devspend connect cursor` to store the key again."
            ) from None


def _read_key_file(path: Path) -> str:
    try:
        text = path.read_text().strip()
    except OSError as exc:
        raise SecretKeyError(f"Cannot read the secret key file {path}: {exc}") from exc
    if not text:
        raise SecretKeyError(f"The secret key file {path} is empty; restore it from a backup.")
    return text


def _create_key_file(path: Path) -> str:
    private_dir(path.parent)
    key = Fernet.generate_key().decode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return _read_key_file(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def secret_box(settings: Settings, *, create: bool = False) -> SecretBox:
    """The box for this installation.

    ``create=True`` (storing a new key) makes the key file when neither the setting
    nor the file exists; reading (``create=False``) never invents a secret, because a
    new one could not decrypt anything stored before.
    """
    if settings.secret_key is not None:
        return SecretBox(settings.secret_key.get_secret_value(), source="DEVSPEND_SECRET_KEY")
    path = settings.secret_key_file
    if path.exists():
        return SecretBox(_read_key_file(path), source=f"the key file {path}")
    if create:
        return SecretBox(_create_key_file(path), source=f"the key file {path}")
    raise SecretKeyError(
        f"The secret key file {path} is missing and DEVSPEND_SECRET_KEY is not set, so the "
        "stored API keys cannot be decrypted. Restore the file (or set the secret), or "
        "reconnect the team with `devspend connect cursor`."
    )

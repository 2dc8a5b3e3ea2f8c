"""API keys are encrypted at rest; a lost or wrong secret is a clear error, not a crash."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from devspend.errors import SecretKeyError
from devspend.settings import load_settings
from devspend.store.secrets import secret_box


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", secret_key=None)
    token = secret_box(settings, create=True).encrypt("key_test_valid_0001")
    assert b"key_test" not in token
    mode = stat.S_IMODE(settings.secret_key_file.stat().st_mode)
    assert mode == 0o600
    assert secret_box(settings).decrypt(token) == "key_test_valid_0001"


def test_missing_key_file_is_a_clear_error(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", secret_key=None)
    token = secret_box(settings, create=True).encrypt("key_test_valid_0001")
    settings.secret_key_file.unlink()
    with pytest.raises(SecretKeyError, match="missing"):
        secret_box(settings).decrypt(token)


def test_wrong_secret_is_a_clear_error(tmp_path: Path) -> None:
    token = secret_box(load_settings(data_dir=tmp_path, secret_key="one secret")).encrypt("k")
    other = secret_box(load_settings(data_dir=tmp_path, secret_key="another secret"))
    with pytest.raises(SecretKeyError, match="DEVSPEND_SECRET_KEY"):
        other.decrypt(token)

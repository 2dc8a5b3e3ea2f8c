"""Who can read the data: the data directory is created 0700, the SQLite database and its
-wal/-shm files 0600 (password hashes, session digests and all spend data live there)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from devspend.settings import load_settings
from devspend.store.engine import open_database
from devspend.store.secrets import secret_box


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _permissive_umask() -> object:
    import os

    old = os.umask(0o022)  # the common default, which made the files world-readable
    yield
    os.umask(old)


def test_new_data_dir_and_database_files_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "home" / "devspend"
    settings = load_settings(data_dir=data_dir)
    engine = open_database(settings.effective_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create table probe (x integer)"))
            conn.execute(sa.text("insert into probe values (1)"))
        db = data_dir / "devspend.db"
        assert _mode(data_dir) == 0o700
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert path.exists(), path
            assert _mode(path) == 0o600, (path, oct(_mode(path)))
        secret_box(settings, create=True)
        assert _mode(settings.secret_key_file) == 0o600
    finally:
        engine.dispose()


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    data_dir = tmp_path / "shared"
    data_dir.mkdir(mode=0o755)
    db = data_dir / "devspend.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    engine = open_database(f"sqlite:///{db}")
    engine.dispose()
    assert _mode(db) == 0o600
    assert _mode(data_dir) == 0o755  # a directory the operator chose keeps its mode


def test_secret_key_dir_is_private_too(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "fresh", database_url="sqlite:///:memory:")
    secret_box(settings, create=True)
    assert _mode(tmp_path / "fresh") == 0o700

"""``devspend user add`` and ``devspend token create/list/revoke`` against a real database."""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from devspend.cli import build_app
from devspend.settings import Settings
from devspend.store import accounts
from devspend.web.security import verify_password


def _env(settings: Settings) -> dict[str, str]:
    return {"DEVSPEND_DATABASE_URL": settings.effective_database_url,
            "DEVSPEND_DATA_DIR": str(settings.data_dir)}  # fmt: skip


def test_user_add_hashes_the_password_from_stdin(settings: Settings, engine: sa.Engine) -> None:
    runner = CliRunner()
    result = runner.invoke(build_app(), ["user", "add", "--admin", "--password-stdin",
                                         "Boss@Example.com"],
                           input="a long enough password\n", env=_env(settings))  # fmt: skip
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        user = accounts.get_user_by_email(conn, "boss@example.com")
    assert user is not None
    assert user.role == "admin"
    assert user.password_hash
    assert "a long enough password" not in user.password_hash
    assert verify_password(user.password_hash, "a long enough password")
    again = runner.invoke(build_app(), ["user", "add", "--password-stdin", "boss@example.com"],
                          input="another long password\n", env=_env(settings))  # fmt: skip
    assert again.exit_code != 0
    short = runner.invoke(build_app(), ["user", "add", "--password-stdin", "x@example.com"],
                          input="short\n", env=_env(settings))  # fmt: skip
    assert short.exit_code != 0


def test_token_create_list_revoke(settings: Settings, engine: sa.Engine) -> None:
    runner = CliRunner()
    created = runner.invoke(build_app(), ["token", "create", "ci-dashboard"], env=_env(settings))
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("dsp_")
    listed = runner.invoke(build_app(), ["token", "list"], env=_env(settings))
    assert "ci-dashboard" in listed.stdout
    assert token not in listed.stdout
    with engine.connect() as conn:
        (record,) = accounts.list_api_tokens(conn)
    revoked = runner.invoke(build_app(), ["token", "revoke", str(record.id)], env=_env(settings))
    assert revoked.exit_code == 0
    with engine.connect() as conn:
        assert accounts.list_api_tokens(conn)[0].revoked_at is not None

"""``devspend serve``, ``devspend user add``, ``devspend token …`` and ``devspend demo``.

Thin wrappers: accounts go through :mod:`devspend.web.identity`, the server is the
app from :func:`devspend.web.app.create_app` run by uvicorn with the scheduler on.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from devspend.cli.render import SyncProgressBar
from devspend.errors import ConfigError
from devspend.settings import load_settings
from devspend.store import accounts, viewer_teams
from devspend.store.engine import opened_database

if TYPE_CHECKING:
    import uvicorn


def _read_password(*, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise ConfigError("No password given.")
    return password


def server_config(app: Any, *, host: str, port: int) -> uvicorn.Config:
    """How ``devspend serve`` runs uvicorn.

    uvicorn's own proxy-header handling is off: by default it believes
    ``X-Forwarded-For`` from loopback, which let any local client pick its address.
    The app decides the client from ``DEVSPEND_TRUSTED_PROXIES`` instead.
    """
    import uvicorn

    # log_config=None: uvicorn's loggers reach devspend's handler (devspend.logs), text or JSON
    return uvicorn.Config(app, host=host, port=port, proxy_headers=False, log_level="info",
                          log_config=None)  # fmt: skip


def setup_link(app: Any, *, host: str, port: int) -> str | None:
    """The one-time first-admin link while devspend has no user, else ``None``."""
    with app.state.engine.connect() as conn:
        if accounts.count_users(conn) > 0:
            return None
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - display only
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/setup?token={app.state.setup_token}"


def serve_app(*, host: str, port: int) -> None:
    """Run the web app and the scheduler until interrupted."""
    from devspend.logs import configure_logging
    from devspend.web.app import create_app

    settings = load_settings().model_copy(update={"host": host, "port": port})
    configure_logging(settings)
    app = create_app(settings, run_scheduler=True)
    console = Console(highlight=False)
    console.print(f"devspend is serving on http://{host}:{port}/")
    if not settings.allowed_hosts and host not in ("127.0.0.1", "localhost", "::1"):
        console.print(
            "It answers to localhost, IP addresses and the --host name only; set "
            "DEVSPEND_ALLOWED_HOSTS to the names people will use (e.g. dash.example.com).",
            soft_wrap=True,
        )
    link = setup_link(app, host=host, port=port)
    if link is not None:
        console.print(
            "No user yet. Create the first admin with this one-time link (or run "
            f"`devspend user add --admin EMAIL`):\n    {link}", soft_wrap=True,
        )  # fmt: skip
    import uvicorn

    uvicorn.Server(server_config(app, host=host, port=port)).run()


def _serve_command(
    host: str = typer.Option(None, "--host", help="Interface to bind (default 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port to listen on (default 8000)."),
) -> None:
    """Serve the dashboard and JSON API, and sync every team on a timer."""
    settings = load_settings()
    serve_app(host=host or settings.host, port=port or settings.port)


def _user_add_command(
    email: str = typer.Argument(..., help="The user's email (their login)."),
    admin: bool = typer.Option(False, "--admin", help="Make the user an admin."),
    _viewer: bool = typer.Option(False, "--viewer", help="A read-only viewer (the default)."),
    team: list[str] = typer.Option(
        [], "--team", help="Viewer sees only this team (repeatable; default: everything)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin instead of prompting."
    ),
) -> None:
    """Create a web user (viewer by default); the password is prompted, never an argument."""
    from devspend.web import identity  # the web face's accounts (lazily, like its app)

    if admin and team:
        raise ConfigError("--team limits a viewer; admins see everything.")
    settings = load_settings()
    password = _read_password(from_stdin=password_stdin)
    with opened_database(settings.effective_database_url) as engine:
        user = identity.add_user(
            engine, email=email, password=password, role="admin" if admin else "viewer",
            now=datetime.now(UTC),
        )  # fmt: skip
        if team:
            with engine.begin() as conn:
                viewer_teams.set_teams(conn, user_id=user.id, teams=team)
    limited = f" (sees only: {', '.join(team)})" if team else ""
    Console(highlight=False).print(f"Created {user.role} {user.email}{limited}.")


def _user_list_command() -> None:
    """List web users and their roles."""
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.connect() as conn:
        users = accounts.list_users(conn)
    table = Table("email", "role", "last sign-in")
    for u in users:
        table.add_row(u.email, u.role, u.last_login_at.isoformat() if u.last_login_at else "never")
    Console().print(table)


def _token_create_command(
    name: str = typer.Argument(..., help="What will use the token (shown in lists)."),
) -> None:
    """Create a read-only API token; it is printed once and stored only as a hash."""
    from devspend.web import identity  # the web face's accounts (lazily, like its app)

    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine:
        token = identity.create_token(engine, name=name, created_by=None, now=datetime.now(UTC))
    Console(stderr=True, highlight=False).print(
        f"Token {token.id} created; copy it now, it is not shown again:"
    )
    print(token.token)


def _token_revoke_command(token_id: int = typer.Argument(..., help="The token's id.")) -> None:
    """Revoke an API token (requests with it are refused from now on)."""
    from devspend.web import identity  # the web face's accounts (lazily, like its app)

    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine:
        identity.revoke_token(engine, token_id=token_id, now=datetime.now(UTC))
    Console(highlight=False).print(f"Token {token_id} revoked.")


def _token_list_command() -> None:
    """List API tokens (names and prefixes only)."""
    settings = load_settings()
    with opened_database(settings.effective_database_url) as engine, engine.connect() as conn:
        tokens = accounts.list_api_tokens(conn)
    table = Table("id", "name", "prefix", "created", "last used", "status")
    for t in tokens:
        table.add_row(
            str(t.id), t.name, t.prefix + "…", t.created_at.isoformat(timespec="seconds"),
            t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "never",
            "revoked" if t.revoked_at else "active",
        )  # fmt: skip
    Console().print(table)


def _demo_command(
    port: int = typer.Option(8000, "--port", help="Port for the dashboard."),
    data_dir: Path = typer.Option(
        None, "--data-dir", help="Where the demo database goes (default: a fresh temp dir)."
    ),
    members: int = typer.Option(60, "--members", min=1, help="People in the synthetic team."),
    days: int = typer.Option(365, "--days", min=1, max=365, help="Days of synthetic usage."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Set everything up, then exit."),
) -> None:
    """Try devspend with a fake Cursor team: connect, backfill, create an admin, serve."""
    from devspend.web.demo import run_demo

    run_demo(
        progress=SyncProgressBar,
        console=Console(highlight=False), port=port, data_dir=data_dir, members=members,
        days=days, serve=not no_serve,
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``serve``, ``demo`` and the ``user`` and ``token`` groups."""
    app.command("serve")(_serve_command)
    app.command("demo")(_demo_command)
    user_app = typer.Typer(help="Web users.", no_args_is_help=True)
    user_app.command("add")(_user_add_command)
    user_app.command("list")(_user_list_command)
    app.add_typer(user_app, name="user")
    token_app = typer.Typer(help="Read-only API tokens.", no_args_is_help=True)
    token_app.command("create")(_token_create_command)
    token_app.command("revoke")(_token_revoke_command)
    token_app.command("list")(_token_list_command)
    app.add_typer(token_app, name="token")

"""``devspend fake-cursor``: serve the fake Cursor Admin API on loopback.

For demos and manual testing: point ``DEVSPEND_CURSOR_BASE_URL`` at the printed
URL and use the printed key. The data is a seeded synthetic team whose history
ends at the moment the server starts.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal, InvalidOperation

import typer
from rich.console import Console

from devspend.cursor.fake import FakeCursor, FaultConfig, SyntheticTeam, serve_fake_cursor

DEFAULT_KEY = "key_fake_demo_0001"


def register(app: typer.Typer) -> None:
    """Add the ``fake-cursor`` command."""

    @app.command("fake-cursor")
    def fake_cursor_command(
        port: int = typer.Option(8123, help="Port on 127.0.0.1 (0 picks a free one)."),
        host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
        seed: int = typer.Option(7, help="Seed of the synthetic team."),
        members: int = typer.Option(60, min=1, help="Team size."),
        days: int = typer.Option(365, min=1, help="Days of history."),
        events_per_day: float = typer.Option(3.0, min=0.0, help="Mean events per member-day."),
        key: list[str] = typer.Option([DEFAULT_KEY], "--key", help="A valid (fake) API key."),
        not_enterprise_key: list[str] = typer.Option(
            [], "--not-enterprise-key", help="A key that gets 403 Enterprise access required."
        ),
        minute_seconds: float = typer.Option(
            60.0, min=0.001, help="Length of a rate-limit minute."
        ),
        error_rate: float = typer.Option(0.0, min=0.0, max=1.0, help="Share of random 500/502s."),
        drop_rate: float = typer.Option(
            0.0, min=0.0, max=1.0, help="Share of dropped connections."
        ),
        slow_rate: float = typer.Option(0.0, min=0.0, max=1.0, help="Share of slow responses."),
        slow_seconds: float = typer.Option(5.0, min=0.0, help="Delay of a slow response."),
        fault_seed: int = typer.Option(1, help="Seed of the fault injection."),
        no_ai_code: bool = typer.Option(
            False, "--no-ai-code", help="A team without AI Code Tracking (those endpoints 403)."
        ),
        spend_offset: list[str] = typer.Option(
            [], "--spend-offset", metavar="EMAIL=CENTS",
            help="Misreport a member's /teams/spend by CENTS (try `devspend reconcile`).",
        ),
        exit_after: float | None = typer.Option(None, hidden=True, help="Stop after N seconds."),
    ) -> None:
        """Serve a fake Cursor Admin API with a synthetic team (never talks to Cursor)."""
        console = Console(highlight=False)
        team = SyntheticTeam(
            seed=seed,
            members=members,
            end_ms=int(time.time() * 1000),
            days=days,
            events_per_member_day=events_per_day,
            history_days=days,
        )
        faults = FaultConfig(
            seed=fault_seed,
            error_rate=error_rate,
            drop_rate=drop_rate,
            slow_rate=slow_rate,
            slow_seconds=slow_seconds,
        )
        offsets: dict[str, Decimal] = {}
        for item in spend_offset:
            email, _, cents = item.partition("=")
            try:
                offsets[email.strip().lower()] = Decimal(cents)
            except InvalidOperation:
                message = f"--spend-offset wants EMAIL=CENTS, not {item!r}"
                raise typer.BadParameter(message) from None
        fake = FakeCursor(
            team=team,
            spend_offsets_cents=offsets,
            valid_keys=key,
            not_enterprise_keys=not_enterprise_key,
            minute_seconds=minute_seconds,
            faults=faults,
            ai_code_enabled=not no_ai_code,
        )
        with serve_fake_cursor(fake, host=host, port=port) as base_url:
            console.print(f"Fake Cursor Admin API at {base_url}")
            console.print(f"Valid key: {key[0]}")
            console.print(
                f"  export DEVSPEND_CURSOR_BASE_URL={base_url} CURSOR_API_KEY={key[0]}",
                soft_wrap=True,
            )
            console.print("Press Ctrl-C to stop.")
            try:
                threading.Event().wait(exit_after)
            except KeyboardInterrupt:
                console.print("Stopped.")

"""``devspend demo``: a fake Cursor team on loopback, connected, backfilled and served.

It goes through the real paths: the fake Admin API runs as an HTTP server on
127.0.0.1, the key is validated and stored by the same connect flow as the
dashboard, the backfill is a normal sync, and the dashboard is the normal app.
Only the data directory (a fresh temporary one by default) is special.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import Engine

from devspend.alerts.check import run_check
from devspend.alerts.samples import add_demo_budgets
from devspend.cursor.fake import FakeCursor, Spike, SyntheticTeam, serve_fake_cursor
from devspend.cursor.fake.billing import GROUP_NAMES
from devspend.cursor.fake.members import DAY_MS
from devspend.focus.allocations import refresh_billing_group_allocations
from devspend.focus.importer import import_focus
from devspend.focus.sample import write_sample_month
from devspend.settings import Settings, load_settings
from devspend.store import accounts
from devspend.store.engine import open_database
from devspend.sync.progress import SyncProgress
from devspend.sync.service import connect_cursor, list_integrations, run_sync, set_seat_price
from devspend.web import identity
from devspend.web.clock import utc_now
from devspend.web.security import hash_password, new_secret

DEMO_KEY = "key_demo_not_a_real_key"
DEMO_SEAT_PRICE = 40
"""Dollars per seat per cycle the demo sets, so cost = seats + on-demand shows both parts."""
DEMO_EMAIL = "demo@example.com"
DEMO_TEAM = "Demo team (synthetic)"


@dataclass(frozen=True, slots=True)
class DemoSetup:
    """What the demo prepared: where its data lives and how to sign in."""

    data_dir: Path
    settings: Settings
    email: str
    password: str
    integration_id: int
    events: int


# Makes the progress display of a sync (the CLI passes its Rich bar); the default shows none.
ProgressBar = Callable[[Console], AbstractContextManager[Callable[[SyncProgress], None] | None]]


def _no_progress(_console: Console) -> AbstractContextManager[Any]:
    return nullcontext()


def demo_settings(*, data_dir: Path, cursor_base_url: str) -> Settings:
    """Settings for the demo's own database, pointed at the local fake Cursor."""
    return load_settings(
        data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'devspend.db'}",
        cursor_base_url=cursor_base_url, cursor_rpm=100_000, cursor_events_rpm=100_000,
    )  # fmt: skip


def demo_fake(*, members: int, days: int, end_ms: int) -> FakeCursor:
    """The seeded synthetic team behind the demo (rate-limit "minutes" shortened), with a
    spend spike yesterday for one member, so the Alerts page has an anomaly to show, and
    one member in fifteen who never uses Cursor, so idle seats show."""
    plain = SyntheticTeam(seed=7, members=members, end_ms=end_ms, days=days, history_days=days)
    settled = end_ms - 30 * DAY_MS
    active = [p for p in plain.profiles if p.removed_ms is None and p.join_ms < settled]
    spikes = [Spike(email=p.email, day=end_ms // DAY_MS - 1) for p in active[2:3] or active[:1]]
    team = SyntheticTeam(seed=7, members=members, end_ms=end_ms, days=days, history_days=days,
                         spikes=spikes if active else (), idle_members=members // 15)  # fmt: skip
    return FakeCursor(team=team, valid_keys={DEMO_KEY}, minute_seconds=0.05)


def _demo_admin(engine: Engine) -> str:
    """Create the demo admin, or give an existing one a fresh one-time password."""
    password = new_secret(12)
    with engine.begin() as conn:
        user = accounts.get_user_by_email(conn, DEMO_EMAIL)
        if user is not None:
            accounts.set_password_hash(conn, user_id=user.id, password_hash=hash_password(password))
            return password
    identity.add_user(engine, email=DEMO_EMAIL, password=password, role="admin", now=utc_now())
    return password


def import_demo_cloud(
    engine: Engine, settings: Settings, *, people: Sequence[str], last_day: date
) -> int:
    """Generate and import a month of FOCUS cloud costs (AWS, Azure, GCP) tagged with demo
    people and billing-group teams, plus untagged spend; returns the rows imported."""
    refresh_billing_group_allocations(engine)
    files = write_sample_month(settings.data_dir / "demo-cloud", last_day=last_day,
                               people=people, teams=GROUP_NAMES)  # fmt: skip
    return import_focus(engine, files, settings=settings).rows


def prepare_demo(
    engine: Engine,
    settings: Settings,
    *,
    console: Console,
    days: int,
    people: Sequence[str] = (),
    progress: ProgressBar | None = None,
) -> DemoSetup:
    """Connect the fake team (unless already connected), backfill it, set the seat price,
    import a month of tagged cloud costs (owners among ``people``), create the admin."""
    with engine.connect() as conn:
        existing = [i.id for i in list_integrations(conn)]
    if existing:
        integration_id = existing[0]
    else:
        integration_id = connect_cursor(
            engine, settings, api_key=DEMO_KEY, team_name=DEMO_TEAM
        ).integration_id
    console.print("Importing the synthetic team's usage through the Admin API…")
    with (progress or _no_progress)(console) as bar:
        result = run_sync(engine, settings, integration_id=integration_id, days=days,
                          progress=bar)  # fmt: skip
    console.print(f"Imported {result.events:,} events ({result.status}) in {result.seconds:.1f} s.")
    with engine.connect() as conn:
        [mine] = [i for i in list_integrations(conn) if i.id == integration_id]
    if mine.seat_price_dollars is None:
        set_seat_price(engine, integration_id=integration_id, dollars=DEMO_SEAT_PRICE)
    console.print(f"Seat price: ${DEMO_SEAT_PRICE} per seat per billing cycle.")
    if people:
        rows = import_demo_cloud(engine, settings, people=people, last_day=utc_now().date())
        console.print(f"Imported {rows:,} FOCUS cloud cost rows (AWS, Azure, GCP).")
    budgets = add_demo_budgets(engine, settings, now=utc_now())
    if budgets:
        console.print(f"Budgets: {', '.join(budgets)} (one at risk).")
    found = run_check(engine, settings).new
    console.print(f"Alerts check: {len(found)} alert(s) raised; with no channel configured "
                  "they are shown on the Alerts page instead of sent.")  # fmt: skip
    return DemoSetup(
        data_dir=settings.data_dir, settings=settings, email=DEMO_EMAIL,
        password=_demo_admin(engine), integration_id=integration_id, events=result.events,
    )  # fmt: skip


def run_demo(
    *,
    console: Console,
    port: int,
    data_dir: Path | None,
    members: int,
    days: int,
    serve: bool,
    progress: ProgressBar | None = None,
) -> DemoSetup:
    """Everything ``devspend demo`` does; ``serve=False`` returns once the data is ready."""
    import uvicorn

    from devspend.web.app import create_app

    folder = data_dir or Path(tempfile.mkdtemp(prefix="devspend-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    console.print(f"Demo data directory: [bold]{folder}[/] (delete it when done).")
    fake = demo_fake(members=members, days=days, end_ms=int(time.time() * 1000))
    with serve_fake_cursor(fake, host="127.0.0.1", port=0) as base_url:
        console.print(f"Fake Cursor Admin API with {members} people on {base_url}")
        settings = demo_settings(data_dir=folder, cursor_base_url=base_url)
        engine = open_database(settings.effective_database_url)
        try:
            owners = [p.email for p in fake.team.profiles if p.removed_ms is None][::3]
            setup = prepare_demo(engine, settings, console=console, days=days, people=owners,
                                 progress=progress)  # fmt: skip
            url = f"http://127.0.0.1:{port}/"
            console.print(
                f"\nSign in at [bold]{url}[/] as [bold]{setup.email}[/] with the one-time "
                f"password [bold]{setup.password}[/]"
            )
            if serve:
                app = create_app(settings, engine=engine, run_scheduler=True)
                uvicorn.run(
                    app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False
                )
        finally:
            engine.dispose()
    return setup

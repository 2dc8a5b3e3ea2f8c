"""Teams page defects: Cursor's "Unassigned" billing group and devspend's "(no team)" are
one row, and people who share a display name are told apart by their email."""

from __future__ import annotations

import sqlalchemy as sa

from devspend.focus.allocations import list_allocations, refresh_billing_group_allocations
from devspend.settings import Settings
from devspend.store.tables import billing_group_members, billing_groups, people
from sync_helpers import connect_and_sync, fake_for, small_team
from web_support import ADMIN_EMAIL, build_env, signed_in

PERIOD = "range=custom&start=2026-10-01&end=2026-11-20"


def test_unassigned_people_are_no_team_and_names_show_their_email(
    settings: Settings, engine: sa.Engine
) -> None:
    connect_and_sync(engine, settings, fake_for(small_team(members=12, days=60)), days=60)
    with engine.begin() as conn:
        unassigned = set(conn.execute(
            sa.select(billing_group_members.c.email)
            .join(billing_groups, billing_groups.c.group_id == billing_group_members.c.group_id)
            .where(billing_groups.c.name == "Unassigned",
                   billing_group_members.c.left_at_ms.is_(None))
        ).scalars())  # fmt: skip
        # two people with one display name
        conn.execute(people.update().values(name="Tariq Knuth"))
    assert unassigned
    refresh_billing_group_allocations(engine)
    teams_of = {a.email: a.team for a in list_allocations(engine)}
    assert "Unassigned" not in set(teams_of.values())
    assert not unassigned & set(teams_of)
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        view = client.get(f"/api/v1/teams?{PERIOD}").json()
        html = client.get(f"/teams?{PERIOD}").text
    assert "Unassigned" not in {t["team"] for t in view["teams"]}
    assert view["without_team"]["members"] >= len(unassigned)
    for row in view["people"]:
        assert f'<span class="muted owner-email">{row["email"]}</span>' in html

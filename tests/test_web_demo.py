"""``devspend demo --no-serve``: fake Cursor on loopback, connected, backfilled, admin created."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from devspend.store.engine import open_database
from devspend.web.app import create_app
from devspend.web.demo import run_demo
from web_support import client_for, csrf_of


def test_demo_prepares_a_usable_dashboard(tmp_path: Path) -> None:
    console = Console(file=open(tmp_path / "out.txt", "w"), width=120)  # noqa: SIM115
    setup = run_demo(console=console, port=8123, data_dir=tmp_path / "demo", members=6,
                     days=20, serve=False)  # fmt: skip
    console.file.close()
    assert setup.events > 0
    printed = (tmp_path / "out.txt").read_text()
    assert setup.password in printed
    assert "http://127.0.0.1:8123/" in printed
    assert str(tmp_path / "demo") in printed
    engine = open_database(setup.settings.effective_database_url)
    try:
        app = create_app(setup.settings, engine=engine)
        with client_for(app) as client:
            token = csrf_of(client.get("/login").text)
            signed = client.post("/login", data={"email": setup.email,
                                                  "password": setup.password,
                                                  "csrf_token": token})  # fmt: skip
            assert signed.status_code == 303
            people = client.get("/api/v1/people?range=30d").json()["rows"]
            assert len(people) >= 3
            [integration] = client.get("/api/v1/integrations").json()
            assert integration["seat_price_dollars"] == 40
            reconciled = client.get("/api/v1/reconcile").json()
            assert reconciled["ok"] is True
            [team] = reconciled["integrations"]
            assert team["members"]
            assert {m["status"] for m in team["members"]} == {"match"}
            assert {g["status"] for g in team["groups"]} == {"match"}
            assert {d["status"] for d in team["days"]} == {"match"}
            budgets = client.get("/api/v1/budgets").json()["budgets"]
            assert len(budgets) == 2
            assert [b["at_risk"] for b in budgets].count(True) == 1
            alerts = client.get("/api/v1/alerts").json()["alerts"]
            assert any(a["kind"] == "budget_forecast" for a in alerts)
            assert any(a["kind"] == "anomaly" and a["driver"] for a in alerts)
            assert all(not a["deliveries"] for a in alerts)  # no channel: shown, not sent
            assert "what would have been sent" in client.get("/alerts").text
            # what the money bought, on first run: AI code with ratios, adoption, what-if
            code = client.get("/api/v1/ai-code?range=30d").json()
            assert code["empty_reason"] is None
            assert code["total_ratios"]["cost_per_accepted_ai_line_cents"] is not None
            assert all(t["cost_per_accepted_ai_line_cents"] for t in code["teams"])
            adoption = client.get("/api/v1/adoption?range=30d").json()
            assert adoption["has_daily_usage"]
            assert adoption["total"]["tab_accept_rate_percent"] is not None
            whatif = client.get("/api/v1/whatif?range=30d").json()
            assert whatif["rows"]
            assert whatif["rows"][0]["saving_cents"] is not None
            assert "Imported" in printed
            assert "FOCUS cloud cost rows" in printed
    finally:
        engine.dispose()

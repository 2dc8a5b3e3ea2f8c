"""Settings → Cloud costs: FOCUS uploads (all or nothing, located errors), allocations,
the FOCUS export download, and that only admins with a valid CSRF token change anything."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from devspend.focus.allocations import list_allocations, set_allocation
from devspend.focus.importer import import_focus
from devspend.money import join_money
from devspend.settings import Settings
from devspend.store.cloud_tables import cloud_costs
from focus_usage import USAGE, insert_usage
from shared_data import FOCUS_SAMPLE
from web_support import ADMIN_EMAIL, VIEWER_EMAIL, WebEnv, build_env, page_csrf, signed_in

PAGE = "/settings/cloud-costs"
SAMPLE = FOCUS_SAMPLE
HEADER = "BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency,\
ProviderName,ServiceName\n"
GOOD_ROW = "2025-02-01,2025-02-01,2025-02-02,1.50,USD,AWS,EC2\n"
BAD_ROW = "2025-02-01,2025-02-01,2025-02-02,lots,USD,AWS,EC2\n"


def stored(engine: sa.Engine) -> tuple[int, Decimal]:
    """How many cloud rows are stored and their exact billed total."""
    c = cloud_costs.c
    with engine.connect() as conn:
        rows, nanos, picos = conn.execute(
            sa.select(
                sa.func.count(), sa.func.sum(c.billed_cost_nanos), sa.func.sum(c.billed_cost_picos)
            )
        ).one()
    return int(rows), join_money(nanos, picos) if rows else Decimal(0)


def sample_total() -> Decimal:
    with SAMPLE.open(newline="", encoding="utf-8-sig") as handle:
        return sum((Decimal(r["BilledCost"]) for r in csv.DictReader(handle)), Decimal(0))


def upload(client: TestClient, token: str | None, *files: tuple[str, bytes],
           account_name: str = "") -> httpx.Response:  # fmt: skip
    data = {"account_name": account_name}
    if token is not None:
        data["csrf_token"] = token
    return client.post(
        f"{PAGE}/import", data=data,
        files=[("files", (name, body, "text/csv")) for name, body in files],
    )  # fmt: skip


@pytest.fixture
def env(settings: Settings, engine: sa.Engine) -> WebEnv:
    return build_env(settings, engine)


@pytest.fixture
def admin(env: WebEnv) -> Iterator[tuple[TestClient, str]]:
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        yield client, page_csrf(client, PAGE)


def test_uploading_the_sample_imports_every_row_exactly(
    env: WebEnv, admin: tuple[TestClient, str]
) -> None:
    client, token = admin
    response = upload(client, token, ("focus sample.csv", SAMPLE.read_bytes()))
    assert response.status_code == 200, response.text
    html = response.text
    assert 'id="imported-rows">1,000<' in html
    assert "focus_sample.csv" in html
    assert "2024-09-01" in html
    assert stored(env.engine) == (1000, sample_total())
    # the same export again replaces it rather than doubling it
    again = upload(client, token, ("focus sample.csv", SAMPLE.read_bytes()))
    assert again.status_code == 200
    assert stored(env.engine) == (1000, sample_total())


def test_gzip_upload_and_account_name(env: WebEnv, admin: tuple[TestClient, str]) -> None:
    import gzip

    client, token = admin
    body = gzip.compress((HEADER + GOOD_ROW).encode())
    response = upload(client, token, ("feb.csv.gz", body), account_name="shop-prod")
    assert response.status_code == 200
    assert "shop-prod" in response.text
    assert stored(env.engine) == (1, Decimal("1.50"))


def test_a_bad_upload_shows_file_line_and_reason_and_changes_nothing(
    env: WebEnv, admin: tuple[TestClient, str], settings: Settings, tmp_path: Path
) -> None:
    client, token = admin
    (tmp_path / "before.csv").write_text(HEADER + GOOD_ROW)
    import_focus(env.engine, [tmp_path / "before.csv"], settings=settings)
    before = stored(env.engine)
    body = (HEADER + GOOD_ROW + BAD_ROW + GOOD_ROW).encode()
    response = upload(client, token, ("march.csv", body))
    assert response.status_code == 400
    html = response.text
    assert 'class="problem-file">march.csv<' in html
    assert 'class="num problem-line">3<' in html
    assert "BilledCost" in html
    assert "lots" in html
    assert "devspend-upload" not in html  # the server's temporary path never shows
    assert stored(env.engine) == before


def test_a_file_that_is_not_focus_is_refused_with_its_reason(
    env: WebEnv, admin: tuple[TestClient, str]
) -> None:
    client, token = admin
    response = upload(client, token, ("semi.csv", HEADER.replace(",", ";").encode()))
    assert response.status_code == 400
    assert "semicolon" in response.text
    assert 'class="problem-file">semi.csv<' in response.text
    assert stored(env.engine) == (0, Decimal(0))


def test_forms_without_a_valid_csrf_token_are_refused(
    env: WebEnv, admin: tuple[TestClient, str]
) -> None:
    client, _token = admin
    for token in (None, "forged"):
        response = upload(client, token, ("ok.csv", (HEADER + GOOD_ROW).encode()))
        assert response.status_code == 403
        response = client.post(f"{PAGE}/allocations", data={
            "email": "x@example.com", **({"csrf_token": token} if token else {}),
        })  # fmt: skip
        assert response.status_code == 403
    assert stored(env.engine) == (0, Decimal(0))
    assert list_allocations(env.engine) == []


def test_viewers_cannot_reach_upload_allocations_or_export(env: WebEnv) -> None:
    set_allocation(env.engine, email="keep@example.com", team="t", cost_center=None)
    with signed_in(env, VIEWER_EMAIL, "viewer") as viewer:
        token = page_csrf(viewer, "/spend")
        assert viewer.get(PAGE).status_code == 403
        assert viewer.get(f"{PAGE}/export").status_code == 403
        assert upload(viewer, token, ("ok.csv", (HEADER + GOOD_ROW).encode())).status_code == 403
        for path, data in (("/allocations", {"email": "v@example.com", "team": "x"}),
                           ("/allocations/delete", {"email": "keep@example.com"}),
                           ("/allocations/billing-groups", {})):  # fmt: skip
            response = viewer.post(PAGE + path, data={"csrf_token": token, **data})
            assert response.status_code == 403, path
    assert stored(env.engine) == (0, Decimal(0))
    assert [a.email for a in list_allocations(env.engine)] == ["keep@example.com"]


def test_admins_add_edit_delete_and_load_allocations(
    env: WebEnv, admin: tuple[TestClient, str]
) -> None:
    client, token = admin
    response = client.post(f"{PAGE}/allocations", data={
        "csrf_token": token, "email": "Dana@Example.com", "team": "data", "cost_center": "cc-1",
    })  # fmt: skip
    assert response.status_code == 303
    client.post(f"{PAGE}/allocations", data={
        "csrf_token": token, "email": "dana@example.com", "team": "platform", "cost_center": "",
    })  # fmt: skip
    [dana] = list_allocations(env.engine)
    assert (dana.email, dana.team, dana.cost_center, dana.source) == (
        "dana@example.com", "platform", None, "manual"
    )  # fmt: skip
    assert 'data-email="dana@example.com"' in client.get(PAGE).text
    assert client.post(f"{PAGE}/allocations", data={
        "csrf_token": token, "email": "not an email"}).status_code == 400  # fmt: skip
    csv_body = b"email,team,cost_center\neve@example.com,web,cc-2\nfay@example.com,,\n"
    loaded = client.post(f"{PAGE}/allocations/csv", data={"csrf_token": token},
                         files={"file": ("people.csv", csv_body, "text/csv")})  # fmt: skip
    assert loaded.status_code == 200
    assert 'id="allocations-loaded">Loaded 2 ' in loaded.text
    deleted = client.post(f"{PAGE}/allocations/delete",
                          data={"csrf_token": token, "email": "dana@example.com"})  # fmt: skip
    assert deleted.status_code == 303
    teams = {a.email: a.team for a in list_allocations(env.engine)}
    assert teams == {"eve@example.com": "web", "fay@example.com": None}


def test_a_bad_allocation_csv_names_its_line_and_loads_nothing(
    env: WebEnv, admin: tuple[TestClient, str]
) -> None:
    client, token = admin
    csv_body = b"email,team,cost_center\nok@example.com,a,b\nnot-an-email,a,b\n"
    response = client.post(f"{PAGE}/allocations/csv", data={"csrf_token": token},
                           files={"file": ("team.csv", csv_body, "text/csv")})  # fmt: skip
    assert response.status_code == 400
    assert 'class="problem-file">team.csv<' in response.text
    assert 'class="num problem-line">3<' in response.text
    assert list_allocations(env.engine) == []


def test_billing_groups_button_reports_what_it_filled(admin: tuple[TestClient, str]) -> None:
    client, token = admin
    response = client.post(f"{PAGE}/allocations/billing-groups", data={"csrf_token": token})
    assert response.status_code == 200
    assert 'id="billing-groups-written">0 ' in response.text


def test_focus_export_download_round_trips_through_the_importer(
    env: WebEnv, admin: tuple[TestClient, str], settings: Settings, tmp_path: Path
) -> None:
    client, _token = admin
    insert_usage(env.engine)
    period = "range=custom&start=2025-01-01&end=2025-02-28"
    response = client.get(f"{PAGE}/export?{period}&format=csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert "devspend-focus-2025-01-01-2025-02-28.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(USAGE)
    # BilledCost is Σ chargedCents of chargeable events only ($0.16345678, not $0.20545678)
    expected = sum((Decimal(u.chargeable_ucents).scaleb(-8) for u in USAGE), Decimal(0))
    assert sum((Decimal(r["BilledCost"]) for r in rows), Decimal(0)) == expected
    (tmp_path / "export.csv").write_text(response.text)
    import_focus(env.engine, [tmp_path / "export.csv"], settings=settings)
    assert stored(env.engine) == (len(USAGE), expected)
    parquet = client.get(f"{PAGE}/export?{period}&format=parquet")
    assert parquet.status_code == 200
    assert parquet.content.startswith(b"PAR1")


def test_uploads_and_allocation_edits_show_at_once_on_cached_pages(
    admin: tuple[TestClient, str],
) -> None:
    client, token = admin
    period = "range=custom&start=2025-02-01&end=2025-02-28"
    assert client.get(f"/api/v1/spend?{period}").json()["totals"] == []
    tagged = GOOD_ROW.replace("EC2\n", 'EC2,"{""owner"": ""gil@example.com""}"\n')
    owned = HEADER.replace("ServiceName", "ServiceName,Tags") + tagged
    assert upload(client, token, ("owned.csv", owned.encode())).status_code == 200
    [usd] = client.get(f"/api/v1/spend?{period}").json()["totals"]
    assert Decimal(usd["cloud_cents"]) == 150
    assert client.get(f"/api/v1/teams?{period}").json()["teams"] == []
    client.post(f"{PAGE}/allocations", data={
        "csrf_token": token, "email": "gil@example.com", "team": "data",
    })  # fmt: skip
    [team] = client.get(f"/api/v1/teams?{period}").json()["teams"]
    assert (team["team"], Decimal(team["cloud_cents"])) == ("data", 150)


def test_imports_and_edits_made_elsewhere_show_at_once_on_cached_pages(
    env: WebEnv, admin: tuple[TestClient, str], tmp_path: Path
) -> None:
    """The CLI or another replica writes straight to the database: the cached views must
    notice on their next request (the data version is read from the database)."""
    client, _token = admin
    period = "range=custom&start=2025-02-01&end=2025-02-28"
    assert client.get(f"/api/v1/spend?{period}").json()["totals"] == []
    tagged = GOOD_ROW.replace("EC2\n", 'EC2,"{""owner"": ""gil@example.com""}"\n')
    export = tmp_path / "owned.csv"
    export.write_text(HEADER.replace("ServiceName", "ServiceName,Tags") + tagged)
    import_focus(env.engine, [export], settings=env.settings, clock=env.clock)
    [usd] = client.get(f"/api/v1/spend?{period}").json()["totals"]
    assert Decimal(usd["cloud_cents"]) == 150
    assert client.get(f"/api/v1/teams?{period}").json()["teams"] == []
    set_allocation(env.engine, email="gil@example.com", team="data", cost_center=None,
                   clock=env.clock)  # fmt: skip
    [team] = client.get(f"/api/v1/teams?{period}").json()["teams"]
    assert (team["team"], Decimal(team["cloud_cents"])) == ("data", 150)
    env.clock.advance(seconds=1)  # an edit is seen by its updated_at, which real time moves
    set_allocation(env.engine, email="gil@example.com", team="platform", cost_center=None,
                   clock=env.clock)  # fmt: skip
    [team] = client.get(f"/api/v1/teams?{period}").json()["teams"]
    assert team["team"] == "platform"

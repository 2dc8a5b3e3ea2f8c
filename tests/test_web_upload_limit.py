"""FOCUS and allocation uploads are capped at DEVSPEND_MAX_UPLOAD_MB, announced or not."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from devspend.settings import Settings
from web_support import ADMIN_EMAIL, build_env, page_csrf, signed_in

PAGE = "/settings/cloud-costs"
HEADER = b"BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency,\
ProviderName,ServiceName\n"
ROW = b"2025-02-01,2025-02-01,2025-02-02,1.50,USD,AWS,EC2\n"
BOUNDARY = "devspendtestboundary"


def _rows(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("select count(*) from cloud_costs")).scalar_one())


def _multipart(csrf: str, body: bytes) -> bytes:
    return (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n"
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.csv\"\r\n"
        "Content-Type: text/csv\r\n\r\n"
    ).encode() + body + f"\r\n--{BOUNDARY}--\r\n".encode()


def test_an_upload_over_the_limit_is_refused_and_imports_nothing(
    settings: Settings, engine: sa.Engine
) -> None:
    env = build_env(settings, engine, max_upload_mb=1)
    big = HEADER + ROW * (2 * 1024 * 1024 // len(ROW))
    with signed_in(env, ADMIN_EMAIL, "admin") as admin:
        csrf = page_csrf(admin, PAGE)
        announced = admin.post(f"{PAGE}/import", data={"csrf_token": csrf},
                               files={"files": ("big.csv", big, "text/csv")})  # fmt: skip
        assert announced.status_code == 413
        assert "1 MB" in announced.text
        assert "DEVSPEND_MAX_UPLOAD_MB" in announced.text

        def chunks() -> Iterator[bytes]:
            body = _multipart(csrf, big)
            for start in range(0, len(body), 64 * 1024):
                yield body[start : start + 64 * 1024]

        chunked = admin.post(f"{PAGE}/import", content=chunks(), headers={
            "content-type": f"multipart/form-data; boundary={BOUNDARY}"})  # fmt: skip
        assert chunked.status_code == 413
        assert "DEVSPEND_MAX_UPLOAD_MB" in chunked.text
        assert _rows(engine) == 0
        small = admin.post(f"{PAGE}/import", data={"csrf_token": csrf},
                           files={"files": ("small.csv", HEADER + ROW, "text/csv")})  # fmt: skip
        assert small.status_code == 200, small.text
    assert _rows(engine) == 1

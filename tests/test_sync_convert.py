"""Wire events become store rows exactly: same fingerprint as the schema, money in micro-cents."""

from __future__ import annotations

from devspend.cursor.schemas import decode_json, parse_usage_event
from devspend.sync.convert import fast_canonical_json, stored_event

WIRE = (
    b'{"timestamp": "1778150000123", "userEmail": "Ada@Example.com", "model": "m\\\\x \\"q\\"",'
    b' "kind": "Usage-based", "maxMode": true, "requestsCosts": 1.4, "isTokenBasedCall": true,'
    b' "isChargeable": true, "tokenUsage": {"inputTokens": 900, "outputTokens": 300,'
    b' "cacheWriteTokens": 2000, "cacheReadTokens": 15000, "totalCents": 7.50},'
    b' "chargedCents": 0.0123456789, "cursorTokenFee": 0.6, "note": "caf\\u00e9\\ttab"}'
)


def test_row_matches_the_parsed_event() -> None:
    event = parse_usage_event(decode_json(WIRE))
    row = stored_event(event)
    assert fast_canonical_json(event.raw) == event.raw_json
    assert row.fingerprint == event.fingerprint
    assert row.raw == event.raw_json
    assert row.email == "ada@example.com"
    assert row.model == 'm\\x "q"'
    money = (row.total_ucents, row.charged_ucents, row.token_fee_ucents)
    assert money == (7_500_000, 12_346, 600_000)  # 0.0123456789 cents rounds half-even
    assert row.requests_costs_micros == 1_400_000
    assert row.max_mode
    assert not row.is_headless

"""Wire events become store rows exactly: same fingerprint as the schema, money in micro-cents."""

from __future__ import annotations

import json
from hashlib import blake2b

import pytest

from devspend.cursor.event_page import decode_events_page
from devspend.cursor.fake import SyntheticTeam
from devspend.cursor.schemas import decode_json, parse_usage_event
from devspend.errors import CursorProtocolError
from devspend.sync.convert import fast_canonical_json, stored_event, stored_event_text

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


def test_a_row_from_the_events_text_is_the_same_row_in_one_pass() -> None:
    """The events lane builds rows straight from the decoded page (text kept as sent):
    every figure equals the two-step path's; only ``raw`` and its hash are the text's."""
    end = 1_795_000_000_000
    team = SyntheticTeam(seed=5, members=6, end_ms=end, days=20, duplicate_rate=0.05)
    events = list(team.iter_events(start_ms=end - 20 * 86_400_000, end_ms=end))
    body = json.dumps({"usageEvents": [*events, json.loads(WIRE)]}, ensure_ascii=False)
    pairs = decode_events_page(body)["usageEvents"]
    assert len(pairs) == len(events) + 1
    for obj, text in pairs:
        one_pass, two_step = stored_event_text(obj, text), stored_event(parse_usage_event(obj))
        assert one_pass.raw == text
        assert one_pass.fingerprint == blake2b(text.encode(), digest_size=16).hexdigest()
        assert one_pass._replace(raw="", fingerprint="") == two_step._replace(raw="",
                                                                             fingerprint="")


def test_an_event_without_a_usable_timestamp_is_refused_either_way() -> None:
    for obj in ({"userEmail": "a@b.c"}, {"timestamp": "soon"}):
        with pytest.raises(CursorProtocolError):
            stored_event_text(obj, json.dumps(obj))
        with pytest.raises(CursorProtocolError):
            parse_usage_event(obj)

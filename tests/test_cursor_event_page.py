"""An events page decoded in one pass: the same objects as ``json.loads``, each event with
the exact text it was sent as."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from devspend.cursor.event_page import decode_events_page
from devspend.cursor.schemas import decode_json
from devspend.errors import CursorProtocolError

EVENTS = [
    {"timestamp": "1778150000123", "userEmail": "ada@example.com", "model": 'm\\x "q"',
     "tokenUsage": {"inputTokens": 900, "totalCents": 7.50}, "chargedCents": 0.0123456789,
     "note": "café\ttab ✓", "list": [1, {"a": None}], "flag": True},
    {"timestamp": "1778149000000", "userEmail": "bo@example.com", "kind": "Included"},
    {"timestamp": "1778149000000", "userEmail": "bo@example.com", "kind": "Included"},
]  # fmt: skip


@pytest.mark.parametrize(
    "dump",
    [
        lambda body: json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        lambda body: json.dumps(body),  # ", " and ": ", ASCII escapes
        lambda body: json.dumps(body, indent=2),  # newlines and indentation everywhere
    ],
)
def test_the_page_decodes_as_json_loads_does_and_keeps_each_events_text(dump: object) -> None:
    body = {"totalUsageEventsCount": 3, "usageEvents": EVENTS,
            "pagination": {"numPages": 1, "hasNextPage": False}, "period": {"x": 1.5}}  # fmt: skip
    text = dump(body)  # type: ignore[operator]
    page = decode_events_page(text.encode())
    expected = decode_json(text)
    assert [obj for obj, _ in page["usageEvents"]] == expected["usageEvents"]
    assert {k: v for k, v in page.items() if k != "usageEvents"} == {
        k: v for k, v in expected.items() if k != "usageEvents"
    }
    assert isinstance(page["period"]["x"], Decimal)  # exact numbers, as everywhere
    for obj, raw in page["usageEvents"]:
        assert raw in text  # a slice of what was sent ...
        assert decode_json(raw) == obj  # ... that is exactly this event
    twins = [raw for _, raw in page["usageEvents"][1:]]
    assert twins[0] == twins[1]  # identical events, identical texts


@pytest.mark.parametrize("text", ['{"usageEvents": []}', "{}", ' { "usageEvents" : [ ] } '])
def test_empty_pages(text: str) -> None:
    assert decode_events_page(text).get("usageEvents", []) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"usageEvents": [{"a": 1},]}',
        '{"usageEvents": [{"a": 1} {"b": 2}]}',
        '{"usageEvents": [1, 2]}',
        '{"usageEvents": [{"a": 1}]} trailing',
        '{"a": 1,}',
        '{"usageEvents": [{"a": 1}',
        '{"a',
        '{"usageEvents": [{"a": "\\x"}]}',
    ],
)
def test_what_is_not_a_page_is_a_protocol_error(text: str) -> None:
    with pytest.raises(CursorProtocolError):
        decode_events_page(text)

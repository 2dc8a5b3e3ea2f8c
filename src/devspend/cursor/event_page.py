"""Usage-event pages decoded in one pass, each event keeping the exact text Cursor sent.

Storing an event needs its raw JSON (kept whole, ``usage_events.raw``) and a hash of
it (the fingerprint that tells genuinely identical events apart). Re-encoding every
decoded event as canonical JSON cost as much as decoding the page. Here the page is
decoded with the C scanner element by element, and each event's text is a slice of
the page: decoding it is the only pass over the bytes.

The fingerprint of such a text equals for identical events because Cursor (and the
fake) serialise identical objects identically; and even if two identical events came
in different spellings, each would still be stored exactly once — the fingerprint
only orders twins within one fetch (``docs/events-without-ids.md``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from devspend.cursor.client import EVENTS_PATH, CursorClient
from devspend.cursor.endpoints import EVENTS_PAGE_SIZE
from devspend.cursor.pagination import iter_flagged_pages
from devspend.cursor.windows import split_windows
from devspend.errors import CursorProtocolError

EventText = tuple[dict[str, Any], str]  # a decoded event and its text as sent
_scan = json.JSONDecoder(parse_float=Decimal).scan_once  # type: ignore[attr-defined]
_space = re.compile(r"[ \t\n\r]*")
_BLANKS = frozenset(" \t\n\r")


def _bad(what: str, at: int) -> CursorProtocolError:
    return CursorProtocolError(f"Cursor's {EVENTS_PATH} sent a body that is not JSON "
                               f"({what} at character {at})", endpoint=EVENTS_PATH)  # fmt: skip


def _value(text: str, at: int) -> tuple[Any, int]:
    try:
        value, end = _scan(text, at)
    except (StopIteration, ValueError) as exc:
        raise _bad("a value expected", at) from exc
    return value, end


def _events(text: str, at: int) -> tuple[list[EventText], int]:
    """The array starting at ``at``: each element decoded, with its text."""
    items: list[EventText] = []
    append = items.append
    scan = _scan
    at = _space.match(text, at + 1).end()  # type: ignore[union-attr]
    if text.startswith("]", at):
        return items, at + 1
    try:
        while True:
            obj, end = scan(text, at)
            append((obj, text[at:end]))
            following = text[end : end + 1]
            if following == ",":  # compact JSON: the common case, no regex
                at = end + 1
                if text[at : at + 1] in _BLANKS:
                    at = _space.match(text, at).end()  # type: ignore[union-attr]
                continue
            at = _space.match(text, end).end()  # type: ignore[union-attr]
            following = text[at : at + 1]
            if following == ",":
                at = _space.match(text, at + 1).end()  # type: ignore[union-attr]
            elif following == "]":
                break
            else:
                raise _bad("',' or ']' expected", at)
    except StopIteration as exc:
        raise _bad("a value expected", at) from exc
    if any(type(obj) is not dict for obj, _ in items):
        raise CursorProtocolError("a usage event is not an object", endpoint=EVENTS_PATH)
    return items, at + 1


def decode_events_page(content: bytes | str) -> dict[str, Any]:
    """The page as ``json.loads`` would decode it (numbers as ``Decimal``), except that
    ``usageEvents`` holds ``(event, text)`` pairs."""
    try:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        return _page(text)
    except ValueError as exc:  # a bad string or number inside (JSONDecodeError, UTF-8)
        if isinstance(exc, CursorProtocolError):
            raise
        raise CursorProtocolError(f"Cursor's {EVENTS_PATH} sent a body that is not JSON: {exc}",
                                  endpoint=EVENTS_PATH) from exc  # fmt: skip


def _page(text: str) -> dict[str, Any]:
    at = _space.match(text).end()  # type: ignore[union-attr]
    if not text.startswith("{", at):
        raise _bad("an object expected", at)
    body: dict[str, Any] = {}
    at = _space.match(text, at + 1).end()  # type: ignore[union-attr]
    if text.startswith("}", at):
        return body
    while True:
        if not text.startswith('"', at):
            raise _bad("a key expected", at)
        key, at = scanstring(text, at + 1)
        at = _space.match(text, at).end()  # type: ignore[union-attr]
        if not text.startswith(":", at):
            raise _bad("':' expected", at)
        at = _space.match(text, at + 1).end()  # type: ignore[union-attr]
        if key == "usageEvents" and text.startswith("[", at):
            body[key], at = _events(text, at)
        else:
            body[key], at = _value(text, at)
        at = _space.match(text, at).end()  # type: ignore[union-attr]
        if text.startswith(",", at):
            at = _space.match(text, at + 1).end()  # type: ignore[union-attr]
        elif text.startswith("}", at):
            break
        else:
            raise _bad("',' or '}' expected", at)
    if _space.match(text, at + 1).end() != len(text):  # type: ignore[union-attr]
        raise _bad("extra data", at + 1)
    return body


def iter_event_texts(
    client: CursorClient, *, start_ms: int, end_ms: int, page_size: int = EVENTS_PAGE_SIZE
) -> Iterator[list[EventText]]:
    """The events of ``[start_ms, end_ms]``, a page at a time, as ``(event, text)`` pairs:
    the same requests and guards as :func:`~devspend.cursor.endpoints.iter_usage_event_pages`."""
    for window in split_windows(start_ms=start_ms, end_ms=end_ms):

        def fetch(page: int, window: tuple[int, int] = window) -> Mapping[str, Any]:
            body = {"startDate": window[0], "endDate": window[1], "page": page,
                    "pageSize": page_size}  # fmt: skip
            return decode_events_page(client.post_raw(EVENTS_PATH, body=body))

        for page in iter_flagged_pages(fetch, items_key="usageEvents", what=EVENTS_PATH):
            yield page.items

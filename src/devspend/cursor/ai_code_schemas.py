"""Wire records of Cursor's AI Code Tracking API (``/analytics/ai-code/*``), parsed tolerantly.

The API is an alpha (``shared/reference/cursor-analytics-api.md`` §2), so the rules
are those of :mod:`devspend.cursor.schemas`: unknown fields ignored, ``raw`` kept,
optional fields become ``None``, and only what devspend cannot do without is
required (a commit's hash and ``createdAt``, a change's id and ``createdAt``).

* Times are ISO UTC with milliseconds; they become epoch milliseconds.
* ``nonAiLines*`` may be null or absent: then they are derived the way Cursor
  documents it, ``max(0, total − tab − composer)``, and ``non_ai_derived`` says so.
* A change's ``metadata`` (one entry per file; ``fileName`` absent under privacy
  mode) is kept as given, and its totals are taken from the change itself.
* Emails are lowercased: the join key across Cursor's APIs (§4 of the reference).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from devspend.cursor.schemas import JsonObject, _int, _ms_or_iso, _opt_str, _req, canonical_json
from devspend.errors import CursorProtocolError


def _iso_ms(value: Any, what: str) -> int:
    try:
        ms = _ms_or_iso(value)
    except ValueError as exc:
        raise CursorProtocolError(f"{what} with a bad time {value!r}") from exc
    if ms is None:
        raise CursorProtocolError(f"{what} without a time")
    return ms


def _opt_iso_ms(value: Any, what: str) -> int | None:
    return None if value is None else _iso_ms(value, what)


def _day(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date()


@dataclass(frozen=True, slots=True)
class AiCommit:
    """One row of ``/analytics/ai-code/commits``; the hash repeats after an amend."""

    commit_hash: str
    created_at_ms: int
    user_id: str | None
    email: str
    repo_name: str | None
    branch_name: str | None
    is_primary_branch: bool | None
    commit_source: str | None
    total_lines_added: int
    total_lines_deleted: int
    tab_lines_added: int
    tab_lines_deleted: int
    composer_lines_added: int
    composer_lines_deleted: int
    non_ai_lines_added: int
    non_ai_lines_deleted: int
    non_ai_derived: bool
    """True when Cursor sent no non-AI counts and devspend derived them."""
    message: str | None
    commit_ts_ms: int | None
    raw: JsonObject = field(repr=False, compare=False)

    @property
    def raw_json(self) -> str:
        return canonical_json(self.raw)

    @property
    def day(self) -> date:
        """The UTC day of the commit (``commitTs``), else of its ingestion."""
        return _day(self.commit_ts_ms if self.commit_ts_ms is not None else self.created_at_ms)


def _non_ai(obj: JsonObject, side: str, total: int, tab: int, composer: int) -> tuple[int, bool]:
    value = obj.get(f"nonAiLines{side}")
    if value is None:
        return max(0, total - tab - composer), True
    return _int(value), False


def parse_ai_commit(obj: JsonObject) -> AiCommit:
    what = "AI code commit"
    counts = {
        key: _int(obj.get(key))
        for key in (
            "totalLinesAdded", "totalLinesDeleted", "tabLinesAdded", "tabLinesDeleted",
            "composerLinesAdded", "composerLinesDeleted",
        )
    }  # fmt: skip
    added, derived_a = _non_ai(
        obj, "Added", counts["totalLinesAdded"], counts["tabLinesAdded"],
        counts["composerLinesAdded"],
    )  # fmt: skip
    deleted, derived_d = _non_ai(
        obj, "Deleted", counts["totalLinesDeleted"], counts["tabLinesDeleted"],
        counts["composerLinesDeleted"],
    )  # fmt: skip
    primary = obj.get("isPrimaryBranch")
    return AiCommit(
        commit_hash=str(_req(obj, "commitHash", what)),
        created_at_ms=_iso_ms(_req(obj, "createdAt", what), what),
        user_id=_opt_str(obj.get("userId")),
        email=str(obj.get("userEmail") or "").lower(),
        repo_name=_opt_str(obj.get("repoName")),
        branch_name=_opt_str(obj.get("branchName")),
        is_primary_branch=None if primary is None else bool(primary),
        commit_source=_opt_str(obj.get("commitSource")),
        total_lines_added=counts["totalLinesAdded"],
        total_lines_deleted=counts["totalLinesDeleted"],
        tab_lines_added=counts["tabLinesAdded"],
        tab_lines_deleted=counts["tabLinesDeleted"],
        composer_lines_added=counts["composerLinesAdded"],
        composer_lines_deleted=counts["composerLinesDeleted"],
        non_ai_lines_added=added,
        non_ai_lines_deleted=deleted,
        non_ai_derived=derived_a or derived_d,
        message=_opt_str(obj.get("message")),
        commit_ts_ms=_opt_iso_ms(obj.get("commitTs"), what),
        raw=obj,
    )


@dataclass(frozen=True, slots=True)
class AiChangeFile:
    """One file of a change; ``file_name`` is ``None`` under privacy mode."""

    file_name: str | None
    file_extension: str | None
    lines_added: int
    lines_deleted: int


@dataclass(frozen=True, slots=True)
class AiChange:
    """One accepted AI edit of ``/analytics/ai-code/changes`` (TAB or COMPOSER)."""

    change_id: str
    created_at_ms: int
    user_id: str | None
    email: str
    source: str
    model: str | None
    total_lines_added: int
    total_lines_deleted: int
    files: tuple[AiChangeFile, ...]
    raw: JsonObject = field(repr=False, compare=False)

    @property
    def raw_json(self) -> str:
        return canonical_json(self.raw)

    @property
    def day(self) -> date:
        return _day(self.created_at_ms)


def parse_ai_change(obj: JsonObject) -> AiChange:
    what = "AI code change"
    files = tuple(
        AiChangeFile(
            file_name=_opt_str(f.get("fileName")),
            file_extension=_opt_str(f.get("fileExtension")),
            lines_added=_int(f.get("linesAdded")),
            lines_deleted=_int(f.get("linesDeleted")),
        )
        for f in obj.get("metadata") or ()
        if isinstance(f, dict)
    )
    return AiChange(
        change_id=str(_req(obj, "changeId", what)),
        created_at_ms=_iso_ms(_req(obj, "createdAt", what), what),
        user_id=_opt_str(obj.get("userId")),
        email=str(obj.get("userEmail") or "").lower(),
        source=str(obj.get("source") or "UNKNOWN").upper(),
        model=_opt_str(obj.get("model")),
        total_lines_added=_int(obj.get("totalLinesAdded")),
        total_lines_deleted=_int(obj.get("totalLinesDeleted")),
        files=files,
        raw=obj,
    )

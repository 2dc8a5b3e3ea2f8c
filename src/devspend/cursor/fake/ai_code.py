"""The fake AI Code Tracking API: commits and accepted AI changes, consistent with the events.

A member has commits and changes exactly on the UTC days they have usage events,
in the repos they work in (one to three of the team's), drawn from
``(seed, member, day)`` alone like the events. The reference's quirks
(``shared/reference/cursor-analytics-api.md`` §6) are all there:

* ``nonAi* = max(0, total − tab − composer)`` (some commits have more AI lines than
  lines, so the clamp matters); a few commits send ``nonAiLines*`` as null;
* an amended commit comes back a second time: same hash and ``commitTs``, a later
  ``createdAt`` and slightly different lines;
* some ``repoName``/``branchName``/``isPrimaryBranch`` are null; ``commitSource`` is
  ide, cli or cloud;
* a change's totals are the sums over its ``metadata``; TAB changes have a null
  ``model``, COMPOSER ones the member's models (now and then null too); members in
  privacy mode send no ``fileName``.

Choices where the reference leaves questions open (§7): ``startDate``/``endDate``
filter on ``createdAt`` with both bounds inclusive; items come oldest ``createdAt``
first (then by hash or id), a stable order; ``pageSize`` over 1000 is a 400.
"""

from __future__ import annotations

import hashlib
import random
import re
from bisect import bisect
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from devspend.cursor.fake.generator import member_day_count
from devspend.cursor.fake.members import DAY_MS, HOUR_MS, MemberProfile
from devspend.cursor.fake.team import SyntheticTeam
from devspend.cursor.fake.validation import BadRequest

if TYPE_CHECKING:
    from devspend.cursor.fake.fake import FakeCursor

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
REPOS = ("acme/api", "acme/web", "acme/mobile", "acme/infra", "acme/data-pipeline", "acme/docs")
_TOPICS = ("auth", "billing", "search", "cache", "onboarding", "export", "metrics", "retry")
_VERBS = ("Fix", "Add", "Refactor", "Speed up", "Document", "Test", "Remove")
_EXTENSIONS = ("ts", "tsx", "py", "go", "rs", "sql", "md")
_SOURCES = (("ide", 0.8), ("cli", 0.92), ("cloud", 1.0))
_SALT_COMMITS = 4_242
_SALT_CHANGES = 8_484


def iso(ms: int) -> str:
    """Epoch ms as Cursor's ISO form, ``2025-07-30T14:12:03.000Z``."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _key(team: SyntheticTeam, profile: MemberProfile, day: int, salt: int) -> int:
    return ((team.seed * 1_000_003 + profile.index) * 1_000_033 + day) * 7 + salt


def _active_events(team: SyntheticTeam, profile: MemberProfile, day: int) -> int:
    start = day * DAY_MS
    return member_day_count(team.params, profile, day, lo=start, hi=start + DAY_MS - 1,
                            as_of_ms=None)  # fmt: skip


def member_repos(team: SyntheticTeam, profile: MemberProfile) -> tuple[str, ...]:
    """The one to three repos a member commits to."""
    rng = random.Random(f"repos:{team.seed}:{profile.index}")
    return tuple(rng.sample(REPOS, rng.choice((1, 1, 2, 2, 3))))


def privacy_mode(team: SyntheticTeam, profile: MemberProfile) -> bool:
    """Members in privacy mode send changes without file names."""
    return random.Random(f"privacy:{team.seed}:{profile.index}").random() < 0.2


def _work_time(rng: random.Random, profile: MemberProfile, day: int) -> int:
    start = day * DAY_MS
    ts = start + profile.work_start_ms + int(rng.random() * 9 * HOUR_MS)
    return min(max(ts, start), start + DAY_MS - 1)


def _hash(*parts: object) -> str:
    return hashlib.sha1(":".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


def member_day_commits(
    team: SyntheticTeam, profile: MemberProfile, day: int
) -> list[dict[str, Any]]:
    """The member's commits of that day (amended ones twice), in wire form."""
    n = _active_events(team, profile, day)
    if n == 0:
        return []
    rng = random.Random(_key(team, profile, day, _SALT_COMMITS))
    count = sum(rng.random() < 0.45 for _ in range(n)) + (rng.random() < 0.3)
    repos = member_repos(team, profile)
    out: list[dict[str, Any]] = []
    for i in range(count):
        commit_ts = _work_time(rng, profile, day)
        total_a, total_d = rng.randrange(1, 320), rng.randrange(0, 120)
        tab_a, tab_d = int(total_a * rng.uniform(0, 0.45)), int(total_d * rng.uniform(0, 0.3))
        comp_a, comp_d = int(total_a * rng.uniform(0, 0.75)), int(total_d * rng.uniform(0, 0.6))
        if rng.random() < 0.15:  # written by hand: no AI line at all
            tab_a = tab_d = comp_a = comp_d = 0
        repo: str | None = rng.choice(repos)
        branch: str | None = "main" if rng.random() < 0.6 else (
            f"feature/{rng.choice(_TOPICS)}-{rng.randrange(1, 400)}")
        primary: bool | None = branch == "main"
        if rng.random() < 0.03:
            repo = branch = primary = None
        elif rng.random() < 0.05:
            primary = None
        roll = rng.random()
        source = next(name for name, edge in _SOURCES if roll < edge)
        commit: dict[str, Any] = {
            "commitHash": _hash("commit", team.seed, profile.index, day, i)[:40],
            "userId": profile.user_id if isinstance(profile.user_id, str)
            else f"user_{profile.user_id}",
            "userEmail": profile.email,
            "repoName": repo,
            "branchName": branch,
            "isPrimaryBranch": primary,
            "commitSource": source,
            "totalLinesAdded": total_a,
            "totalLinesDeleted": total_d,
            "tabLinesAdded": tab_a,
            "tabLinesDeleted": tab_d,
            "composerLinesAdded": comp_a,
            "composerLinesDeleted": comp_d,
            "nonAiLinesAdded": max(0, total_a - tab_a - comp_a),
            "nonAiLinesDeleted": max(0, total_d - tab_d - comp_d),
            "message": None if rng.random() < 0.05
            else f"{rng.choice(_VERBS)} {rng.choice(_TOPICS)}",
            "commitTs": iso(commit_ts),
            "createdAt": iso(commit_ts + rng.randrange(5_000, 180_000)),
        }
        if rng.random() < 0.02:
            commit["nonAiLinesAdded"] = commit["nonAiLinesDeleted"] = None
        out.append(commit)
        if rng.random() < 0.04:  # amended: the same hash again, ingested later
            extra = rng.randrange(0, 20)
            amended = dict(commit, totalLinesAdded=total_a + extra,
                           createdAt=iso(commit_ts + rng.randrange(10 * 60_000, 3 * HOUR_MS)))
            if amended["nonAiLinesAdded"] is not None:
                amended["nonAiLinesAdded"] = max(0, total_a + extra - tab_a - comp_a)
            out.append(amended)
    return out


def _model(rng: random.Random, profile: MemberProfile) -> str:
    cumulative = profile.model_cumulative
    return profile.models[bisect(cumulative, rng.random() * cumulative[-1])].name


def member_day_changes(
    team: SyntheticTeam, profile: MemberProfile, day: int
) -> list[dict[str, Any]]:
    """The member's accepted TAB and COMPOSER changes of that day, in wire form."""
    n = _active_events(team, profile, day)
    if n == 0:
        return []
    rng = random.Random(_key(team, profile, day, _SALT_CHANGES))
    private = privacy_mode(team, profile)
    out: list[dict[str, Any]] = []
    for i in range(n + (rng.random() < 0.5)):
        tab = rng.random() < 0.6
        files = []
        for _ in range(1 if tab else rng.randrange(1, 4)):
            ext = rng.choice(_EXTENSIONS)
            entry: dict[str, Any] = {
                "fileExtension": ext,
                "linesAdded": rng.randrange(1, 8 if tab else 90),
                "linesDeleted": rng.randrange(0, 3 if tab else 30),
            }
            if not private:
                entry = {"fileName": f"src/{rng.choice(_TOPICS)}/{rng.randrange(1, 60)}.{ext}",
                         **entry}  # fmt: skip
            files.append(entry)
        model = None if tab or rng.random() < 0.1 else _model(rng, profile)
        digest = _hash("change", team.seed, profile.index, day, i)
        out.append({
            "changeId": str(int(digest[:12], 16)),
            "userId": profile.user_id if isinstance(profile.user_id, str)
            else f"user_{profile.user_id}",
            "userEmail": profile.email,
            "source": "TAB" if tab else "COMPOSER",
            "model": model,
            "totalLinesAdded": sum(f["linesAdded"] for f in files),
            "totalLinesDeleted": sum(f["linesDeleted"] for f in files),
            "createdAt": iso(_work_time(rng, profile, day)),
            "metadata": files,
        })  # fmt: skip
    return out


_RELATIVE = re.compile(r"^(\d+)d$")


def parse_when(value: Any, *, now_ms: int, name: str) -> int:
    """An AI-code date parameter: ISO date or datetime, ``now``, or ``<N>d`` (now − N days)."""
    text = str(value).strip()
    if text == "now":
        return now_ms
    if match := _RELATIVE.match(text):
        return now_ms - int(match.group(1)) * DAY_MS
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"Invalid {name}: {text}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _created_ms(item: Mapping[str, Any]) -> int:
    return int(datetime.fromisoformat(str(item["createdAt"]).replace("Z", "+00:00"))
               .timestamp() * 1000)  # fmt: skip


def _matches_user(profile: MemberProfile, user: str) -> bool:
    if "@" in user:
        return profile.email == user.lower()
    return user in (str(profile.user_id), f"user_{profile.user_id}")


class AiCodeData:
    """Items per endpoint and range, generated on demand; the last few ranges are cached."""

    def __init__(self, team: SyntheticTeam, *, cache_size: int = 8) -> None:
        self.team = team
        self._cache: OrderedDict[tuple[Any, ...], list[dict[str, Any]]] = OrderedDict()
        self._cache_size = cache_size

    def items(
        self, endpoint: str, *, start_ms: int, end_ms: int, user: str | None, now_ms: int
    ) -> list[dict[str, Any]]:
        """Every item of ``endpoint`` created in ``[start_ms, end_ms]`` and by ``now_ms``."""
        team = self.team
        hi = min(end_ms, now_ms, team.end_ms + DAY_MS)
        lo = max(start_ms, team.data_start_ms, team.history_start_ms)
        key = (endpoint, lo, hi, user)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        make = member_day_commits if endpoint == "commits" else member_day_changes
        profiles = [p for p in team.profiles if user is None or _matches_user(p, user)]
        found: list[dict[str, Any]] = []
        if lo <= hi:
            for day in range(lo // DAY_MS - 1, hi // DAY_MS + 1):
                for profile in profiles:
                    found.extend(i for i in make(team, profile, day)
                                 if lo <= _created_ms(i) <= hi)  # fmt: skip
        id_key = "commitHash" if endpoint == "commits" else "changeId"
        found.sort(key=lambda i: (i["createdAt"], i[id_key]))
        self._cache[key] = found
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return found


def _page_params(params: Mapping[str, Any]) -> tuple[int, int]:
    try:
        page = int(params.get("page", 1))
        size = int(params.get("pageSize", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        raise BadRequest("page and pageSize must be numbers") from None
    if page < 1:
        raise BadRequest("page must be at least 1")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequest(f"pageSize must be between 1 and {MAX_PAGE_SIZE}")
    return page, size


def _listing(fake: FakeCursor, endpoint: str, params: Mapping[str, Any]) -> dict[str, Any]:
    now = fake.now_ms()
    start = parse_when(params.get("startDate", "7d"), now_ms=now, name="startDate")
    end = parse_when(params.get("endDate", "now"), now_ms=now, name="endDate")
    if end < start:
        raise BadRequest("endDate must not be before startDate")
    page, size = _page_params(params)
    user = params.get("user") or None
    items = fake.ai_code.items(endpoint, start_ms=start, end_ms=end, user=user, now_ms=now)
    return {
        "items": items[(page - 1) * size : page * size],
        "totalCount": len(items),
        "page": page,
        "pageSize": size,
    }


def commits(fake: FakeCursor, params: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /analytics/ai-code/commits``."""
    return _listing(fake, "commits", params)


def changes(fake: FakeCursor, params: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /analytics/ai-code/changes``."""
    return _listing(fake, "changes", params)

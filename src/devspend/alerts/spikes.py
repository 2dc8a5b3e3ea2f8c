"""Spend anomalies (person, team, model) and new patterns (first heavy Max mode or
expensive model, headless jumps), each with the words for what drove it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from sqlalchemy.engine import Connection

from devspend.alerts.anomalies import WEEKS, Slice, detect, driver_words, same_weekday_history
from devspend.alerts.inputs import Inputs, Series, dollars, fields
from devspend.money import from_micros
from devspend.store import alert_reads as reads
from devspend.store import alerts as store

PATTERN_LOOKBACK = 28

def _by_email(data: Inputs) -> dict[str, Series]:
    out: dict[str, Series] = defaultdict(lambda: defaultdict(int))
    for r in data.rows:
        out[r.email][r.day] += r.charged_ucents
    return out


def anomaly_alerts(
    conn: Connection, data: Inputs, *, today: date, min_ucents: int, public: str
) -> list[store.NewAlert]:
    days = [today - timedelta(days=1), today]
    found: list[tuple[str, str, date, int, int, float | None]] = []
    people = _by_email(data)
    for email, series in people.items():
        for day in days:
            a = detect(series, day, min_ucents=min_ucents, first_day=data.first_day.get(email))
            if a is not None:
                found.append(("person", email, day, a.value, a.usual, a.ratio))
    teams: dict[str, Series] = defaultdict(lambda: defaultdict(int))
    for email, series in people.items():
        team = data.team_of(email)
        if team:
            for day, v in series.items():
                teams[team][day] += v
    for team, series in teams.items():
        for day in days:
            a = detect(series, day, min_ucents=min_ucents * 2)
            if a is not None:
                found.append(("team", team, day, a.value, a.usual, a.ratio))
    start = today - timedelta(days=7 * WEEKS + 7)
    model_series: dict[str, Series] = defaultdict(lambda: defaultdict(int))
    for m in reads.model_days(conn, start=start, end=today):
        model_series[m.model][m.day] += m.charged_ucents
    for model, series in model_series.items():
        for day in days:
            a = detect(series, day, min_ucents=min_ucents * 2)
            if a is not None:
                found.append(("model", model, day, a.value, a.usual, a.ratio))
    out = []
    for kind, key, day, value, usual, ratio in found:
        driver = None
        cloud = None
        if kind == "person":
            slices = [Slice(s.model, s.max_mode, s.charged_ucents) for s in
                      reads.person_detail(conn, emails=[key], start=day, end=day)]  # fmt: skip
            driver = driver_words(slices)
            cloud = _cloud_words(conn, key, day)
        who = (data.names.get(key) or key) if kind == "person" else (
            f"Team {key}" if kind == "team" else f"Model {key}")  # fmt: skip
        usual_words = (f"{ratio:.1f}× the usual {day:%A}" if ratio is not None
                       else f"usually {dollars(0)} on {day:%A}s")  # fmt: skip
        text = f"{who}: {dollars(value)} on {day}, {usual_words}" + (
            f"; {driver}" if driver else "") + (f"; {cloud}" if cloud else "") + "."  # fmt: skip
        link = (f"{public}/people/{key}" if kind == "person" else
                f"{public}/teams" if kind == "team" else f"{public}/models")  # fmt: skip
        scope = f"{kind}:{key}"
        rule = f"anomaly:{kind}"
        out.append(store.NewAlert(
            dedupe_key=f"{rule}:{key}:{day}", rule=rule, kind="anomaly", scope=scope,
            figure="usage_value", amount_ucents=value, threshold_ucents=usual,
            period=str(day), person=key if kind == "person" else None,
            team=key if kind == "team" else (data.team_of(key) if kind == "person" else None),
            driver=driver, message=text, link=link,
            payload=fields(rule=rule, kind="anomaly", scope=scope, figure="usage_value",
                            amount_cents=from_micros(value), threshold_cents=from_micros(usual),
                            usual_cents=from_micros(usual),
                            ratio=None if ratio is None else round(ratio, 2), period=day,
                            person=key if kind == "person" else None,
                            team=key if kind == "team" else None, driver=driver, link=link,
                            text=text),
        ))  # fmt: skip
    return out


def _cloud_words(conn: Connection, email: str, day: date) -> str | None:
    """"owned cloud spend $310 in the 7 days to 2026-11-30 (+40 % on the 7 before)", when
    FOCUS costs name this person as owner."""
    week = reads.owned_cloud_cents(conn, emails=[email], start=day - timedelta(days=6), end=day)
    before = reads.owned_cloud_cents(conn, emails=[email], start=day - timedelta(days=13),
                                     end=day - timedelta(days=7))  # fmt: skip
    if email not in week and email not in before:
        return None
    now, then = week.get(email, Decimal(0)), before.get(email, Decimal(0))
    change = f" ({(now - then) * 100 / then:+.0f} % on the 7 before)" if then else ""
    return f"owned cloud spend {dollars(now)} in the 7 days to {day}{change}"


def pattern_alerts(
    conn: Connection, data: Inputs, *, today: date, min_ucents: int, public: str
) -> list[store.NewAlert]:
    """A person's first heavy use of Max mode, or of an expensive model, in four weeks; a
    jump in their headless (background-agent) spend."""
    day = today
    out = _headless_alerts(conn, data, day=day, min_ucents=min_ucents, public=public)
    heavy = {r.email for r in data.rows if r.day == day and r.charged_ucents >= min_ucents}
    if not heavy:
        return out
    before_start = day - timedelta(days=PATTERN_LOOKBACK)
    today_slices = reads.person_detail(conn, emails=sorted(heavy), start=day, end=day)
    earlier = reads.person_detail(conn, emails=sorted(heavy), start=before_start,
                                  end=day - timedelta(days=1))  # fmt: skip
    expensive = _expensive_models(earlier + today_slices)
    seen_max: dict[str, int] = defaultdict(int)
    seen_model: dict[tuple[str, str], int] = defaultdict(int)
    for s in earlier:
        if s.max_mode:
            seen_max[s.email] += s.charged_ucents
        seen_model[(s.email, s.model)] += s.charged_ucents
    now_max: dict[str, int] = defaultdict(int)
    now_model: dict[tuple[str, str], int] = defaultdict(int)
    for s in today_slices:
        if s.max_mode:
            now_max[s.email] += s.charged_ucents
        now_model[(s.email, s.model)] += s.charged_ucents
    for email, value in now_max.items():
        if value >= min_ucents and seen_max[email] * 10 < value:
            out.append(_pattern(data, email=email, what="Max mode", rule="pattern:max_mode",
                                key=f"{email}:{day}", value=value, day=day, public=public))
    for (email, model), value in now_model.items():
        if model in expensive and value >= min_ucents and seen_model[(email, model)] * 10 < value:
            out.append(_pattern(data, email=email, what=model, rule="pattern:expensive_model",
                                key=f"{email}:{model}:{day}", value=value, day=day,
                                public=public))  # fmt: skip
    return out


HEADLESS_MIN_EVENTS = 10


def _headless_alerts(
    conn: Connection, data: Inputs, *, day: date, min_ucents: int, public: str
) -> list[store.NewAlert]:
    """Headless requests far above the same weekday's usual count, and their spend at
    least the minimum amount (counts screen everyone; money is read for the few flagged)."""
    counts: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for r in data.rows:
        if r.headless_events:
            counts[r.email][r.day] += r.headless_events
    flagged: dict[str, tuple[int, int]] = {}
    for email, series in counts.items():
        now = series.get(day, 0)
        if now < HEADLESS_MIN_EVENTS:
            continue
        usual = round(median(same_weekday_history(series, day)))
        if now >= 3 * max(usual, 1):
            flagged[email] = (now, usual)
    spend = reads.headless_charged(conn, emails=sorted(flagged), day=day)
    out = []
    for email, (now, usual) in flagged.items():
        value = spend.get(email, 0)
        if value < min_ucents:
            continue
        who = data.names.get(email) or email
        driver = f"{now} headless requests (usually {usual} on {day:%A}s)"
        text = (f"{who}: headless / background-agent spend jumped to {dollars(value)} on "
                f"{day}; {driver}.")  # fmt: skip
        link = f"{public}/people/{email}"
        scope = f"person:{email}"
        out.append(store.NewAlert(
            dedupe_key=f"pattern:headless:{email}:{day}", rule="pattern:headless",
            kind="new_pattern", scope=scope, figure="usage_value", amount_ucents=value,
            threshold_ucents=None, period=str(day), person=email, team=data.team_of(email),
            driver=driver, message=text, link=link,
            payload=fields(rule="pattern:headless", kind="new_pattern", scope=scope,
                            figure="usage_value", amount_cents=from_micros(value),
                            threshold_cents=None, period=day, person=email,
                            team=data.team_of(email), driver=driver, link=link, text=text),
        ))  # fmt: skip
    return out


def _expensive_models(slices: list[reads.DetailSlice]) -> set[str]:
    """Models whose spend per person-day is at least 3× the median model's."""
    per: dict[str, list[int]] = defaultdict(list)
    for s in slices:
        per[s.model].append(s.charged_ucents)
    means = {m: sum(v) / len(v) for m, v in per.items() if v}
    if len(means) < 3:
        return set()
    ordered = sorted(means.values())
    middle = ordered[len(ordered) // 2]
    return {m for m, v in means.items() if v >= 3 * middle}


def _pattern(
    data: Inputs, *, email: str, what: str, rule: str, key: str, value: int, day: date, public: str
) -> store.NewAlert:
    who = data.names.get(email) or email
    text = (f"{who}: first heavy use of {what} in {PATTERN_LOOKBACK} days — "
            f"{dollars(value)} on {day}.")  # fmt: skip
    driver = f"{dollars(value)} of {what}"
    link = f"{public}/people/{email}"
    scope = f"person:{email}"
    return store.NewAlert(
        dedupe_key=f"{rule}:{key}", rule=rule, kind="new_pattern", scope=scope,
        figure="usage_value", amount_ucents=value, threshold_ucents=None, period=str(day),
        person=email, team=data.team_of(email), driver=driver, message=text, link=link,
        payload=fields(rule=rule, kind="new_pattern", scope=scope, figure="usage_value",
                        amount_cents=from_micros(value), threshold_cents=None, period=day,
                        person=email, team=data.team_of(email), driver=driver, link=link,
                        text=text),
    )  # fmt: skip



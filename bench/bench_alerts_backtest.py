"""Backtest the cycle-end forecast and measure anomaly noise on the fake's ordinary year.

Syncs a fake team's year (default 60 people, like the demo) into a temporary SQLite
file through the real client and writer, reads the same per-person days the alerts
check reads, then:

1. **Forecast backtest.** For every complete billing cycle with four weeks of history
   before it, forecasts the cycle's on-demand total from day 7, 14 and 21 (what
   ``forecast_period`` would say at 00:00 UTC of day k+1, i.e. k whole days seen) and
   compares it with the actual total; prints MAPE and bias per horizon for the team and
   per person (people with ≥ $1 in the cycle), against the naive run-rate × days.
2. **Anomaly noise.** Runs the person detector (``alerts.anomalies.detect``) over every
   person-day after an eight-week warm-up of the ordinary year (no injected spikes) and
   prints anomalies per 100 person-weeks at several minimum amounts.
3. **Recall.** Injects ``--spikes`` fake spikes (``cursor.fake.Spike``: 250 Max-mode
   claude-4.1-opus events for one person on one day) at random person-days and counts
   how many the detector catches at the default minimum ($25).

    .venv/bin/python bench/bench_alerts_backtest.py [--members 60] [--seed 7] [--spikes 40]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

from devspend.alerts.anomalies import WEEKS, detect
from devspend.alerts.budgets import add_months
from devspend.alerts.forecast import forecast_period, run_rate
from devspend.cursor.fake import FakeCursor, Spike, SyntheticTeam
from devspend.money import to_micros
from devspend.settings import load_settings
from devspend.store import alert_reads
from devspend.store.engine import make_engine
from devspend.store.migrate import upgrade
from devspend.sync import service

KEY = "key_bench_backtest_0001"
END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
EPOCH = date(1970, 1, 1)
HORIZONS = (7, 14, 21)


def sync_year(team: SyntheticTeam, directory: Path) -> list[alert_reads.PersonDay]:
    settings = load_settings(data_dir=directory, database_url=f"sqlite:///{directory / 'b.db'}",
                             secret_key="bench-secret-" + "x" * 20, cursor_rpm=1e6,
                             cursor_events_rpm=1e6)  # fmt: skip
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    fake = FakeCursor(team=team, valid_keys={KEY}, minute_seconds=0.01)
    now_ms = int(END.timestamp() * 1000)
    with fake.transport() as transport:
        connected = service.connect_cursor(engine, settings, api_key=KEY, team_name="bench",
                                           transport=transport, now_ms=now_ms)  # fmt: skip
    with fake.transport() as transport:
        service.run_sync(engine, settings, integration_id=connected.integration_id, days=365,
                         transport=transport, now_ms=now_ms)  # fmt: skip
    with engine.connect() as conn:
        rows = alert_reads.person_days(conn, start=END.date() - timedelta(days=400),
                                       end=END.date())  # fmt: skip
    engine.dispose()
    return rows


def _errors(pairs: list[tuple[Decimal, Decimal]]) -> tuple[float, float, int]:
    """(MAPE %, bias %, n) of (forecast, actual) pairs with a non-zero actual."""
    ape, bias = [], []
    for forecast, actual in pairs:
        if actual > 0:
            ape.append(float(abs(forecast - actual) / actual) * 100)
            bias.append(float((forecast - actual) / actual) * 100)
    if not ape:
        return float("nan"), float("nan"), 0
    return statistics.fmean(ape), statistics.fmean(bias), len(ape)


def backtest(rows: list[alert_reads.PersonDay], *, first_day: date) -> None:
    team: dict[date, int] = defaultdict(int)
    person: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        team[r.day] += r.chargeable_ucents
        person[r.email][r.day] += r.chargeable_ucents
    cycles = []
    start = date(first_day.year, first_day.month, 1)
    while True:
        end = add_months(start, 1) - timedelta(days=1)
        if end >= END.date():
            break
        if start - timedelta(days=28) >= first_day:
            cycles.append((start, end))
        start = end + timedelta(days=1)
    print(f"\nForecast backtest: {len(cycles)} complete billing cycles "
          f"({cycles[0][0]} … {cycles[-1][1]}), on-demand spend")  # fmt: skip
    print(f"{'horizon':>8} {'scope':>7} {'n':>4} {'MAPE %':>8} {'bias %':>8} "
          f"{'naive MAPE %':>13} {'naive bias %':>13}")  # fmt: skip
    floor = to_micros(Decimal(100))  # people with at least $1 of on-demand in the cycle
    for k in HORIZONS:
        for scope in ("team", "person"):
            ours, naive = [], []
            series_list = [team] if scope == "team" else list(person.values())
            for start, end in cycles:
                as_of = datetime.combine(start + timedelta(days=k), dtime(0), tzinfo=UTC)
                for series in series_list:
                    actual_u = sum(v for d, v in series.items() if start <= d <= end)
                    if scope == "person" and actual_u < floor:
                        continue
                    seen = {d: v for d, v in series.items() if d < as_of.date()}
                    fc = forecast_period(seen, start=start, end=end, as_of=as_of)
                    actual = Decimal(actual_u) / 1_000_000
                    ours.append((fc.forecast_cents, actual))
                    naive.append((run_rate(seen, start=start, end=end, as_of=as_of), actual))
            m, b, n = _errors(ours)
            nm, nb, _ = _errors(naive)
            print(f"{'day ' + str(k):>8} {scope:>7} {n:>4} {m:>8.1f} {b:>+8.1f} {nm:>13.1f} "
                  f"{nb:>+13.1f}")  # fmt: skip


def noise(rows: list[alert_reads.PersonDay], *, first_day: date) -> None:
    usage: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    for r in rows:
        usage[r.email][r.day] += r.charged_ucents
        first[r.email] = min(first.get(r.email, r.day), r.day)
        last[r.email] = max(last.get(r.email, r.day), r.day)
    begin = first_day + timedelta(days=7 * WEEKS)
    print(f"\nAnomaly noise on the ordinary year ({begin} … {END.date()}), person rule:")
    print(f"{'min $':>6} {'anomalies':>10} {'person-weeks':>13} {'per 100 person-weeks':>21}")
    for dollars in (1, 5, 10, 25):
        min_u = to_micros(Decimal(dollars * 100))
        found, person_days = 0, 0
        for email, series in usage.items():
            day = max(begin, first[email])
            while day <= min(END.date(), last[email]):
                person_days += 1
                if detect(series, day, min_ucents=min_u, first_day=first[email]) is not None:
                    found += 1
                day += timedelta(days=1)
        weeks = person_days / 7
        print(f"{dollars:>6} {found:>10} {weeks:>13.0f} {100 * found / weeks:>21.2f}")


def recall(team: SyntheticTeam, rows: list[alert_reads.PersonDay], *, first_day: date,
           count: int, seed: int) -> None:  # fmt: skip
    """Inject fake spikes one by one into the ordinary series and count the caught ones."""
    usage: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    first: dict[str, date] = {}
    for r in rows:
        usage[r.email][r.day] += r.charged_ucents
        first[r.email] = min(first.get(r.email, r.day), r.day)
    rng = random.Random(seed)
    begin = first_day + timedelta(days=7 * WEEKS)
    candidates = [e for e in usage if first[e] <= begin]
    caught = 0
    amounts = []
    for _ in range(count):
        email = rng.choice(candidates)
        day = begin + timedelta(days=rng.randrange((END.date() - begin).days))
        spiked = SyntheticTeam(seed=team.seed, members=len(team.profiles), end_ms=team.end_ms,
                               days=team.days, history_days=team.days,
                               spikes=(Spike(email=email, day=(day - EPOCH).days),))  # fmt: skip
        lo = int(datetime.combine(day, dtime(0), tzinfo=UTC).timestamp() * 1000)
        hi = lo + 86_400_000 - 1
        extra = (spiked.expected_totals(start_ms=lo, end_ms=hi, email=email).charged_cents
                 - team.expected_totals(start_ms=lo, end_ms=hi, email=email).charged_cents)
        series = dict(usage[email])
        series[day] = series.get(day, 0) + to_micros(Decimal(extra))
        amounts.append(float(extra) / 100)
        if detect(series, day, min_ucents=to_micros(Decimal(2500)),
                  first_day=first[email]) is not None:  # fmt: skip
            caught += 1
    print(f"\nRecall: {caught} of {count} injected spikes caught at the $25 minimum "
          f"(spike adds ${statistics.median(amounts):.0f} median, "
          f"${min(amounts):.0f}–${max(amounts):.0f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--spikes", type=int, default=40)
    args = parser.parse_args()
    end_ms = int(END.timestamp() * 1000)
    team = SyntheticTeam(seed=args.seed, members=args.members, end_ms=end_ms, days=365,
                         history_days=365)  # fmt: skip
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        rows = sync_year(team, Path(tmp))
    first_day = min(r.day for r in rows)
    print(f"Synced {args.members} people × 365 days ({len(rows):,} person-days) in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    backtest(rows, first_day=first_day)
    noise(rows, first_day=first_day)
    recall(team, rows, first_day=first_day, count=args.spikes, seed=args.seed)


if __name__ == "__main__":
    main()

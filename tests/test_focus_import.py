"""Importing FOCUS files into the store: exact totals, all-or-nothing files, replacement."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from devspend.errors import FocusImportError
from devspend.focus.importer import FocusRowsError, import_focus
from devspend.money import join_money
from devspend.settings import Settings
from devspend.store.cloud_tables import cloud_costs, cloud_import_batches
from shared_data import FOCUS_DATA

DATA = FOCUS_DATA
SAMPLE = DATA / "focus-1.0-sample-1000.csv"
SAMPLE_FILES = sorted(DATA.rglob("*.csv"))
Totals = dict[tuple[str, str, str], tuple[Decimal, Decimal]]


def _money(text: str) -> Decimal:
    cleaned = text.replace("$", "").replace(",", "").strip()
    return Decimal(cleaned)


def independent_totals(paths: list[Path]) -> Totals:
    """Σ BilledCost and EffectiveCost per (file, provider, service), with csv + Decimal only."""
    totals: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
    for path in paths:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                key = (path.stem, row["ProviderName"], row.get("ServiceName") or "")
                totals[key][0] += _money(row["BilledCost"])
                effective = row.get("EffectiveCost", "").strip()
                totals[key][1] += _money(effective) if effective not in ("", "NULL") else 0
    return {k: (v[0], v[1]) for k, v in totals.items()}


def stored_totals(engine: sa.Engine) -> Totals:
    c, b = cloud_costs.c, cloud_import_batches.c
    file_stem = b.file_name
    query = (
        sa.select(
            file_stem, c.provider, c.service_name,
            sa.func.sum(c.billed_cost_nanos), sa.func.sum(c.billed_cost_picos),
            sa.func.sum(sa.func.coalesce(c.effective_cost_nanos, 0)),
            sa.func.sum(sa.func.coalesce(c.effective_cost_picos, 0)),
        )
        .join(cloud_import_batches, b.id == c.batch_id)
        .group_by(file_stem, c.provider, c.service_name)
    )
    with engine.connect() as conn:
        return {
            (_stem(name), provider, service or ""): (join_money(bn, bp), join_money(en, ep))
            for name, provider, service, bn, bp, en, ep in conn.execute(query)
        }


def _stem(file_name: str) -> str:
    return file_name.removesuffix(".gz").removesuffix(".csv").removesuffix(".parquet")


def snapshot(engine: sa.Engine) -> tuple[int, int, Totals]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(cloud_costs)).scalar_one()
        batches = conn.execute(
            sa.select(sa.func.count()).select_from(cloud_import_batches)
        ).scalar_one()
    return rows, batches, stored_totals(engine)


def _gzip_copy(path: Path, folder: Path) -> Path:
    target = folder / f"{path.stem}.csv.gz"
    target.write_bytes(gzip.compress(path.read_bytes()))
    return target


def _parquet_copy(path: Path, folder: Path) -> Path:
    """A Parquet file of the CSV's cells as strings (the importer parses them as for CSV)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    columns = {name: [r[i] for r in body] for i, name in enumerate(header)}
    target = folder / f"{path.stem}.parquet"
    pq.write_table(pa.table(columns), target)
    return target


@pytest.mark.parametrize("variant", ["csv", "gzip", "parquet"])
def test_every_sample_file_imports_with_exact_totals(
    engine: sa.Engine, settings: Settings, tmp_path: Path, variant: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in SAMPLE_FILES:
        if variant == "csv":
            shutil.copy(path, folder / path.name)
        elif variant == "gzip":
            _gzip_copy(path, folder)
        else:
            _parquet_copy(path, folder)
    report = import_focus(engine, [folder], settings=settings)
    assert len(report.files) == len(SAMPLE_FILES) == 16
    assert report.rows == 1056
    assert stored_totals(engine) == independent_totals(SAMPLE_FILES)


def test_the_1000_row_sample_matches_an_independent_sum_per_provider_and_service(
    engine: sa.Engine, settings: Settings
) -> None:
    import_focus(engine, [SAMPLE], settings=settings)
    expected = independent_totals([SAMPLE])
    assert stored_totals(engine) == expected
    by_provider: dict[str, Decimal] = defaultdict(Decimal)
    for (_file, provider, _service), (billed, _eff) in expected.items():
        by_provider[provider] += billed
    assert set(by_provider) == {"AWS", "Microsoft", "Oracle"}
    with engine.connect() as conn:
        ids = conn.execute(sa.select(cloud_costs.c.billing_account_id).distinct()).scalars()
        assert "1234567890123" in set(ids)


def test_typed_parquet_with_decimal_money_and_timestamps(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    with SAMPLE.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    money = pa.decimal128(38, 12)

    def column(name: str) -> pa.Array:
        values = [None if r[name] in ("", "NULL") else r[name] for r in rows]
        if name in ("BilledCost", "EffectiveCost"):
            return pa.array([Decimal(v) if v else None for v in values], type=money)
        if name.endswith(("PeriodStart", "PeriodEnd")):
            return pa.array(values).cast(pa.timestamp("s"))
        return pa.array(values, type=pa.string())

    target = tmp_path / "typed.parquet"
    names = list(rows[0])
    pq.write_table(pa.table({n: column(n) for n in names}), target, row_group_size=300)
    import_focus(engine, [target], settings=settings, chunk_rows=128)
    stored = {k[1:]: v for k, v in stored_totals(engine).items()}
    assert stored == {k[1:]: v for k, v in independent_totals([SAMPLE]).items()}


def test_reimporting_the_same_export_replaces_it(engine: sa.Engine, settings: Settings) -> None:
    import_focus(engine, [SAMPLE], settings=settings)
    before = snapshot(engine)
    report = import_focus(engine, [SAMPLE], settings=settings)
    assert report.files[0].replaced_rows == 1000
    assert snapshot(engine) == before


def _write_focus(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """A minimal FOCUS CSV: (account, billing month, service, billed cost) per row."""
    lines = [
        "BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,"
        "BilledCost,BillingCurrency,ProviderName,ServiceName,ChargeCategory,Tags"
    ]
    for account, month, service, cost in rows:
        lines.append(
            f"{account},{month}-01T00:00:00Z,,{month}-02T00:00:00Z,{month}-03T00:00:00Z,"
            f'{cost},USD,AWS,{service},usage,"{{""owner"": ""alice@example.com""}}"'
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def _billed_by_account_month(engine: sa.Engine) -> dict[tuple[str, str], Decimal]:
    c = cloud_costs.c
    query = sa.select(
        c.billing_account_id, c.billing_period_start,
        sa.func.sum(c.billed_cost_nanos), sa.func.sum(c.billed_cost_picos),
    ).group_by(c.billing_account_id, c.billing_period_start)  # fmt: skip
    with engine.connect() as conn:
        return {
            (str(a), str(p)[:7]): join_money(n, q) for a, p, n, q in conn.execute(query)
        }


def test_newer_delivery_replaces_only_its_account_and_period(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    first = _write_focus(tmp_path / "v1.csv", [
        ("111", "2025-01", "EC2", "10.00"), ("111", "2025-01", "S3", "5.00"),
        ("111", "2025-02", "EC2", "7.00"), ("222", "2025-01", "EC2", "3.00"),
    ])  # fmt: skip
    import_focus(engine, [first], settings=settings)
    newer = _write_focus(tmp_path / "v2.csv", [("111", "2025-01", "EC2", "12.50")])
    import_focus(engine, [newer], settings=settings)
    assert _billed_by_account_month(engine) == {
        ("111", "2025-01"): Decimal("12.50"),
        ("111", "2025-02"): Decimal("7.00"),
        ("222", "2025-01"): Decimal("3.00"),
    }


def test_parts_of_one_delivery_add_up_and_duplicates_count_once(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    part1 = _write_focus(tmp_path / "part-1.csv", [("111", "2025-01", "EC2", "1.25")])
    part2 = _write_focus(tmp_path / "part-2.csv", [("111", "2025-01", "S3", "2.50")])
    copy = tmp_path / "copy-of-part-1.csv"
    shutil.copy(part1, copy)
    for _ in range(2):
        report = import_focus(engine, [part1, part2, copy], settings=settings)
        assert report.files[2].duplicate_of == part1
        assert _billed_by_account_month(engine) == {("111", "2025-01"): Decimal("3.75")}


def test_account_name_overrides_the_replacement_key(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    a = _write_focus(tmp_path / "a.csv", [("111", "2025-01", "EC2", "1")])
    b = _write_focus(tmp_path / "b.csv", [("222", "2025-01", "EC2", "2")])
    import_focus(engine, [a], settings=settings, account_name="acme")
    import_focus(engine, [b], settings=settings, account_name="acme")
    assert _billed_by_account_month(engine) == {("222", "2025-01"): Decimal("2")}
    with engine.connect() as conn:
        assert conn.execute(sa.select(cloud_import_batches.c.account)).scalars().all() == [
            "acme"
        ]


def _malformed(kind: str, folder: Path) -> Path:
    good = SAMPLE.read_bytes()
    path = folder / f"{kind}.csv"
    if kind == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif kind == "truncated-gzip":
        data = gzip.compress(good)
        path = folder / "cut.csv.gz"
        path.write_bytes(data[: len(data) // 2])
    elif kind == "semicolons":
        path.write_bytes(good.replace(b'","', b'";"'))
    elif kind == "garbage-column":
        with SAMPLE.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        column = rows[0].index("BilledCost")
        for number, row in enumerate(rows[1:]):
            row[column] = f"#{number:x}garbage"
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    elif kind == "50mb-line":
        path.write_bytes(good[:20_000] + b"\n" + b"9" * (50 * 1024 * 1024) + b"\n")
    return path


@pytest.mark.parametrize(
    "kind", ["truncated", "truncated-gzip", "semicolons", "garbage-column", "50mb-line"]
)
def test_malformed_input_is_refused_and_the_store_is_unchanged(
    engine: sa.Engine, settings: Settings, tmp_path: Path, kind: str
) -> None:
    import_focus(engine, [DATA / "spec-examples"], settings=settings)
    before = snapshot(engine)
    with pytest.raises(FocusImportError) as error:
        import_focus(engine, [_malformed(kind, tmp_path)], settings=settings)
    assert str(tmp_path) in str(error.value)
    assert snapshot(engine) == before


def test_every_bad_row_is_reported_with_file_line_and_reason(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    path = _write_focus(tmp_path / "bad.csv", [
        ("111", "2025-01", "EC2", "1.00"), ("111", "2025-01", "EC2", "lots"),
        ("111", "2025-01", "EC2", "2.00"), ("111", "2025-01", "EC2", ""),
    ])  # fmt: skip
    with path.open("a") as handle:
        handle.write("111,2025-01-01,,2025-01-05,2025-01-04,1,USD,AWS,EC2,Refund,\n")
    with pytest.raises(FocusRowsError) as error:
        import_focus(engine, [path], settings=settings)
    problems = [(p.line, p.reason) for p in error.value.problems]
    assert [line for line, _ in problems] == [3, 5, 6]
    assert "BilledCost" in problems[0][1]
    assert "lots" in problems[0][1]
    assert "BilledCost is empty" in problems[1][1]
    assert "before its start" in problems[2][1]
    assert f"{path}:3:" in str(error.value)
    assert snapshot(engine)[0] == 0


def test_a_bad_file_stops_the_run_but_earlier_files_stay(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    _write_focus(tmp_path / "a-good.csv", [("111", "2025-01", "EC2", "1.00")])
    _write_focus(tmp_path / "b-bad.csv", [("222", "2025-01", "EC2", "x")])
    later = _write_focus(tmp_path / "c-later.csv", [("333", "2025-01", "EC2", "3.00")])
    with pytest.raises(FocusRowsError, match=r"imported before it in this run: a-good.csv"):
        import_focus(engine, [tmp_path], settings=settings)
    assert later.exists()
    assert _billed_by_account_month(engine) == {("111", "2025-01"): Decimal("1.00")}


def test_owner_comes_from_the_configured_tag_key_in_either_tag_shape(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "gcp.csv"
    path.write_text(
        "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceProviderName,"
        "ChargeCategory,ChargeFrequency,Tags\n"
        '1,USD,2025-03-01,2025-03-02,Google Cloud,usage,usage-based,'
        '"[{""key"": ""Team"", ""value"": ""Platform""}]"\n'
        '2,USD,2025-03-01,2025-03-02,Google Cloud,USAGE,Usage-Based,"{""team"": ""web""}"\n'
        "4,USD,2025-03-01,2025-03-02,Google Cloud,Usage,Usage-Based,\n"
    )
    team_settings = settings.model_copy(update={"owner_tag_key": "team"})
    report = import_focus(engine, [path], settings=team_settings)
    assert report.files[0].focus_version == "1.3"
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                cloud_costs.c.owner, cloud_costs.c.provider, cloud_costs.c.charge_category,
                cloud_costs.c.charge_frequency, cloud_costs.c.billing_period_start,
            ).order_by(cloud_costs.c.line)
        ).all()  # fmt: skip
    assert [r[0] for r in rows] == ["Platform", "web", None]
    assert {(r[1], r[2], r[3], str(r[4])) for r in rows} == {
        ("Google Cloud", "Usage", "Usage-Based", "2025-03-01")
    }


def test_concurrent_deliveries_of_one_period_never_add_up(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    deliveries = [
        _write_focus(tmp_path / f"v{i}.csv", [("111", "2025-01", "EC2", f"{i}.00")] * 50)
        for i in range(1, 5)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda p: import_focus(engine, [p], settings=settings), deliveries))
    [(key, total)] = _billed_by_account_month(engine).items()
    assert key == ("111", "2025-01")
    assert total in {Decimal(50 * i) for i in range(1, 5)}


def test_a_hand_made_oci_file_keeps_ids_money_text_custom_columns_and_the_raw_row(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "oci.csv"
    path.write_bytes(
        (
            "\ufeffBillingAccountId,BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,"
            "ProviderName,ServiceName,ChargeCategory,oci_BackReferenceNumber,Tags\n"
            # Azure-style repeated BOM on the first data row; no seconds, no Z; lower-case enum
            '\ufeff001234567890,"$1,234.00 ",usd,2025-01-01T00:00,2025-01-01T01:00Z,Oracle,'
            "Compute,usage,BRN-1,NULL\n"
            '001234567890,(5.25),USD,2025-01-01 01:00:00.000,2025-01-01 02:00:00,Oracle,Compute,'
            'CREDIT,NULL,"{""owner"": ""a@example.com""}"\n'
        ).encode()
    )
    import_focus(engine, [path], settings=settings)
    c = cloud_costs.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                c.billing_account_id, c.billed_cost_text, c.billed_cost_nanos,
                c.billed_cost_picos, c.billing_currency, c.charge_category, c.day, c.owner,
                c.raw,
            ).order_by(c.line)
        ).all()  # fmt: skip
    assert [r.billing_account_id for r in rows] == ["001234567890"] * 2
    assert [r.billed_cost_text for r in rows] == ["$1,234.00", "(5.25)"]
    assert [join_money(r.billed_cost_nanos, r.billed_cost_picos) for r in rows] == [
        Decimal("1234.00"), Decimal("-5.25"),
    ]  # fmt: skip
    assert [(r.billing_currency, r.charge_category) for r in rows] == [
        ("USD", "Usage"), ("USD", "Credit"),
    ]  # fmt: skip
    assert {str(r.day) for r in rows} == {"2025-01-01"}
    assert [r.owner for r in rows] == [None, "a@example.com"]
    first, second = (json.loads(r.raw) for r in rows)
    assert first["BillingAccountId"] == "001234567890"
    assert first["BilledCost"] == "$1,234.00 "
    assert first["oci_BackReferenceNumber"] == "BRN-1"
    assert "Tags" not in first  # NULL is not a value
    assert "oci_BackReferenceNumber" not in second
    assert second["Tags"] == '{"owner": "a@example.com"}'


def test_a_repeated_bad_value_is_reported_on_every_row(
    engine: sa.Engine, settings: Settings, tmp_path: Path
) -> None:
    path = _write_focus(tmp_path / "bad.csv", [("111", "2025-01", "EC2", "1.00")] * 3)
    text = path.read_text().splitlines()
    text[2] = text[2].replace(",usage,", ",Refund,")
    text[3] = text[3].replace(",usage,", ",Refund,")
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(FocusRowsError) as error:
        import_focus(engine, [path], settings=settings)
    assert [(p.line, "Refund" in p.reason) for p in error.value.problems] == [
        (3, True), (4, True),
    ]  # fmt: skip

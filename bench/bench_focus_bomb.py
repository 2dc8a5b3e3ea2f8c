"""Peak RSS and CPU of importing hostile FOCUS files: a gzip bomb and a blank-line flood.

    .venv/bin/python bench/bench_focus_bomb.py                 # 2 GiB line, 1 MB of blank lines
    .venv/bin/python bench/bench_focus_bomb.py --line-mib 256  # quick run

Writes (streamed, never in memory) a ``.csv.gz`` holding a FOCUS header and then one
line of ``--line-mib`` MiB, a ``.csv.gz`` of about ``--blank-kb`` KB holding a header
and nothing but blank lines, and a small Parquet file repeating one 1 MB dictionary
value on ``--parquet-rows`` rows (a terabyte of text once decoded). Each is imported
by ``devspend import focus`` in a child process on a throw-away SQLite data dir, once
with the default limits and (the CSV ones) once with the decompression caps switched
off (ratio 10⁶, size 1 TB), so the bounded line reads and the blank-run limit are
measured on their own. Prints the child's peak RSS
(``ru_maxrss``), CPU seconds, exit status and the first line of its message; a tiny
valid file gives the baseline RSS of the process itself. Aim: ≤ 300 MB whatever the file.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = b"BillingPeriodStart,ChargePeriodStart,ChargePeriodEnd,BilledCost,BillingCurrency\n"
ROW = b"2025-02-01,2025-02-01,2025-02-02,1.50,USD\n"
BLOCK = 16 << 20


def write_bomb(path: Path, line_mib: int) -> None:
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(HEADER)
        block = b"9" * BLOCK
        for _ in range((line_mib << 20) // BLOCK):
            handle.write(block)
        handle.write(b"\n")


def write_blank_flood(path: Path, target_kb: int) -> int:
    """Blank lines until the compressed file is about ``target_kb`` KB; return lines."""
    block = b"\n" * BLOCK
    lines = 0
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9) as gz:
        gz.write(HEADER)
        while raw.tell() < target_kb * 1000:
            gz.write(block)
            lines += BLOCK
    return lines


def write_parquet_bomb(path: Path, rows: int) -> None:
    """One dictionary value of 1 MB minus a bit on every row: ~``rows`` MB of text, tiny file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    indices = pa.array([0] * rows, pa.int32())
    table = pa.table({
        "BilledCost": pa.DictionaryArray.from_arrays(indices, pa.array(["1.5"])),
        "BillingCurrency": pa.DictionaryArray.from_arrays(indices, pa.array(["USD"])),
        "ServiceName": pa.DictionaryArray.from_arrays(indices, pa.array(["x" * 1_000_000])),
    })  # fmt: skip
    pq.write_table(table, path, compression="zstd")


def run_import(
    path: Path, data_dir: Path, env_extra: dict[str, str]
) -> tuple[float, float, int, str]:
    """(peak RSS MB, CPU s, exit status, first message line) of one ``import focus``."""
    env = {**os.environ, "DEVSPEND_DATA_DIR": str(data_dir), "DEVSPEND_SECRET_KEY": "x" * 32,
           **env_extra}  # fmt: skip
    env.pop("DEVSPEND_DATABASE_URL", None)
    cli = Path(sys.executable).with_name("devspend")
    process = subprocess.Popen(
        [str(cli), "import", "focus", str(path)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = [" ".join(line.split()) for line in output.splitlines() if line.strip()]
    message = " ".join(lines)[:150]
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, process.returncode, message


WEB_UPLOAD = """
import re, resource, sys, time
from datetime import UTC, datetime
from pathlib import Path
from fastapi.testclient import TestClient
from devspend.settings import load_settings
from devspend.web import identity
from devspend.web.app import create_app

data_dir, bomb = Path(sys.argv[1]), Path(sys.argv[2])
settings = load_settings(data_dir=data_dir, secret_key="x" * 32)
app = create_app(settings)
identity.add_user(app.state.engine, email="admin@example.com", password="bench password 1",
                  role="admin", now=datetime.now(UTC))
csrf = re.compile(r'name="csrf_token" value="([^"]+)"')
with TestClient(app, base_url="http://localhost", follow_redirects=False) as client:
    token = csrf.search(client.get("/login").text).group(1)
    client.post("/login", data={"email": "admin@example.com", "password": "bench password 1",
                                "csrf_token": token, "next": "/"})
    token = csrf.search(client.get("/settings/cloud-costs").text).group(1)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with bomb.open("rb") as body:
        response = client.post("/settings/cloud-costs/import",
                               data={"csrf_token": token, "account_name": ""},
                               files=[("files", (bomb.name, body, "application/gzip"))])
    refused = "decompression bomb" in response.text or "blank lines" in response.text
    print(f"HTTP {response.status_code}, refused: {refused}; RSS before upload {before:.0f}MB")
"""


def run_web_upload(path: Path, data_dir: Path) -> tuple[float, float, int, str]:
    """The same, uploaded to the web app (in a child process, through its real routes)."""
    process = subprocess.Popen([sys.executable, "-c", WEB_UPLOAD, str(data_dir), str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    _pid, status, usage = os.wait4(process.pid, 0)
    lines = [line for line in output.splitlines() if line.strip()]
    message = (lines[-1] if lines else "")[:150]
    cpu = usage.ru_utime + usage.ru_stime
    return usage.ru_maxrss / 1024, cpu, os.waitstatus_to_exitcode(status), message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--line-mib", type=int, default=2048, help="length of the bomb's line")
    parser.add_argument("--blank-kb", type=int, default=1000, help="compressed size of the flood")
    parser.add_argument("--parquet-rows", type=int, default=1_000_000,
                        help="rows of the Parquet dictionary bomb")
    args = parser.parse_args()
    caps_off = {"DEVSPEND_FOCUS_MAX_COMPRESSION_RATIO": "1000000",
                "DEVSPEND_FOCUS_MAX_UNCOMPRESSED_MB": "1000000"}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="devspend-bomb-") as folder:
        root = Path(folder)
        started = time.perf_counter()
        bomb, flood, tiny = root / "bomb.csv.gz", root / "blank.csv.gz", root / "tiny.csv"
        parquet = root / "dictionary.parquet"
        write_bomb(bomb, args.line_mib)
        lines = write_blank_flood(flood, args.blank_kb)
        write_parquet_bomb(parquet, args.parquet_rows)
        tiny.write_bytes(HEADER + ROW)
        print(f"generated in {time.perf_counter() - started:.1f}s: "
              f"bomb {bomb.stat().st_size / 1e6:.2f} MB → one {args.line_mib:,} MiB line; "
              f"flood {flood.stat().st_size / 1e6:.2f} MB → {lines:,} blank lines; "
              f"Parquet {parquet.stat().st_size / 1e6:.2f} MB → {args.parquet_rows:,} rows "
              "of a 1 MB value")  # fmt: skip
        cases = [
            ("baseline (1 valid row)", tiny, {}),
            ("gzip bomb, default limits", bomb, {}),
            ("gzip bomb, decompression caps off", bomb, caps_off),
            ("blank lines, default limits", flood, {}),
            ("blank lines, decompression caps off", flood, caps_off),
            ("Parquet dictionary bomb, default limits", parquet, {}),
        ]
        print(f"{'case':42} {'peak RSS':>10} {'CPU':>8} {'exit':>5}  message")
        for number, (name, path, extra) in enumerate(cases):
            rss, cpu, code, message = run_import(path, root / f"data{number}", extra)
            print(f"{name:42} {rss:8.0f}MB {cpu:7.2f}s {code:5}  {message}")
        for number, (name, path) in enumerate((("web upload: gzip bomb", bomb),
                                                ("web upload: blank lines", flood))):  # fmt: skip
            rss, cpu, code, message = run_web_upload(path, root / f"web{number}")
            print(f"{name:42} {rss:8.0f}MB {cpu:7.2f}s {code:5}  {message}")


if __name__ == "__main__":
    main()

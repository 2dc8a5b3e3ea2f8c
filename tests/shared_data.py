"""Where the read-only ``shared/`` folder is: beside the checkout (as on CI), else /work/shared."""

from __future__ import annotations

from pathlib import Path


def _shared_dir() -> Path:
    beside_checkout = Path(__file__).resolve().parents[2] / "shared"
    if beside_checkout.is_dir():
        return beside_checkout
    return Path("/work/shared")


SHARED = _shared_dir()
FOCUS_DATA = SHARED / "data" / "focus"
FOCUS_SAMPLE = FOCUS_DATA / "focus-1.0-sample-1000.csv"

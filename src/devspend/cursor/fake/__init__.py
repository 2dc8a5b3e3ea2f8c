"""A faithful fake of Cursor's Admin API, fed by a deterministic synthetic team.

Use :class:`SyntheticTeam` for ground truth, :class:`FakeCursor` for the API's
behaviour (keys, limits, faults, clock), then either ``fake.transport()`` (sync,
in-process) or :func:`serve_fake_cursor` (real loopback socket).
"""

from devspend.cursor.fake.app import create_fake_app
from devspend.cursor.fake.fake import FakeCursor, LoggedRequest
from devspend.cursor.fake.faults import FaultConfig
from devspend.cursor.fake.generator import Spike
from devspend.cursor.fake.server import serve_fake_cursor
from devspend.cursor.fake.team import SyntheticTeam
from devspend.cursor.fake.totals import Tally, Totals

__all__ = [
    "FakeCursor",
    "FaultConfig",
    "LoggedRequest",
    "Spike",
    "SyntheticTeam",
    "Tally",
    "Totals",
    "create_fake_app",
    "serve_fake_cursor",
]

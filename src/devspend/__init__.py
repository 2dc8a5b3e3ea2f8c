"""devspend: where a team's Cursor AI spend goes, next to its cloud bill."""

__version__ = "0.1.0"

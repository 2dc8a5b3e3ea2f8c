"""Cost per outcome — per accepted AI line and per AI-assisted commit on the primary
branch — hidden below minimum counts so nobody mistakes a ratio of two small numbers for a
finding, with the reason said in words."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, computed_field

from devspend.reports.adoption import Cents

if TYPE_CHECKING:
    from devspend.reports.ai_code import AiCodeFigures

CENT = Decimal("0.0001")


class OutcomeRatios(BaseModel):
    """Cost per outcome, hidden (None) below the minimum counts, with the reason."""

    cost_per_accepted_ai_line_cents: Cents | None = None
    cost_per_ai_commit_cents: Cents | None = None
    """Per AI-assisted commit on the primary branch."""
    hidden: list[str] = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cost_per_1k_accepted_ai_lines_cents(self) -> Cents | None:
        """The same per 1,000 lines, for tables (a line costs a fraction of a cent)."""
        per_line = self.cost_per_accepted_ai_line_cents
        return None if per_line is None else per_line * 1000


def ratios(figures: AiCodeFigures, *, min_lines: int, min_commits: int) -> OutcomeRatios:
    """Cost per accepted AI line and per primary AI-assisted commit, or why not shown."""
    hidden: list[str] = []
    per_line = per_commit = None
    if figures.accepted_ai_lines >= min_lines and figures.accepted_ai_lines > 0:
        per_line = (figures.cost_cents / figures.accepted_ai_lines).quantize(CENT)
    else:
        hidden.append(f"cost per accepted AI line hidden: {figures.accepted_ai_lines} "
                      f"accepted AI lines, fewer than {min_lines}")  # fmt: skip
    if figures.primary_ai_commits >= min_commits and figures.primary_ai_commits > 0:
        per_commit = (figures.cost_cents / figures.primary_ai_commits).quantize(CENT)
    else:
        hidden.append(f"cost per AI-assisted commit hidden: {figures.primary_ai_commits} "
                      f"on the primary branch, fewer than {min_commits}")  # fmt: skip
    return OutcomeRatios(cost_per_accepted_ai_line_cents=per_line,
                         cost_per_ai_commit_cents=per_commit, hidden=hidden)  # fmt: skip

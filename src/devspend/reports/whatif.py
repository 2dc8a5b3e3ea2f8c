"""What-if re-pricing: a period's token usage of one model, priced as if made on another.

For the token-based events of ``FROM`` (optionally only Max mode, or only some people):

- *actual* = Σ their ``chargedCents`` (usage value);
- *observed markup* of a model = Σ ``chargedCents`` of the team's own token-based events
  of that model ÷ their list price (genai-prices, ``reports.prices``): Cursor's rate on
  top of the provider's list price, measured, not assumed;
- *re-priced* = the same four token counts at ``TO``'s list price × ``TO``'s observed
  markup (``FROM``'s when the team never used ``TO``; ``markup_source`` says which);
- *saving* = actual − re-priced (negative: it would have cost more).

Request-based events have no tokens and stay as they are (counted, not re-priced). A
model genai-prices does not know (Cursor's ``composer-1``, ``default``) makes the
figures that need its price unknown (None), never guessed. Quality is not priced: the
other model might have needed more or fewer tokens, or not done the job.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from devspend.money import from_micros
from devspend.reports.adoption import Cents, filter_emails
from devspend.reports.filters import ReportFilter
from devspend.reports.prices import UnitPrices, custom_unit_prices, unit_prices
from devspend.reports.tables import Column, Table
from devspend.store.model_prices import model_price_list
from devspend.store.whatif import ModelTokens, tokens_by_model

CENT = Decimal("0.0001")
RATIO = Decimal("0.0001")
CAVEATS = (
    "Quality is not priced: the other model may need more or fewer tokens, or fail the task.",
    "Request-based events have no token counts and stay as they are.",
    "List prices are genai-prices' base tier; long-context tiers are not applied.",
)


class WhatIf(BaseModel):
    from_model: str
    to_model: str
    max_mode: bool | None
    """True/False: only Max-mode (or only normal) events of FROM; None: all."""
    token_events: int
    input_tokens: int
    output_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    request_events_unchanged: int
    actual_cents: Cents
    from_list_cents: Cents | None
    from_markup: Decimal | None
    to_list_cents: Cents | None
    to_markup: Decimal | None
    markup_source: str | None
    """Whose observed markup re-prices: ``to_model`` (measured on it) or ``from_model``."""
    repriced_cents: Cents | None
    saving_cents: Cents | None
    priced_as: dict[str, str | None]
    """Cursor model → the genai-prices model it was priced as (None: unknown price)."""
    caveats: list[str]


class WhatIfView(BaseModel):
    start: date
    end: date
    result: WhatIf


class WhatIfSuggestions(BaseModel):
    """For each model used, the cheapest other priced model in use: the Models page section."""

    start: date
    end: date
    rows: list[WhatIf]
    unknown_models: list[str]
    """Models used in the period with no list price (not re-priced)."""
    caveats: list[str] = list(CAVEATS)

    def tables(self) -> list[Table]:
        return [Table("rows", "What if", WhatIf, self.rows, [
            Column("Model", "from_model"), Column("As", "to_model"),
            Column("Token events", "token_events", "count"),
            Column("Actual", "actual_cents", "money"),
            Column("Re-priced", "repriced_cents", "money"),
            Column("Saving", "saving_cents", "money"),
        ])]  # fmt: skip


def _list_cents(prices: UnitPrices | None, t: ModelTokens) -> Decimal | None:
    if prices is None:
        return None
    return prices.cents(input_tokens=t.input_tokens, output_tokens=t.output_tokens,
                        cache_write_tokens=t.cache_write_tokens,
                        cache_read_tokens=t.cache_read_tokens)  # fmt: skip


def _sum(rows: list[ModelTokens], model: str) -> ModelTokens:
    mine = [r for r in rows if r.model == model]
    return ModelTokens(model, False, *(sum(getattr(r, f) for r in mine) for f in (
        "token_events", "input_tokens", "output_tokens", "cache_write_tokens",
        "cache_read_tokens", "token_charged_ucents", "token_billed_ucents", "request_events",
        "request_charged_ucents")))  # fmt: skip


Prices = Mapping[str, UnitPrices]


def added_prices(conn: Connection) -> dict[str, UnitPrices]:
    """The prices admins added, by model."""
    return {p.model: custom_unit_prices(p) for p in model_price_list(conn)}


def _markup(rows: list[ModelTokens], model: str, custom: Prices) -> Decimal | None:
    whole = _sum(rows, model)
    listed = _list_cents(unit_prices(model, custom), whole)
    if not whole.token_events or not listed:
        return None
    return (from_micros(whole.token_charged_ucents) / listed).quantize(RATIO)


def whatif(
    rows: list[ModelTokens], *, from_model: str, to_model: str, max_mode: bool | None = None,
    custom: Prices | None = None,
) -> WhatIf:  # fmt: skip
    """Re-price ``from_model``'s tokens among ``rows`` (the period's, for the markups);
    ``custom`` are the prices admins added."""
    custom = custom or {}
    matched = [r for r in rows if r.model == from_model
               and (max_mode is None or r.max_mode is max_mode)]  # fmt: skip
    t = _sum(matched, from_model)
    from_prices, to_prices = unit_prices(from_model, custom), unit_prices(to_model, custom)
    from_list, to_list = _list_cents(from_prices, t), _list_cents(to_prices, t)
    from_markup, to_markup = _markup(rows, from_model, custom), _markup(rows, to_model, custom)
    source: str | None = to_model if to_markup is not None else None
    if to_markup is None and from_markup is not None:
        to_markup, source = from_markup, from_model
    actual = from_micros(t.token_charged_ucents)
    repriced = None
    if to_list is not None and to_markup is not None:
        repriced = (to_list * to_markup).quantize(CENT)
    elif to_list is not None and not t.token_events:
        repriced = Decimal(0)
    return WhatIf(
        from_model=from_model, to_model=to_model, max_mode=max_mode,
        token_events=t.token_events, input_tokens=t.input_tokens, output_tokens=t.output_tokens,
        cache_write_tokens=t.cache_write_tokens, cache_read_tokens=t.cache_read_tokens,
        request_events_unchanged=t.request_events, actual_cents=actual,
        from_list_cents=None if from_list is None else from_list.quantize(CENT),
        from_markup=from_markup,
        to_list_cents=None if to_list is None else to_list.quantize(CENT),
        to_markup=to_markup, markup_source=source, repriced_cents=repriced,
        saving_cents=None if repriced is None else actual - repriced,
        priced_as={from_model: from_prices.priced_as if from_prices else None,
                   to_model: to_prices.priced_as if to_prices else None},
        caveats=list(CAVEATS),
    )  # fmt: skip


def build_whatif(
    conn: Connection, *, start: date, end: date, from_model: str, to_model: str,
    max_mode: bool | None = None, integration_id: int | None = None,
    emails: Collection[str] | None = None,
) -> WhatIfView:  # fmt: skip
    """``devspend whatif``: one re-pricing over a period (for everyone, or some people)."""
    rows = tokens_by_model(conn, start=start, end=end, integration_id=integration_id,
                           emails=emails)  # fmt: skip
    return WhatIfView(start=start, end=end, result=whatif(
        rows, from_model=from_model, to_model=to_model, max_mode=max_mode,
        custom=added_prices(conn)))  # fmt: skip


def build_suggestions(
    conn: Connection, *, start: date, end: date, integration_id: int | None = None,
    emails: Collection[str] | None = None,
) -> WhatIfSuggestions:  # fmt: skip
    """Every priced model used, re-priced on the cheapest other priced model in use."""
    rows = tokens_by_model(conn, start=start, end=end, integration_id=integration_id,
                           emails=emails)  # fmt: skip
    custom = added_prices(conn)
    used = sorted({r.model for r in rows if r.token_events})
    priced = [m for m in used if unit_prices(m, custom) is not None]
    found: list[WhatIf] = []
    for source in priced:
        options = [whatif(rows, from_model=source, to_model=target, custom=custom)
                   for target in priced if target != source]  # fmt: skip
        best = max((o for o in options if o.saving_cents is not None),
                   key=lambda o: o.saving_cents or Decimal(0), default=None)  # fmt: skip
        if best is not None:
            found.append(best)
    found.sort(key=lambda w: -(w.saving_cents or Decimal(0)))
    return WhatIfSuggestions(start=start, end=end, rows=found,
                             unknown_models=[m for m in used if m not in priced])  # fmt: skip


def build_whatif_report(conn: Connection, flt: ReportFilter) -> WhatIfSuggestions:
    """:func:`build_suggestions` for a report filter (the Models page's What-if section)."""
    return build_suggestions(conn, start=flt.start, end=flt.end,
                             integration_id=flt.integration_id,
                             emails=filter_emails(conn, flt))  # fmt: skip

"""List prices of LLM models from **genai-prices** (a versioned price database), in cents.

Cursor names models its own way (``claude-4.5-sonnet``, ``gpt-5-high``,
``claude-4.5-sonnet-thinking``); :func:`price_refs` turns a Cursor name into the
names genai-prices knows (``claude-sonnet-4-5``, ``gpt-5``), tried in order. A model
the package lacks — Cursor's own ``composer-1`` or ``default`` (Auto) — has no price
unless an admin added one (``devspend prices set``): :func:`unit_prices` returns None and
every figure built on it is unknown, never guessed. Prices are the base tier per token
(priced on a small request, so long-context tiers are not applied) from the package's
bundled snapshot: no network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from genai_prices import Usage, calc_price

from devspend.store.model_prices import ModelPrice

_PROBE = 1000
_CLAUDE = re.compile(r"^claude-(\d+(?:\.\d+)?)-(sonnet|opus|haiku)(.*)$")
_EFFORT = re.compile(r"-(thinking|high|medium|low|minimal|max|fast)$")


@dataclass(frozen=True, slots=True)
class UnitPrices:
    """List cents per token of each kind, and the package's id of the model priced."""

    input: Decimal
    output: Decimal
    cache_write: Decimal
    cache_read: Decimal
    priced_as: str

    def cents(self, *, input_tokens: int, output_tokens: int, cache_write_tokens: int,
              cache_read_tokens: int) -> Decimal:  # fmt: skip
        """List price of these tokens, in cents."""
        return (self.input * input_tokens + self.output * output_tokens
                + self.cache_write * cache_write_tokens + self.cache_read * cache_read_tokens)


def price_refs(model: str) -> list[str]:
    """Names to look a Cursor model up by, most specific first."""
    refs = [model]
    base = model
    while (stripped := _EFFORT.sub("", base)) != base:  # reasoning effort is priced the same
        base = stripped
        refs.append(base)
    if match := _CLAUDE.match(base):
        version, family, rest = match.groups()
        refs.append(f"claude-{family}-{version.replace('.', '-')}{rest}")
    return list(dict.fromkeys(refs))


def _cents_per_token(usage: Usage, ref: str, part: str) -> tuple[Decimal, str]:
    calc = calc_price(usage, ref)
    return Decimal(getattr(calc, part)) * 100 / _PROBE, str(calc.model.id)


def custom_unit_prices(price: ModelPrice) -> UnitPrices:
    """An admin's price (micro-cents per million tokens) as cents per token."""
    per_token = Decimal(10) ** 12  # micro-cents → cents (10⁶) and per million tokens (10⁶)
    return UnitPrices(Decimal(price.input) / per_token, Decimal(price.output) / per_token,
                      Decimal(price.cache_write) / per_token,
                      Decimal(price.cache_read) / per_token, f"{price.model} (added by an admin)")


def unit_prices(model: str, custom: Mapping[str, UnitPrices] | None = None) -> UnitPrices | None:
    """List prices of a Cursor model: an admin's price first, then genai-prices'; None when
    neither knows it."""
    if custom and model in custom:
        return custom[model]
    return package_prices(model)


@cache
def package_prices(model: str) -> UnitPrices | None:
    """List prices of a Cursor model from genai-prices, or None when it does not know it."""
    for ref in price_refs(model):
        try:
            inp, priced = _cents_per_token(Usage(input_tokens=_PROBE), ref, "input_price")
            out, _ = _cents_per_token(Usage(output_tokens=_PROBE), ref, "output_price")
            write, _ = _cents_per_token(
                Usage(input_tokens=_PROBE, cache_write_tokens=_PROBE), ref, "input_price")
            read, _ = _cents_per_token(
                Usage(input_tokens=_PROBE, cache_read_tokens=_PROBE), ref, "input_price")
        except (LookupError, ValueError):
            continue
        return UnitPrices(inp, out, write, read, priced)
    return None

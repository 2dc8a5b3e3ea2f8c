"""FOCUS column names (1.0–1.3), their aliases, allowed values and version hints.

Real exports spell headers inconsistently (case, 0.5-era names, 1.3 renames), so the
importer resolves every header through :func:`canonical_column` once per file and
never looks at a raw header again.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

# The 1.2 columns every devspend export carries and the conformance check demands.
MANDATORY_1_2: tuple[str, ...] = (
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ServiceCategory",
    "ServiceName",
)
# Added in 1.3, replacing ProviderName / PublisherName (which stay filled for older readers).
COLUMNS_1_3: tuple[str, ...] = ("ServiceProviderName", "HostProviderName")

# Every FOCUS column devspend knows by name (1.0–1.3), so headers can be matched case-blind.
KNOWN_COLUMNS: tuple[str, ...] = (
    *MANDATORY_1_2,
    *COLUMNS_1_3,
    "AvailabilityZone",
    "BillingAccountType",
    "CapacityReservationId",
    "CapacityReservationStatus",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedUnitPrice",
    "InvoiceId",
    "ListUnitPrice",
    "PricingCategory",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "SubAccountType",
    "Tags",
)

# Older or provider-specific spellings of the same column (keys are lower case).
ALIASES: dict[str, str] = {
    "amortizedcost": "EffectiveCost",
    "chargetype": "ChargeCategory",
    "usagequantity": "ConsumedQuantity",
    "usageunit": "ConsumedUnit",
    "region": "RegionId",
    # FOCUS 1.0-preview (the FinOps Foundation's focus-converters still write these)
    "provider": "ProviderName",
    "publisher": "PublisherName",
    "invoiceissuer": "InvoiceIssuerName",
}

CHARGE_CATEGORIES: tuple[str, ...] = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
CHARGE_CLASSES: tuple[str, ...] = ("Correction",)
CHARGE_FREQUENCIES: tuple[str, ...] = ("One-Time", "Recurring", "Usage-Based")
PRICING_CATEGORIES: tuple[str, ...] = ("Standard", "Dynamic", "Committed", "Other")
SERVICE_CATEGORIES: tuple[str, ...] = (
    "AI and Machine Learning",
    "Analytics",
    "Business Applications",
    "Compute",
    "Databases",
    "Developer Tools",
    "Multicloud",
    "Identity",
    "Integration",
    "Internet of Things",
    "Management and Governance",
    "Media",
    "Migration",
    "Mobile",
    "Networking",
    "Security",
    "Storage",
    "Web",
    "Other",
)

# Currencies a FOCUS file may bill in (ISO 4217 codes in everyday use).
ISO_CURRENCIES: frozenset[str] = frozenset(
    (
        "AED", "ARS", "AUD", "BGN", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DKK", "EGP",
        "EUR", "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "ISK", "JPY", "KES", "KRW", "KWD", "MAD",
        "MXN", "MYR", "NGN", "NOK", "NZD", "PEN", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB",
        "SAR", "SEK", "SGD", "THB", "TRY", "TWD", "UAH", "USD", "VND", "ZAR",
    )
)

_BY_LOWER: dict[str, str] = {name.lower(): name for name in KNOWN_COLUMNS}


def canonical_column(header: str) -> str:
    """The FOCUS name for ``header`` (case-blind, aliases resolved); custom columns unchanged.

    Custom columns (``x_…``, OCI's ``oci_…``) and unknown ones keep their own name so
    they survive into the stored raw row.
    """
    name = header.strip().lstrip("\ufeff").strip().strip('"')
    lower = name.lower()
    if lower.startswith(("x_", "oci_")):
        return name
    return _BY_LOWER.get(lower) or ALIASES.get(lower) or name


def detect_version(columns: Iterable[str]) -> str:
    """Best guess of the FOCUS version of a file from its (canonical) columns.

    Providers rarely say which version they wrote, but each version added columns:
    ``ServiceProviderName`` ⇒ 1.3, ``InvoiceId``/``SkuMeter`` ⇒ 1.2, ``ChargeClass`` ⇒ 1.0+;
    a provider column without ``ChargeClass`` (mandatory since 1.0) ⇒ the 1.0 preview.
    """
    present = set(columns)
    if "ServiceProviderName" in present:
        return "1.3"
    if present & {"InvoiceId", "SkuMeter"}:
        return "1.2"
    if "ChargeClass" in present:
        return "1.0"
    if "ProviderName" in present:
        return "1.0-preview"
    return "unknown"


def canonical_enum(value: str, allowed: tuple[str, ...]) -> str | None:
    """``value`` spelled as in ``allowed`` (case-blind: GCP writes ``usage``), else ``None``."""
    if len(value) > 100:  # no enum value is that long; never cache a huge hostile cell
        return None
    return _canonical_enum(value, allowed)


@lru_cache(maxsize=4096)
def _canonical_enum(value: str, allowed: tuple[str, ...]) -> str | None:
    wanted = value.strip().lower()
    for candidate in allowed:
        if candidate.lower() == wanted:
            return candidate
    return None

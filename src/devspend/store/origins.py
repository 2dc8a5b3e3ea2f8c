"""Where a request came from: one exclusive origin per event, so the origins' figures add
up to the total.

Cursor marks events with optional ids: ``automationId`` (an automation), ``serviceAccountId``
(a service account's key), ``cloudAgentId`` (a background/cloud agent) and the flag
``isHeadless`` (no editor attached, e.g. the CLI). An event carrying several is counted
under the first of: automation, service account, cloud agent, headless; everything else
is **interactive** (a person in the editor).
"""

from __future__ import annotations

INTERACTIVE, HEADLESS, CLOUD_AGENT, SERVICE_ACCOUNT, AUTOMATION = range(5)
# stored codes → the names reports use; interactive is what the others leave
ORIGIN_NAMES: dict[int, str] = {
    INTERACTIVE: "interactive", HEADLESS: "headless", CLOUD_AGENT: "cloud_agent",
    SERVICE_ACCOUNT: "service_account", AUTOMATION: "automation",
}  # fmt: skip
MEASURED_ORIGINS: tuple[int, ...] = (HEADLESS, CLOUD_AGENT, SERVICE_ACCOUNT, AUTOMATION)


def origin_code(
    *, automation: bool, service_account: bool, cloud_agent: bool, headless: bool
) -> int:
    """The one origin an event counts under (see the module docstring for the order)."""
    if automation:
        return AUTOMATION
    if service_account:
        return SERVICE_ACCOUNT
    if cloud_agent:
        return CLOUD_AGENT
    return HEADLESS if headless else INTERACTIVE


def origin_measures() -> tuple[str, ...]:
    """The summary measures of the split: events and usage value (µ¢) per measured origin."""
    return tuple(
        f"origin_{ORIGIN_NAMES[o]}_{what}" for o in MEASURED_ORIGINS for what in ("events",
                                                                                "ucents")
    )  # fmt: skip

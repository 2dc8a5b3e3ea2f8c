"""Route modules, one per page family; each HTML page's JSON twin lives beside it."""

from __future__ import annotations

from fastapi import APIRouter

from devspend.web.routes import (
    adoption,
    alerts,
    api_docs,
    auth,
    budgets,
    cloud_costs,
    glossary,
    health,
    models,
    overview,
    people,
    person,
    reconcile,
    settings_integrations,
    spend,
    teams,
    tokens,
    usage_tables,
    users_admin,
)


def all_routers() -> list[APIRouter]:
    """Every router, in the order the app includes them."""
    return [
        health.router,
        auth.router,
        overview.router, overview.api,
        people.router, people.api,
        person.router, person.api,
        usage_tables.router, usage_tables.api,
        models.router, models.api,
        adoption.router, adoption.api,
        spend.router, spend.api,
        teams.router, teams.api,
        settings_integrations.router, settings_integrations.api,
        users_admin.router,
        tokens.router,
        cloud_costs.router,
        budgets.router, budgets.api,
        alerts.router, alerts.api,
        api_docs.router,
        glossary.router,
        reconcile.router, reconcile.api,
    ]  # fmt: skip

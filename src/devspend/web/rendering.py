"""Jinja2 templates and the one ``render`` every HTML route uses.

``render`` adds what the layout needs (the principal, the CSRF token for forms,
the current filter) and sets the pre-login CSRF cookie when a visitor has none.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from devspend.money import format_dollars
from devspend.web.security import CSRF_COOKIE, new_secret

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def _number(value: int | Decimal | None) -> Markup:
    # digits and commas only: marked safe so big tables skip escaping thousands of cells
    return Markup("–" if value is None else f"{value:,}")  # noqa: S704 - a number, no markup


def _dollars(cents: Decimal | int | None) -> Markup:
    return Markup("–" if cents is None else format_dollars(cents))  # noqa: S704 - same


def _percent(part: int | Decimal | None, whole: int | Decimal | None) -> str:
    if not whole or part is None:
        return "–"
    return f"{Decimal(part) * 100 / Decimal(whole):.1f}%"


def _path_segment(value: str) -> str:
    """Text as one URL path segment: ``/`` and every other reserved character escaped."""
    return quote(str(value), safe="@")


def _when(moment: datetime | None) -> str:
    return "never" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def build_templates() -> Jinja2Templates:
    """The template environment (autoescaping on) with devspend's display filters."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters["number"] = _number
    env.filters["dollars"] = _dollars
    env.filters["when"] = _when
    env.filters["path_segment"] = _path_segment
    env.globals["percent"] = _percent
    return templates


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render template ``name`` as a full page."""
    from devspend.web.deps import expected_csrf

    principal = getattr(request.state, "principal", None)
    csrf_token = expected_csrf(request, principal)
    new_cookie = None
    if csrf_token is None:
        csrf_token = new_cookie = new_secret()
    values: dict[str, Any] = {
        "principal": principal,
        "csrf_token": csrf_token,
        "filter": getattr(request.state, "report_filter", None),
        **(context or {}),
    }
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    if new_cookie is not None:
        response.set_cookie(
            CSRF_COOKIE, new_cookie, httponly=True, samesite="strict",
            secure=request.url.scheme == "https", path="/",
        )  # fmt: skip
    return response

"""``/glossary``: the six money words (``reports.glossary``), reachable from every page's footer."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from devspend.reports.glossary import GLOSSARY
from devspend.web.deps import MaybeUser
from devspend.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/glossary")
def glossary(request: Request, _principal: MaybeUser) -> Response:
    return render(request, "glossary.html", {"terms": GLOSSARY, "active": "glossary"})

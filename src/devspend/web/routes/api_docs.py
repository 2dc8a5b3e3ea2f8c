"""``/api/docs``: the OpenAPI description rendered as a plain page (offline, no CDN script)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from devspend.web.deps import MaybeUser
from devspend.web.rendering import render

router = APIRouter(include_in_schema=False)


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            operations.append({
                "method": method.upper(), "path": path,
                "summary": op.get("summary", ""), "description": op.get("description", ""),
                "parameters": [
                    {"name": p["name"], "in": p["in"], "required": p.get("required", False),
                     "description": p.get("description") or p.get("schema", {}).get(
                         "description", "")}
                    for p in op.get("parameters", [])
                ],
                "response": op.get("responses", {}).get("200", {}).get("content", {})
                .get("application/json", {}).get("schema", {}).get("$ref", "").split("/")[-1],
            })  # fmt: skip
    return operations


@router.get("/api/docs")
def api_docs(request: Request, _principal: MaybeUser) -> Response:
    schema = request.app.openapi()
    return render(request, "api_docs.html", {
        "info": schema.get("info", {}), "operations": _operations(schema),
    })  # fmt: skip

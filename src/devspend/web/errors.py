"""One way to show errors: an HTML page for browsers, ``{"error": ...}`` JSON for the API.

Messages come from :class:`~devspend.errors.DevspendError` (written for people, never
containing keys) or from the web exceptions below; unexpected exceptions become a
generic 500 so nothing internal leaks into a page.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from devspend.errors import DevspendError, NotFoundError

log = logging.getLogger(__name__)


class WebError(Exception):
    """An error with an HTTP status and a message that is safe to show."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthRequired(WebError):
    status_code = 401

    def __init__(self, message: str = "Sign in to see this page.") -> None:
        super().__init__(message)


class Forbidden(WebError):
    status_code = 403


class CsrfRefused(WebError):
    status_code = 403

    def __init__(
        self, message: str = "This form has expired or did not come from devspend; reload it."
    ) -> None:
        super().__init__(message)


class TooManyAttempts(WebError):
    status_code = 429


class PageNotFound(WebError):
    status_code = 404


def wants_json(request: Request) -> bool:
    """API paths, and clients that ask for JSON rather than HTML, get JSON errors."""
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, *, status_code: int, message: str) -> Response:
    """Render ``message`` as JSON or as the HTML error page."""
    if wants_json(request):
        return JSONResponse(
            {"error": {"status": status_code, "message": message}}, status_code=status_code
        )
    from devspend.web.rendering import render

    return render(
        request, "error.html", {"status_code": status_code, "message": message},
        status_code=status_code,
    )  # fmt: skip


def _login_redirect(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def handle_web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    if isinstance(exc, AuthRequired) and not wants_json(request):
        return _login_redirect(request)
    response = error_response(request, status_code=exc.status_code, message=exc.message)
    if isinstance(exc, AuthRequired):
        response.headers["www-authenticate"] = 'Bearer realm="devspend"'
    return response


async def handle_devspend_error(request: Request, exc: Exception) -> Response:
    status = 404 if isinstance(exc, NotFoundError) else 400
    return error_response(request, status_code=status, message=str(exc))


async def handle_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else "Request refused."
    if exc.status_code == 404:
        message = "There is no such page."
    return error_response(request, status_code=exc.status_code, message=message)


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}"
        for err in exc.errors()
    )
    return error_response(request, status_code=422, message=f"Invalid request: {problems}")


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        request, status_code=500, message="Something went wrong; the server log has details."
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers; called once by the app factory."""
    app.add_exception_handler(WebError, handle_web_error)
    app.add_exception_handler(DevspendError, handle_devspend_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(Exception, handle_unexpected)

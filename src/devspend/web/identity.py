"""Account operations shared by the web routes and the CLI: users, logins, tokens.

Each function takes an engine and the current time explicitly and runs in its own
transaction. Login failures are recorded in the database, per email and per
client address, so the rate limit holds across replicas.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from devspend.errors import ConfigError, NotFoundError
from devspend.store import accounts
from devspend.store.accounts import AppUser
from devspend.web.errors import TooManyAttempts
from devspend.web.security import (
    digest,
    hash_password,
    new_api_token,
    new_secret,
    password_problem,
    verify_password,
)

LOGIN_WINDOW = timedelta(hours=1)
MAX_DELAY = timedelta(minutes=15)
FREE_FAILURES_PER_CLIENT_AND_EMAIL = 5
FREE_FAILURES_PER_EMAIL = 5
FREE_FAILURES_PER_CLIENT = 20


_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_EMAIL = re.compile(rf"[a-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,64}}@{_LABEL}(?:\.{_LABEL})+")
MAX_EMAIL_LENGTH = 254


def header_email(value: str, *, allowed_domains: tuple[str, ...]) -> str | None:
    """The normalised email in a trusted sign-in header, or ``None`` if it is not one.

    The header creates users on first sight, so only a plain ``local@domain.tld``
    (and, when ``allowed_domains`` is set, only those domains) is accepted.
    """
    email = accounts.normalise_email(value)
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(email):
        return None
    if allowed_domains and email.rsplit("@", 1)[1] not in allowed_domains:
        return None
    return email


@dataclass(frozen=True, slots=True)
class NewSession:
    """A freshly started session: ``session_id`` goes into the cookie, never the database."""

    session_id: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class NewToken:
    """A new API token; ``token`` is shown once and only its digest is kept."""

    id: int
    token: str


def add_user(
    engine: Engine,
    *,
    email: str,
    password: str | None,
    role: str,
    now: datetime,
    name: str | None = None,
) -> AppUser:
    """Create a user, refusing duplicates and weak passwords with a readable message."""
    if "@" not in email:
        raise ConfigError(f"{email!r} does not look like an email address.")
    if password is not None and (problem := password_problem(password)):
        raise ConfigError(problem)
    with engine.begin() as conn:
        if accounts.get_user_by_email(conn, email) is not None:
            raise ConfigError(f"A user {email.strip().lower()} already exists.")
        return accounts.create_user(
            conn, email=email, name=name, role=role, now=now,
            password_hash=hash_password(password) if password is not None else None,
        )  # fmt: skip


def add_first_admin(engine: Engine, *, email: str, password: str, now: datetime) -> AppUser:
    """Create the first admin, only while no user at all exists (the setup page's rule)."""
    with engine.connect() as conn:
        if accounts.count_users(conn) > 0:
            raise ConfigError("devspend already has users; sign in instead.")
    return add_user(engine, email=email, password=password, role="admin", now=now)


def throttle_delay(stats: accounts.FailureStats, *, free: int) -> timedelta:
    """How long after its latest failure a subject must wait: 0, then 1 s, 2 s, 4 s … 15 min."""
    if stats.count < free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(stats.count - free, 20)), MAX_DELAY)


def _wait(stats: accounts.FailureStats, *, free: int, now: datetime) -> timedelta:
    if stats.last_at is None:
        return timedelta(0)
    return max(stats.last_at + throttle_delay(stats, free=free) - now, timedelta(0))


def throttle_client(address: str) -> str:
    """The unit a client is counted by: its IPv4 address, or its IPv6 /64.

    One IPv6 host usually holds a whole /64, so counting single addresses would give
    it billions of fresh starts.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def check_login(
    engine: Engine, *, email: str, password: str, client_address: str, now: datetime
) -> AppUser | None:
    """The user if ``password`` is right; records the attempt; raises while throttled.

    Failures slow guessing down with growing delays, never a lock the right password
    cannot open: per client and account, per client (spraying many accounts) and per
    account. The per-account delay only holds back clients that have failed on that
    account themselves, so an attacker hammering someone's account from elsewhere
    cannot keep its owner out. Refused attempts are not recorded (no self-extending
    lock). Counts live in the database, so they hold across replicas.
    """
    email = accounts.normalise_email(email)
    counted = email[:MAX_EMAIL_LENGTH]  # subjects fit their column whatever was typed
    client = throttle_client(client_address)
    by_email, by_client, pair = f"email:{counted}", f"ip:{client}", f"pair:{client}|{counted}"
    since = now - LOGIN_WINDOW
    with engine.connect() as conn:
        pair_stats = accounts.failure_stats(conn, subject=pair, since=since)
        email_stats = accounts.failure_stats(conn, subject=by_email, since=since)
        client_stats = accounts.failure_stats(conn, subject=by_client, since=since)
    waits = [
        _wait(pair_stats, free=FREE_FAILURES_PER_CLIENT_AND_EMAIL, now=now),
        _wait(client_stats, free=FREE_FAILURES_PER_CLIENT, now=now),
    ]
    if pair_stats.count > 0:
        waits.append(_wait(email_stats, free=FREE_FAILURES_PER_EMAIL, now=now))
    wait = max(waits)
    if wait > timedelta(0):
        seconds = math.ceil(wait.total_seconds())
        raise TooManyAttempts(
            f"Too many failed sign-ins; try again in {seconds} second{'s' * (seconds != 1)}."
        )
    with engine.connect() as conn:
        user = accounts.get_user_by_email(conn, email)
    ok = verify_password(user.password_hash if user else None, password)
    with engine.begin() as conn:
        accounts.record_login_attempt(
            conn, subjects=[pair, by_email, by_client], succeeded=ok, now=now
        )
        if ok and user is not None:
            accounts.mark_login(conn, user_id=user.id, now=now)
        accounts.prune_login_attempts(conn, before=now - 4 * LOGIN_WINDOW)
    return user if ok else None


def start_session(engine: Engine, *, user_id: int, now: datetime, max_age: int) -> NewSession:
    """Open a server-side session with its own CSRF token."""
    session_id, csrf_token = new_secret(), new_secret()
    expires_at = now + timedelta(seconds=max_age)
    with engine.begin() as conn:
        accounts.delete_expired_sessions(conn, now=now)
        accounts.create_session(
            conn, id_hash=digest(session_id), user_id=user_id, csrf_token=csrf_token,
            now=now, expires_at=expires_at,
        )  # fmt: skip
    return NewSession(session_id=session_id, csrf_token=csrf_token, expires_at=expires_at)


def end_session(engine: Engine, *, session_id: str) -> None:
    with engine.begin() as conn:
        accounts.delete_session(conn, id_hash=digest(session_id))


def create_token(engine: Engine, *, name: str, created_by: int | None, now: datetime) -> NewToken:
    """Create a read-only API token; the plain token is returned once, never stored."""
    if not name.strip():
        raise ConfigError("Give the token a name that says what uses it.")
    token = new_api_token()
    with engine.begin() as conn:
        token_id = accounts.create_api_token(
            conn, name=name.strip(), prefix=token[:10], token_hash=digest(token),
            created_by=created_by, now=now,
        )  # fmt: skip
    return NewToken(id=token_id, token=token)


def revoke_token(engine: Engine, *, token_id: int, now: datetime) -> None:
    with engine.begin() as conn:
        if not accounts.revoke_api_token(conn, token_id=token_id, now=now):
            raise NotFoundError(f"There is no live API token {token_id}.")


def change_role(engine: Engine, *, user_id: int, role: str) -> None:
    """Change a role, never leaving devspend without an admin."""
    with engine.begin() as conn:
        user = accounts.get_user(conn, user_id)
        if user is None:
            raise NotFoundError(f"There is no user {user_id}.")
        if user.is_admin and role != "admin" and accounts.count_admins(conn) <= 1:
            raise ConfigError("Keep at least one admin.")
        accounts.set_role(conn, user_id=user_id, role=role)


def remove_user(engine: Engine, *, user_id: int) -> None:
    """Delete a user and their sessions, never the last admin."""
    with engine.begin() as conn:
        user = accounts.get_user(conn, user_id)
        if user is None:
            raise NotFoundError(f"There is no user {user_id}.")
        if user.is_admin and accounts.count_admins(conn) <= 1:
            raise ConfigError("Keep at least one admin.")
        accounts.delete_user(conn, user_id)

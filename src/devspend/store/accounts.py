"""SQL for web accounts: users, sessions, API tokens and login attempts.

Only hashes reach this module (argon2 password hashes, SHA-256 digests of session
ids and tokens); creating and checking secrets is :mod:`devspend.web.security`'s job.
Times are passed in by the caller so tests control the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from devspend.store.auth_tables import api_tokens, app_users, login_attempts, web_sessions

ROLES = ("admin", "viewer")


@dataclass(frozen=True, slots=True)
class AppUser:
    id: int
    email: str
    name: str | None
    role: str
    password_hash: str | None
    created_at: datetime
    last_login_at: datetime | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class SessionRecord:
    user: AppUser
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ApiTokenRecord:
    id: int
    name: str
    prefix: str
    created_by_email: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _utc(value: Any) -> datetime:
    """SQLite hands back naive datetimes; treat them as the UTC they were stored as."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _maybe_utc(value: Any) -> datetime | None:
    return None if value is None else _utc(value)


def _user(m: Any) -> AppUser:
    return AppUser(
        id=int(m["id"]),
        email=str(m["email"]),
        name=m["name"],
        role=str(m["role"]),
        password_hash=m["password_hash"],
        created_at=_utc(m["created_at"]),
        last_login_at=_maybe_utc(m["last_login_at"]),
    )


def normalise_email(email: str) -> str:
    """The one spelling of an email devspend stores and compares: stripped, lower-case."""
    return email.strip().lower()


def count_users(conn: Connection) -> int:
    """How many web users exist (0 means the first-admin setup is still open)."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(app_users)).scalar_one())


def create_user(
    conn: Connection,
    *,
    email: str,
    name: str | None,
    role: str,
    password_hash: str | None,
    now: datetime,
) -> AppUser:
    """Insert a user; emails are stored lower-case so logins are case-insensitive."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    user_id = conn.execute(
        sa.insert(app_users)
        .values(
            email=normalise_email(email),
            name=name,
            role=role,
            password_hash=password_hash,
            created_at=now,
        )
        .returning(app_users.c.id)
    ).scalar_one()
    found = get_user(conn, int(user_id))
    assert found is not None
    return found


def get_user(conn: Connection, user_id: int) -> AppUser | None:
    row = conn.execute(sa.select(app_users).where(app_users.c.id == user_id)).first()
    return None if row is None else _user(row._mapping)


def get_user_by_email(conn: Connection, email: str) -> AppUser | None:
    row = conn.execute(
        sa.select(app_users).where(app_users.c.email == normalise_email(email))
    ).first()
    return None if row is None else _user(row._mapping)


def list_users(conn: Connection) -> list[AppUser]:
    rows = conn.execute(sa.select(app_users).order_by(app_users.c.email)).all()
    return [_user(r._mapping) for r in rows]


def count_admins(conn: Connection) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.count()).select_from(app_users).where(app_users.c.role == "admin")
        ).scalar_one()
    )


def set_role(conn: Connection, *, user_id: int, role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    conn.execute(sa.update(app_users).where(app_users.c.id == user_id).values(role=role))


def set_password_hash(conn: Connection, *, user_id: int, password_hash: str) -> None:
    conn.execute(
        sa.update(app_users).where(app_users.c.id == user_id).values(password_hash=password_hash)
    )


def delete_user(conn: Connection, user_id: int) -> None:
    conn.execute(sa.delete(web_sessions).where(web_sessions.c.user_id == user_id))
    conn.execute(
        sa.update(api_tokens).where(api_tokens.c.created_by == user_id).values(created_by=None)
    )
    conn.execute(sa.delete(app_users).where(app_users.c.id == user_id))


def mark_login(conn: Connection, *, user_id: int, now: datetime) -> None:
    conn.execute(sa.update(app_users).where(app_users.c.id == user_id).values(last_login_at=now))


def create_session(
    conn: Connection,
    *,
    id_hash: str,
    user_id: int,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    conn.execute(
        sa.insert(web_sessions).values(
            id_hash=id_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )


def get_session(conn: Connection, *, id_hash: str, now: datetime) -> SessionRecord | None:
    """The live session with this id hash and its user; expired sessions count as absent."""
    row = conn.execute(
        sa.select(app_users, web_sessions.c.csrf_token, web_sessions.c.expires_at)
        .join(web_sessions, web_sessions.c.user_id == app_users.c.id)
        .where(web_sessions.c.id_hash == id_hash)
    ).first()
    if row is None:
        return None
    m = row._mapping
    expires_at = _utc(m["expires_at"])
    if expires_at <= now:
        return None
    return SessionRecord(user=_user(m), csrf_token=str(m["csrf_token"]), expires_at=expires_at)


def delete_session(conn: Connection, *, id_hash: str) -> None:
    conn.execute(sa.delete(web_sessions).where(web_sessions.c.id_hash == id_hash))


def delete_expired_sessions(conn: Connection, *, now: datetime) -> None:
    conn.execute(sa.delete(web_sessions).where(web_sessions.c.expires_at <= now))


def create_api_token(
    conn: Connection,
    *,
    name: str,
    prefix: str,
    token_hash: str,
    created_by: int | None,
    now: datetime,
) -> int:
    return int(
        conn.execute(
            sa.insert(api_tokens)
            .values(
                name=name,
                prefix=prefix,
                token_hash=token_hash,
                created_by=created_by,
                created_at=now,
            )
            .returning(api_tokens.c.id)
        ).scalar_one()
    )


def user_for_token(conn: Connection, *, token_hash: str, now: datetime) -> AppUser | None:
    """The token's creator if the token is live (not revoked), recording when it was used.

    A token whose creator was deleted still works as a read-only viewer: it
    returns a synthetic viewer identity so revocation, not user deletion, ends it.
    """
    row = conn.execute(
        sa.select(api_tokens.c.id, api_tokens.c.created_by, api_tokens.c.name).where(
            api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    conn.execute(sa.update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now))
    creator = get_user(conn, int(row.created_by)) if row.created_by is not None else None
    return AppUser(
        id=creator.id if creator else 0,
        email=creator.email if creator else f"token:{row.name}",
        name=f"API token {row.name}",
        role="viewer",
        password_hash=None,
        created_at=creator.created_at if creator else now,
        last_login_at=None,
    )


def list_api_tokens(conn: Connection) -> list[ApiTokenRecord]:
    rows = conn.execute(
        sa.select(api_tokens, app_users.c.email.label("creator_email"))
        .outerjoin(app_users, app_users.c.id == api_tokens.c.created_by)
        .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id.desc())
    ).all()
    return [
        ApiTokenRecord(
            id=int(r.id),
            name=str(r.name),
            prefix=str(r.prefix),
            created_by_email=r.creator_email,
            created_at=_utc(r.created_at),
            last_used_at=_maybe_utc(r.last_used_at),
            revoked_at=_maybe_utc(r.revoked_at),
        )
        for r in rows
    ]


def revoke_api_token(conn: Connection, *, token_id: int, now: datetime) -> bool:
    """Revoke a live token; ``False`` when there is no such live token."""
    result = conn.execute(
        sa.update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)


def record_login_attempt(
    conn: Connection, *, subjects: list[str], succeeded: bool, now: datetime
) -> None:
    conn.execute(
        sa.insert(login_attempts),
        [{"subject": s, "attempted_at": now, "succeeded": succeeded} for s in subjects],
    )


@dataclass(frozen=True, slots=True)
class FailureStats:
    """Failed sign-ins of one subject since its last success: how many, and the latest."""

    count: int
    last_at: datetime | None


def failure_stats(conn: Connection, *, subject: str, since: datetime) -> FailureStats:
    """Failures for ``subject`` since ``since`` and since its last success (a login resets)."""
    last_success = (
        sa.select(sa.func.max(login_attempts.c.attempted_at))
        .where(login_attempts.c.subject == subject, login_attempts.c.succeeded.is_(True))
        .scalar_subquery()
    )
    row = conn.execute(
        sa.select(sa.func.count(), sa.func.max(login_attempts.c.attempted_at)).where(
            login_attempts.c.subject == subject,
            login_attempts.c.succeeded.is_(False),
            login_attempts.c.attempted_at >= since,
            sa.or_(last_success.is_(None), login_attempts.c.attempted_at > last_success),
        )
    ).one()
    return FailureStats(count=int(row[0]), last_at=_maybe_utc(row[1]))


def prune_login_attempts(conn: Connection, *, before: datetime) -> None:
    conn.execute(sa.delete(login_attempts).where(login_attempts.c.attempted_at < before))

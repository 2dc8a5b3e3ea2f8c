"""Sign-in throttling: growing delays per client and account, never a lock that keeps the
right person out; one spelling of an email; the client is who the trusted proxy says."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from devspend.settings import Settings
from devspend.store.accounts import FailureStats
from devspend.web import identity
from web_support import ADMIN_EMAIL, PASSWORD, WebEnv, add_user, build_env, client_for, login

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.10"
WRONG = "wrong password!"


def _env(settings: Settings, engine: sa.Engine, **overrides: object) -> WebEnv:
    env = build_env(settings, engine, **overrides)
    add_user(env, ADMIN_EMAIL, "admin")
    return env


def _fail(client: TestClient, times: int, email: str = ADMIN_EMAIL) -> None:
    for _ in range(times):
        assert login(client, email, WRONG).status_code == 401


def _hammer(env: WebEnv, client: TestClient, times: int) -> None:
    """Wrong passwords as fast as the throttle lets an attacker send them."""
    failures = 0
    while failures < times:
        response = login(client, ADMIN_EMAIL, WRONG)
        if response.status_code == 429:
            env.clock.advance(seconds=int(re.findall(r"in (\d+) second", response.text)[0]))
            continue
        assert response.status_code == 401
        failures += 1


def test_an_attacker_cannot_lock_the_owner_out(settings: Settings, engine: sa.Engine) -> None:
    env = _env(settings, engine)
    with client_for(env.app, host=ATTACKER) as attacker:
        _hammer(env, attacker, 12)
        # the attacker is slowed down, even with the right password
        assert login(attacker, ADMIN_EMAIL).status_code == 429
    with client_for(env.app, host=OWNER) as owner:
        assert login(owner, ADMIN_EMAIL, PASSWORD).status_code == 303


def test_delays_grow_and_are_capped(settings: Settings, engine: sa.Engine) -> None:
    env = _env(settings, engine)
    free = identity.FREE_FAILURES_PER_CLIENT_AND_EMAIL
    with client_for(env.app, host=ATTACKER) as attacker:
        _fail(attacker, free)
        for expected in (1, 2, 4, 8):
            refused = login(attacker, ADMIN_EMAIL, WRONG)
            assert refused.status_code == 429
            assert f"try again in {expected} second" in refused.text
            assert 'id="login-error"' in refused.text  # the form again, to retry from
            env.clock.advance(seconds=expected)
            _fail(attacker, 1)
    many = FailureStats(count=free + 40, last_at=None)
    assert identity.throttle_delay(many, free=free) == identity.MAX_DELAY == timedelta(minutes=15)


def test_a_client_that_failed_on_the_account_waits_for_the_account(
    settings: Settings, engine: sa.Engine
) -> None:
    env = _env(settings, engine)
    with client_for(env.app, host=ATTACKER) as attacker:
        _hammer(env, attacker, 12)
    with client_for(env.app, host=OWNER) as typo:
        # one typo of its own while the account is under attack: now it waits too …
        _fail(typo, 1)
        assert login(typo, ADMIN_EMAIL).status_code == 429
        env.clock.advance(seconds=identity.throttle_delay(
            FailureStats(count=13, last_at=None), free=identity.FREE_FAILURES_PER_EMAIL,
        ).total_seconds())  # fmt: skip
        # … but only as long as the delay, then the right password gets in
        assert login(typo, ADMIN_EMAIL).status_code == 303


def test_spellings_of_one_email_share_one_counter(settings: Settings, engine: sa.Engine) -> None:
    env = _env(settings, engine)
    spellings = ["ADMIN@EXAMPLE.COM", " admin@example.com ", "Admin@Example.com\t",
                 "admin@example.COM", "admin@example.com"]  # fmt: skip
    with client_for(env.app, host=ATTACKER) as attacker:
        for spelling in spellings:
            assert login(attacker, spelling, WRONG).status_code == 401
        assert login(attacker, " ADMIN@example.com", WRONG).status_code == 429
    with engine.connect() as conn:
        subjects = set(conn.execute(sa.text("select subject from login_attempts")).scalars())
    assert subjects == {f"email:{ADMIN_EMAIL}", f"ip:{ATTACKER}", f"pair:{ATTACKER}|{ADMIN_EMAIL}"}


def test_clients_behind_a_trusted_proxy_are_throttled_one_by_one(
    settings: Settings, engine: sa.Engine
) -> None:
    env = _env(settings, engine, trusted_proxies=("10.0.0.5",))
    with client_for(env.app, host="10.0.0.5") as proxy:
        proxy.headers["X-Forwarded-For"] = ATTACKER
        for n in range(identity.FREE_FAILURES_PER_CLIENT):
            _fail(proxy, 1, email=f"user{n}@example.com")  # spraying many accounts
        assert login(proxy, "other@example.com", WRONG).status_code == 429
        proxy.headers["X-Forwarded-For"] = OWNER
        assert login(proxy, ADMIN_EMAIL).status_code == 303


def test_a_long_email_is_just_a_wrong_sign_in(settings: Settings, engine: sa.Engine) -> None:
    env = _env(settings, engine)
    with client_for(env.app) as client:
        assert login(client, "a" * 5000 + "@example.com", WRONG).status_code == 401


def test_an_ipv6_host_is_counted_by_its_64(settings: Settings, engine: sa.Engine) -> None:
    env = _env(settings, engine)
    for n in range(identity.FREE_FAILURES_PER_CLIENT_AND_EMAIL):
        # rotating addresses inside one /64 gives no fresh start
        with client_for(env.app, host=f"2001:db8:1:2::{n + 1:x}") as attacker:
            _fail(attacker, 1)
    with client_for(env.app, host="2001:db8:1:2:ffff::1") as same_64:
        assert login(same_64, ADMIN_EMAIL).status_code == 429
    with client_for(env.app, host="2001:db8:9:9::1") as elsewhere:
        assert login(elsewhere, ADMIN_EMAIL).status_code == 303
    assert identity.throttle_client("::ffff:192.0.2.1") == "192.0.2.1"
    assert identity.throttle_client("192.0.2.1") == "192.0.2.1"

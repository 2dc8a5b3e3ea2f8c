"""After a sync, the default views are built in the background: the next visit is a cache hit."""

from __future__ import annotations

import sqlalchemy as sa

from devspend.settings import Settings
from devspend.web.warmup import WARM_PRESETS
from sync_helpers import VALID_KEY, fake_for, small_team
from web_support import ADMIN_EMAIL, build_env, page_csrf, signed_in


def test_a_finished_sync_warms_the_default_views(settings: Settings, engine: sa.Engine) -> None:
    fake = fake_for(small_team(members=4, days=20, history_days=20))
    with fake.transport() as transport:
        env = build_env(settings, engine, transport=transport, backfill_days=30)
        with signed_in(env, ADMIN_EMAIL, "admin") as client:
            client.post("/settings/integrations/connect", data={
                "api_key": VALID_KEY, "csrf_token": page_csrf(client, "/settings/integrations"),
            })  # fmt: skip
            env.app.state.sync_jobs.wait(1, timeout=60)
            env.app.state.view_warmer.wait(timeout=60)
            cache = env.app.state.view_cache
            assert cache.misses >= 3 * len(WARM_PRESETS)
            hits = cache.hits
            for path in ("/", "/people", "/models", "/api/v1/people?range=365d"):
                assert client.get(path).status_code == 200
            # each of the four found its view ready (other pages' caches may still miss)
            assert cache.hits - hits >= 4

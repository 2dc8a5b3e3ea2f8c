"""The money vocabulary is defined once and reachable from every page."""

from __future__ import annotations

import html

import sqlalchemy as sa

from devspend.reports.glossary import GLOSSARY
from devspend.settings import Settings
from web_support import ADMIN_EMAIL, build_env, signed_in


def test_six_words_with_the_issue_keys() -> None:
    assert [(t.name, t.key) for t in GLOSSARY] == [
        ("usage value", "usage_value_cents"), ("on-demand", "on_demand_cents"),
        ("included", "included_cents"), ("model cost", "model_cost_cents"),
        ("seats", "seat_cents"), ("cost", "cost_cents"),
    ]  # fmt: skip


def test_glossary_page_and_footer_link_on_every_page(settings: Settings, engine: sa.Engine) -> None:
    env = build_env(settings, engine)
    with signed_in(env, ADMIN_EMAIL, "admin") as client:
        page = client.get("/glossary")
        assert page.status_code == 200
        for term in GLOSSARY:
            assert f'id="term-{term.key}"' in page.text
            assert term.definition in html.unescape(page.text)
        for path in ("/", "/people", "/models", "/spend", "/teams", "/settings/integrations",
                     "/glossary", "/api/docs"):  # fmt: skip
            assert 'href="/glossary"' in client.get(path).text, path

"""Imports go one way (``shared/reference/architecture.md``): the wire format and the SQL
know nothing of the rest, views read the store, faces render views and never import each
other, and only tests and the demo reach for the fake Cursor."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "devspend"
TOP_LEVEL = {"errors", "settings", "money", "csv_writer", "logs"}  # shared by every layer

# package → the devspend packages it may import (besides itself and TOP_LEVEL)
ALLOWED: dict[str, set[str]] = {
    "cursor": set(),
    "store": set(),
    "sync": {"cursor", "store"},
    "focus": {"store"},
    "reports": {"store"},
    "alerts": {"reports", "store"},
    "web": {"reports", "sync", "focus", "alerts", "store", "cursor"},
    "cli": {"reports", "sync", "focus", "alerts", "store", "cursor", "web"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from devspend.web import identity`` imports devspend.web.identity
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m == "devspend" or m.startswith("devspend.")}


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (SRC / package).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_downwards(package: str) -> None:
    wrong = []
    for path in _modules(package):
        for module in _imports(path):
            target = module.split(".")[1] if "." in module else ""
            if target in TOP_LEVEL or target == package:
                continue
            if target not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(SRC)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_faces_do_not_import_each_others_internals() -> None:
    """cli/ may start the web app (its factory and demo) but uses none of its internals;
    web/ never imports cli/."""
    web_public = {"devspend.web.app", "devspend.web.demo"}
    wrong = [f"{p.relative_to(SRC)} imports {m}" for p in _modules("web")
             for m in _imports(p) if m.startswith("devspend.cli")]  # fmt: skip
    allowed = web_public | KNOWN_CLI_WEB
    wrong += [f"{p.relative_to(SRC)} imports {m}" for p in _modules("cli")
              for m in _imports(p) if m.startswith("devspend.web") and m != "devspend.web"
              and not any(m == a or m.startswith(a + ".") for a in allowed)]  # fmt: skip
    assert not wrong, "\n".join(wrong)


# What cli/ still borrows from web/ (account creation with password hashing): to move into a
# shared accounts module; listed so nothing new joins it silently.
KNOWN_CLI_WEB = {"devspend.web.identity"}


def test_only_tests_and_the_demo_use_the_fake_cursor() -> None:
    users = [p.relative_to(SRC) for pkg in ALLOWED for p in _modules(pkg)
             if any(m.startswith("devspend.cursor.fake") for m in _imports(p))
             and "fake" not in p.parts]  # fmt: skip
    assert {str(p) for p in users} <= {"web/demo.py", "cli/fake.py", "cli/web.py"}


SQL_BUILDERS = {"select", "insert", "update", "delete", "text", "func", "case", "union_all"}
TABLE_MODULES = ("devspend.store.tables", "devspend.store.cloud_tables",
                 "devspend.store.auth_tables", "devspend.store.alert_tables")  # fmt: skip


@pytest.mark.parametrize("package", ["focus", "reports", "alerts", "web", "cli"])
def test_only_the_store_builds_sql(package: str) -> None:
    """SQL lives in store/: no other package names a table or builds a statement."""
    wrong = []
    for path in _modules(package):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in SQL_BUILDERS
                    and isinstance(node.value, ast.Name) and node.value.id in ("sa", "sqlalchemy")):
                wrong.append(f"{path.relative_to(SRC)}:{node.lineno} builds SQL (sa.{node.attr})")
        wrong += [f"{path.relative_to(SRC)} imports {m}" for m in _imports(path)
                  if m.startswith(TABLE_MODULES)]  # fmt: skip
    assert not wrong, "\n".join(wrong)

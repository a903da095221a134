"""The packages import one way only: rules ← flare ← bot ← workers ← cli (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORDER = ("rules", "flare", "bot", "workers", "cli")  # each may import those before it; none, cli
IO = {"redis", "rq", "requests", "slack_sdk", "slack_bolt", "tweepy", "socket", "waitress"}


def imports(path: Path) -> set[str]:
    """The top-level modules a file imports, anywhere in it (inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def offenders(package: str, forbidden: set[str]) -> dict[str, list[str]]:
    return {
        str(path.relative_to(ROOT)): sorted(imports(path) & forbidden)
        for path in sorted((ROOT / package).rglob("*.py"))
        if imports(path) & forbidden
    }


@pytest.mark.parametrize("package", ORDER)
def test_a_package_imports_only_the_packages_before_it(package: str) -> None:
    later = set(ORDER[ORDER.index(package) + 1 :])
    assert offenders(package, later) == {}


def test_the_rules_do_no_io() -> None:
    assert offenders("rules", IO) == {}

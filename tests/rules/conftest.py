"""The engine the rules tests decide with: the shipped playbook, the brand @acme (and @acmehelp)."""

from __future__ import annotations

import pytest

from rules.engine import Engine
from rules.playbook import load_playbook


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_playbook(), brand_handles=("acme", "acmehelp"))

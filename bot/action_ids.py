"""The ids of every button on a card, shared by the renderer and the listeners."""

from __future__ import annotations

from enum import StrEnum


class ActionId(StrEnum):
    CLAIM = "case_claim"
    RELEASE = "case_release"
    RESOLVE = "case_resolve"
    REOPEN = "case_reopen"

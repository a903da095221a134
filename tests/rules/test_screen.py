"""The screen at the door picks out the posts triage takes first, and lets the rest wait."""

from __future__ import annotations

import pytest

from rules.playbook import default_playbook_path, load_playbook
from rules.screen import Screen
from tests.builders import mention

SCREEN = Screen(load_playbook(default_playbook_path()))


@pytest.mark.parametrize(
    "text",
    [
        "@acme I'm calling my lawyer about this",
        "@acme the charger caught fire on my desk",
        "@acme a journalist asked me about your recall",
        "@acme I don't want to live anymore",
    ],
)
def test_a_post_that_may_need_pr_or_a_lead_is_picked_out(text: str) -> None:
    assert SCREEN.urgent(mention(text=text))


@pytest.mark.parametrize(
    "text",
    ["@acme my parcel is late again", "@acme love the new app!", "@acme is the store open today?"],
)
def test_an_ordinary_post_waits_its_turn(text: str) -> None:
    assert not SCREEN.urgent(mention(text=text))


def test_an_author_of_very_high_reach_is_picked_out_whatever_they_say() -> None:
    star = mention(text="@acme my parcel is late", username="star", followers=5_000_000)
    assert SCREEN.urgent(star)

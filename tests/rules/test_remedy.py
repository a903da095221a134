"""What we did to put a problem right, as a customer thanks us for it."""

from __future__ import annotations

import pytest

from rules.remedy import thanked_for, within


def clause(low: str) -> str | None:
    span = thanked_for(low)
    return low[span[0] : span[1]] if span else None


def test_thanks_for_an_act_spans_the_clause_to_its_end() -> None:
    low = "thanks for rebooking me after the cancellation, you saved my weekend"

    assert clause(low) == "thanks for rebooking me after the cancellation"


def test_an_act_before_the_thanks_spans_from_the_clause_start() -> None:
    low = "great trip. the agent who rebooked us was lovely, thank you"

    assert clause(low) == "the agent who rebooked us was lovely, thank"


@pytest.mark.parametrize(
    "low",
    [
        "thanks for nothing, my bag is lost",
        "thanks, but no refund for the cancelled flight",
        "thanks for cancelling my flight",
        "thank you for never getting back to me",
    ],
)
def test_thanks_for_no_act_or_an_act_withheld_is_not_thanks_for_a_remedy(low: str) -> None:
    assert thanked_for(low) is None


def test_a_but_ends_the_clause_the_thanks_covers() -> None:
    low = "thanks for the upgrade but my bag never made it"

    assert clause(low) == "thanks for the upgrade"


def test_a_failure_framed_by_an_act_is_what_was_handled() -> None:
    assert within("thanks for handling my delayed")
    assert not within("thanks for losing my")

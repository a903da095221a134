"""A channel's line of cards: it folds its least urgent cards once it is longer than their
targets allow, never a P1 or a card alone, and takes them back as it shortens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flare.backlog import PULLED, Waiting, fold, holds, urgency
from rules.decision import Priority

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
P1, P2, P3, P4 = Priority.P1, Priority.P2, Priority.P3, Priority.P4


def card(name: str, priority: Priority | None, due_in: float | None) -> Waiting:
    due = NOW + timedelta(seconds=due_in) if due_in is not None else None
    return Waiting(name, priority, due)


def names(cards: tuple[Waiting, ...]) -> list[str]:
    return [c.case_id for c in cards]


def test_a_line_its_targets_allow_keeps_every_card() -> None:
    line = [card("a", P3, 1800), card("b", P3, 1800), card("c", P4, 3600)]

    plan = fold(line, pace=1.0, now=NOW)

    assert names(plan.posted) == ["a", "b", "c"] and plan.folded == ()


def test_the_least_urgent_fold_until_the_line_can_reach_its_last_card_in_time() -> None:
    line = [card("p4-late", P4, 2.5), card("p3", P3, 60), card("p4", P4, 2.0), card("p2", P2, 60)]

    plan = fold(line, pace=1.0, now=NOW)

    # four cards take 4 s, the least urgent has 2.5 s: it folds; three take 3 s > 2.0 s: folds
    assert names(plan.posted) == ["p2", "p3"]
    assert names(plan.folded) == ["p4", "p4-late"]  # most urgent first: the next one pulled


def test_the_pace_is_the_channels_own() -> None:
    line = [card(str(i), P3, 10) for i in range(20)]

    assert len(fold(line, pace=1.0, now=NOW).posted) == 10
    assert len(fold(line, pace=0.5, now=NOW).posted) == 20


def test_a_p1_never_folds_however_long_the_line() -> None:
    line = [card(str(i), P1, -60) for i in range(5)]

    assert fold(line, pace=1.0, now=NOW).folded == ()


def test_a_card_alone_in_the_line_goes_out_even_past_its_target() -> None:
    assert names(fold([card("late", P4, -600)], pace=1.0, now=NOW).posted) == ["late"]


def test_cards_past_their_target_fold_behind_the_first_and_come_back_one_at_a_time() -> None:
    late = [card("a", P3, -60), card("b", P3, -30), card("c", P3, -10)]

    first = fold(late, pace=1.0, now=NOW)
    assert names(first.posted) == ["a"] and names(first.folded) == ["b", "c"]

    after = fold(first.folded, pace=1.0, now=NOW)  # "a" went out: the line weighed again
    assert names(after.posted) == ["b"] and names(after.folded) == ["c"]


def test_a_card_with_no_target_never_decides_but_folds_first_when_the_line_is_too_long() -> None:
    line = [card("p3", P3, 1.0), card("p3-too", P3, 1.5), card("none", None, None)]

    plan = fold(line, pace=1.0, now=NOW)

    assert names(plan.posted) == ["p3"] and names(plan.folded) == ["p3-too", "none"]
    assert fold([card("x", P4, None), card("y", P4, None)], pace=1.0, now=NOW).folded == ()


def test_a_card_reads_back_from_its_score_in_the_backlog() -> None:
    due = NOW + timedelta(minutes=30)
    assert Waiting.of_score("1", urgency(P2, due)) == Waiting("1", P2, due)
    assert Waiting.of_score("2", urgency(None, None)) == Waiting("2", None, None)
    assert Waiting.of_score("3", PULLED) == Waiting("3", None, None, pulled=True)


def test_a_pulled_card_is_first_in_line_and_never_folds() -> None:
    line = [Waiting.of_score("pulled", PULLED), card("b", P3, -5), card("c", P3, -5)]

    plan = fold(line, pace=1.0, now=NOW)

    assert names(plan.posted) == ["pulled"] and names(plan.folded) == ["b", "c"]


def test_a_line_is_seen_to_hold_without_reading_it_only_when_nothing_in_it_can_fold() -> None:
    assert holds(1, card("z", P4, -60))  # alone: posted next, late or not
    assert holds(50, card("z", P1, -60))  # P1s only
    assert not holds(10, card("z", P3, 3600))  # a card before it may be late
    assert not holds(2, card("z", None, None))  # weigh the whole line


def test_a_late_card_mid_line_folds_with_everything_less_urgent_however_long_the_last_has() -> None:
    line = [card(f"p3-{i:02d}", P3, 30 * 60) for i in range(40)] + [card("p4", P4, 4 * 3600)]

    plan = fold(line, pace=60.0, now=NOW)  # a post a minute: the 31st P3 would be late

    assert names(plan.posted) == [f"p3-{i:02d}" for i in range(30)]
    assert names(plan.folded) == [f"p3-{i:02d}" for i in range(30, 40)] + ["p4"]


def test_a_line_seen_to_hold_folds_nothing_when_weighed() -> None:
    for n in range(1, 15):
        for due_in in (-5.0, 0.0, 3.0, 7.5, 20.0):
            for last in (P1, P3, P4):
                line = [card(str(i), P2, 60) for i in range(n - 1)] + [card("z", last, due_in)]
                if holds(n, line[-1]):
                    assert fold(line, pace=1.0, now=NOW).folded == ()


def test_cards_of_equal_urgency_keep_one_order_so_a_line_weighed_again_moves_nothing() -> None:
    same = [card(f"c{i:02d}", P3, 5) for i in range(12)]

    first = fold(same, pace=1.0, now=NOW)
    again = fold([*first.folded, *first.posted], pace=1.0, now=NOW)

    assert names(first.posted) == [f"c{i:02d}" for i in range(5)]
    assert again == first

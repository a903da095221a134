"""Counts, durations and handles, written one way everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rules.units import count, duration, handle


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (0, "0"),
        (980, "980"),
        (1_000, "1K"),
        (12_300, "12.3K"),
        (12_500, "12.5K"),
        (2_400_000, "2.4M"),
        (1_500_000_000, "1.5B"),
    ],
)
def test_counts_read_the_way_people_say_them(n: int, shown: str) -> None:
    assert count(n) == shown


def test_a_count_that_rounds_up_to_a_thousand_is_said_in_the_next_unit() -> None:
    assert count(999_960) == "1M"
    assert count(999_940) == "999.9K"
    assert count(999_999_999) == "1B"


def test_billions_are_billions_not_thousands_of_millions() -> None:
    assert count(1_500_000_000) != "1500M"
    assert count(2_000_000_000_000) == "2000B"


def test_a_negative_count_keeps_its_sign() -> None:
    assert count(-12_500) == "-12.5K"


@pytest.mark.parametrize(
    ("span", "shown"),
    [
        (timedelta(seconds=20), "under 1 min"),
        (timedelta(minutes=4, seconds=50), "4 min"),
        (timedelta(minutes=30), "30 min"),
        (timedelta(minutes=89), "89 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(hours=24), "24 h"),
        (timedelta(hours=47), "47 h"),
        (timedelta(days=3), "3 days"),
        (timedelta(days=7), "7 days"),
    ],
)
def test_durations_read_at_a_glance(span: timedelta, shown: str) -> None:
    assert duration(span) == shown


def test_a_duration_in_the_past_reads_as_its_length() -> None:
    assert duration(timedelta(minutes=-12)) == "12 min"


def test_durations_for_a_customer_are_spelled_out_in_the_same_units() -> None:
    assert duration(timedelta(seconds=5), words=True) == "under a minute"
    assert duration(timedelta(minutes=1), words=True) == "1 minute"
    assert duration(timedelta(minutes=45), words=True) == "45 minutes"
    assert duration(timedelta(hours=3), words=True) == "3 hours"
    assert duration(timedelta(days=2), words=True) == "2 days"


def test_handles_lose_the_at_sign_the_case_and_stray_spaces() -> None:
    assert handle("  @AcmeAir ") == "acmeair"
    assert handle("acme") == "acme"
    assert handle("@Globex   Air") == "globex air"


def test_a_time_someone_must_act_in_keeps_its_seconds() -> None:
    assert duration(timedelta(seconds=30), seconds=True) == "30 s"
    assert duration(timedelta(seconds=1), words=True, seconds=True) == "1 second"
    assert duration(timedelta(minutes=10), seconds=True) == "10 min"

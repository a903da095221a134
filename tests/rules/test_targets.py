"""Response targets in time: open hours, DST, holidays, midnight, and the timers of a case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import ValidationError

from rules.playbook import default_playbook_path, parse_playbook
from rules.targets import BusinessHours, Clockwork, Tell, Timers, add_open_time, is_open

PARIS = ZoneInfo("Europe/Paris")
OFFICE = BusinessHours(time_zone="Europe/Paris", opens="09:00", closes="17:30")
HALF_HOUR = timedelta(minutes=30)


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def test_a_p3_posted_late_on_friday_is_due_half_an_hour_after_monday_opens() -> None:
    friday_night = paris("2026-11-20T23:00")  # a Friday

    assert add_open_time(friday_night, HALF_HOUR, OFFICE) == paris("2026-11-23T09:30")


def test_within_open_hours_a_target_is_plain_time() -> None:
    assert add_open_time(paris("2026-11-23T10:00"), HALF_HOUR, OFFICE) == paris("2026-11-23T10:30")


def test_a_target_that_runs_past_closing_goes_on_when_the_team_next_opens() -> None:
    assert add_open_time(paris("2026-11-23T17:15"), HALF_HOUR, OFFICE) == paris("2026-11-24T09:15")


def test_a_post_at_closing_time_waits_for_the_next_opening() -> None:
    assert add_open_time(paris("2026-11-23T17:30"), HALF_HOUR, OFFICE) == paris("2026-11-24T09:30")


def test_a_post_at_midnight_counts_from_that_mornings_opening() -> None:
    assert add_open_time(paris("2026-11-24T00:00"), HALF_HOUR, OFFICE) == paris("2026-11-24T09:30")


def test_a_day_open_until_24_00_carries_over_midnight_into_the_next_day() -> None:
    always = BusinessHours(time_zone="UTC", opens="00:00", closes="24:00", days=("mon", "tue"))
    monday_late = datetime(2026, 11, 23, 23, 50, tzinfo=UTC)

    assert add_open_time(monday_late, HALF_HOUR, always) == datetime(
        2026, 11, 24, 0, 20, tzinfo=UTC
    )


def test_holidays_are_closed_days() -> None:
    christmas = BusinessHours(time_zone="Europe/Paris", holidays=(date(2026, 12, 25),))
    thursday_evening = paris("2026-12-24T17:20")

    assert add_open_time(thursday_evening, HALF_HOUR, christmas) == paris("2026-12-28T09:20")


def test_hours_are_local_wall_clock_hours_across_a_dst_change() -> None:
    # Paris leaves summer time on Sunday 2026-10-25: Monday still opens at 09:00 local
    saturday = paris("2026-10-24T12:00")

    due = add_open_time(saturday, HALF_HOUR, OFFICE)

    assert due == paris("2026-10-26T09:30")
    assert due.astimezone(UTC).hour == 8  # UTC+1 again


def test_a_day_shortened_by_dst_counts_its_real_length() -> None:
    night_shift = BusinessHours(
        time_zone="Europe/Paris", opens="00:00", closes="06:00", days=("sun",)
    )
    # 2026-03-29: clocks jump from 02:00 to 03:00, so this Sunday's window is five hours long
    start = paris("2026-03-29T00:00")

    assert add_open_time(start, timedelta(hours=5), night_shift) == paris("2026-03-29T06:00")
    assert add_open_time(start, timedelta(hours=6), night_shift) == paris("2026-04-05T01:00")


def test_without_hours_every_target_runs_around_the_clock() -> None:
    friday_night = paris("2026-11-20T23:00")

    assert add_open_time(friday_night, HALF_HOUR, None) == friday_night + HALF_HOUR
    assert is_open(friday_night, None)
    assert not is_open(friday_night, OFFICE)
    assert is_open(paris("2026-11-23T09:00"), OFFICE)


def test_p1_is_always_around_the_clock_and_the_others_follow_the_hours() -> None:
    clock = Clockwork({"P1": timedelta(minutes=10), "P3": HALF_HOUR}, OFFICE)
    friday_night = paris("2026-11-20T23:00")

    assert clock.due("P1", friday_night) == paris("2026-11-20T23:10")
    assert clock.due("P3", friday_night) == paris("2026-11-23T09:30")


def test_the_reminder_falls_at_its_share_of_the_target_in_open_time() -> None:
    clock = Clockwork({"P3": HALF_HOUR}, OFFICE, Timers(remind_at=0.5))

    friday_night = paris("2026-11-20T23:00")
    monday = paris("2026-11-23T09:30")
    assert clock.reminder("P3", friday_night, monday) == paris("2026-11-23T09:15")
    around_the_clock = Clockwork({"P3": HALF_HOUR}, None, Timers(remind_at=0.2))
    assert around_the_clock.reminder("P3", friday_night, friday_night + HALF_HOUR) == paris(
        "2026-11-20T23:06"
    )
    never = Clockwork({"P3": HALF_HOUR}, None, Timers(remind_at=0))
    assert never.reminder("P3", friday_night, friday_night + HALF_HOUR) is None


def test_breach_steps_fall_after_the_target_in_order_and_stop_after_the_last() -> None:
    timers = Timers(
        escalation=(
            Tell(after=timedelta(minutes=10)),
            Tell(after=timedelta(hours=1), tell=("U0HEAD",)),
        )
    )
    clock = Clockwork({"P1": timedelta(minutes=10)}, None, timers)
    breach = paris("2026-11-20T23:10")

    assert clock.step("P1", breach, 1) == paris("2026-11-20T23:20")
    assert clock.step("P1", breach, 2) == paris("2026-11-21T00:10")
    assert clock.step("P1", breach, 3) is None
    assert clock.tells(2) == ("U0HEAD",)


@pytest.mark.parametrize(
    ("hours", "problem"),
    [
        ({"time_zone": "Mars/Olympus"}, "not a time zone"),
        ({"opens": "18:00", "closes": "09:00"}, "closes must be after opens"),
        ({"opens": "9am"}, "expected a time of day"),
        ({"days": []}, "at least one day"),
        ({"priorities": ["P1"]}, "P1"),
    ],
)
def test_hours_that_cannot_work_are_refused_with_the_reason(
    hours: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        BusinessHours.model_validate(hours)
    assert problem in str(refused.value)


def test_escalation_steps_must_come_in_order_and_name_who_hears() -> None:
    with pytest.raises(ValidationError):
        Timers(escalation=(Tell(after=timedelta(hours=1)), Tell(after=timedelta(minutes=5))))
    with pytest.raises(ValidationError):
        Tell(after=timedelta(minutes=5), tell=("everyone",))


def test_a_playbook_sets_business_hours_and_timers() -> None:
    plan = yaml.safe_load(default_playbook_path().read_text())
    plan["business_hours"] = {"time_zone": "Europe/Paris", "holidays": ["2026-12-25"]}
    plan["timers"] = {
        "remind_at": 0.25,
        "snooze": "10m",
        "escalation": [{"after": "10m", "tell": ["leads"]}, {"after": "1h", "tell": ["U0HEAD"]}],
    }

    book = parse_playbook(yaml.safe_dump(plan), "mine.yaml")

    clock = book.clockwork()
    assert clock.due("P3", paris("2026-11-20T23:00")) == paris("2026-11-23T09:30")
    assert clock.timers.snooze == timedelta(minutes=10)
    assert clock.tells(2) == ("U0HEAD",)

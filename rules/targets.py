"""Response targets in time: business hours, the due time, the reminder and the breach chain."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from rules.duration import Duration, PositiveDuration

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
_SEARCH_DAYS = 800  # a due time is found within this many days, or the hours are never open


def _clock(value: str) -> str:
    """ "09:00", "17:30"; "24:00" is the end of the day."""
    if not _CLOCK.match(value):
        raise ValueError(
            f"expected a time of day like 09:00 or 17:30 (24:00 ends a day): {value!r}"
        )
    return value


Clock = Annotated[str, AfterValidator(_clock)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BusinessHours(_Strict):
    """When a team answers: a target counts only the open time of its days (P1 never waits)."""

    time_zone: str = "UTC"
    opens: Clock = "09:00"
    closes: Clock = "17:30"
    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    holidays: tuple[date, ...] = ()
    priorities: tuple[Literal["P2", "P3", "P4"], ...] = ("P2", "P3", "P4")
    """The priorities whose targets count open time only; P1 is always around the clock."""

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"not a time zone: {value!r} (e.g. Europe/Paris)") from None
        return value

    @model_validator(mode="after")
    def _open_at_all(self) -> BusinessHours:
        if not self.days:
            raise ValueError("business hours need at least one day")
        if _minutes(self.closes) <= _minutes(self.opens):
            raise ValueError("closes must be after opens (24:00 for the end of the day)")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """When the team is open on a local calendar day, in UTC; None on a day it is closed."""
        if WEEKDAYS[day.weekday()] not in self.days or day in self.holidays:
            return None
        return self._at(day, self.opens), self._at(day, self.closes)

    def _at(self, day: date, clock: str) -> datetime:
        minutes = _minutes(clock)
        if minutes == 24 * 60:  # 24:00: the next day's midnight
            day, minutes = day + timedelta(days=1), 0
        wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)
        return _exists(wall).astimezone(UTC)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _exists(wall: datetime) -> datetime:
    """A local wall time as it happens: one skipped by a DST change (02:30 on a spring night)
    becomes the first instant after the gap."""
    there_and_back = wall.astimezone(UTC).astimezone(wall.tzinfo)
    if there_and_back.replace(tzinfo=None) == wall.replace(tzinfo=None):
        return wall
    return wall.replace(fold=1).astimezone(UTC).astimezone(wall.tzinfo)


def add_open_time(start: datetime, length: timedelta, hours: BusinessHours | None) -> datetime:
    """The instant `length` of open time after `start`: around the clock without hours.

    Pure. Arithmetic is done in UTC, so a DST change shortens or lengthens only the day it falls
    on; a post sent while the team is closed starts counting when it next opens.
    """
    start = start.astimezone(UTC)
    if hours is None:
        return start + length
    left = length
    day = start.astimezone(hours.zone).date()
    for _ in range(_SEARCH_DAYS):
        window = hours.window(day)
        if window is not None and start < window[1]:
            begin = max(start, window[0])
            if left <= window[1] - begin:
                return begin + left
            left -= window[1] - begin
        day += timedelta(days=1)
    raise ValueError("the business hours are never open in the next two years")


def is_open(at: datetime, hours: BusinessHours | None) -> bool:
    """Whether the team is open at `at` (always, without hours)."""
    if hours is None:
        return True
    window = hours.window(at.astimezone(hours.zone).date())
    return window is not None and window[0] <= at.astimezone(UTC) < window[1]


class Tell(_Strict):
    """One step of the breach chain: who hears, how long after the target, while unanswered."""

    after: PositiveDuration
    tell: tuple[str, ...] = ("leads",)
    """ "leads", "holder", or Slack user ids (U…)."""

    @field_validator("tell")
    @classmethod
    def _who(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for who in value:
            if who not in ("leads", "holder") and not re.fullmatch(r"[UW][A-Z0-9]{2,}", who):
                raise ValueError(f"{who!r}: expected leads, holder or a Slack user id (U…)")
        if not value:
            raise ValueError("a step tells someone: leads, holder or a Slack user id")
        return value


def _share(value: float) -> float:
    if not 0 <= value < 1:
        raise ValueError("a share of the target: 0 (no reminder) up to, not including, 1")
    return value


class Timers(_Strict):
    """The timers on every case with a response target."""

    remind_at: Annotated[float, AfterValidator(_share)] = 0.5
    """Share of the target at which a case nobody holds is reminded in its thread; 0: never."""
    snooze: PositiveDuration = timedelta(minutes=15)
    """How long the card's Snooze button puts the reminder off."""
    escalation: tuple[Tell, ...] = (Tell(after=timedelta(minutes=15)),)
    """After the breach, while nobody answers or acknowledges: who hears, and when."""
    lease: Duration = Field(default=timedelta(minutes=30))
    """How long a claim holds a case; then the case is released and its card says so."""

    @field_validator("escalation")
    @classmethod
    def _in_order(cls, value: tuple[Tell, ...]) -> tuple[Tell, ...]:
        afters = [step.after for step in value]
        if afters != sorted(afters) or len(set(afters)) != len(afters):
            raise ValueError("escalation steps come in order, each later than the one before")
        return value

    @field_validator("lease")
    @classmethod
    def _some_lease(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise ValueError("a claim holds a case at least 1m")
        return value


@dataclass(frozen=True)
class Clockwork:
    """A team's targets in time: the due time of a post, and when each timer falls."""

    targets: dict[str, timedelta]  # by priority name
    hours: BusinessHours | None = None
    timers: Timers = field(default_factory=Timers)

    def counts_open_time(self, priority: str) -> bool:
        return self.hours is not None and priority in self.hours.priorities

    def after(self, priority: str, start: datetime, length: timedelta) -> datetime:
        """`length` after `start` as the priority counts time: open time, or around the clock."""
        return add_open_time(start, length, self.hours if self.counts_open_time(priority) else None)

    def due(self, priority: str, posted: datetime) -> datetime:
        return self.after(priority, posted, self.targets[priority])

    def reminder(self, priority: str, start: datetime, due: datetime) -> datetime | None:
        """When a case nobody holds is reminded: a share of the way from `start` to `due`, in
        open time where the priority counts open time."""
        share = self.timers.remind_at
        if not share:
            return None
        if self.counts_open_time(priority):
            return self.after(priority, start, self.targets[priority] * share)
        return start + (due - start) * share

    def step(self, priority: str, breach: datetime, index: int) -> datetime | None:
        """When step `index` (1-based) of the breach chain falls; None past the last."""
        if not 1 <= index <= len(self.timers.escalation):
            return None
        return self.after(priority, breach, self.timers.escalation[index - 1].after)

    def tells(self, index: int) -> tuple[str, ...]:
        return self.timers.escalation[index - 1].tell

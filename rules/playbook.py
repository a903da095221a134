"""The playbook file: schema, loader with line numbers in every error, and the shipped default."""

from __future__ import annotations

import string
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from rules.crisis import Chain, Contact, Crisis
from rules.duration import Duration, PositiveDuration
from rules.targets import BusinessHours, Clockwork, Timers
from rules.units import handle

TEMPLATE_FIELDS = frozenset({"name", "handle", "signature", "topic", "delay"})
"""Placeholders a template may use: {name} {handle} {signature} {topic} {delay}."""

REQUIRED_TEMPLATES = (
    "answer",
    "ownership",
    "late_reply",
    "take_private",
    "thanks",
    "crisis_statement",
    "pr_holding",
    "harassment_stop",
    "considered",
    "someone_in_danger",
)
# Also read when present: "thanks_fixed" (thanks for a problem put right); without it, "thanks".


def _competitor(value: str) -> str:
    """A competitor's handle or name as the engine looks for it: no "@", lower case, one space."""
    name = handle(value)
    if not name:
        raise ValueError("a competitor needs a handle or a name")
    return name


CompetitorName = Annotated[str, AfterValidator(_competitor)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResponseTargets(_Strict):
    P1: PositiveDuration = timedelta(minutes=10)
    P2: PositiveDuration = timedelta(minutes=15)
    P3: PositiveDuration = timedelta(minutes=30)
    P4: PositiveDuration = timedelta(hours=4)


class Thresholds(_Strict):
    negative: float = Field(default=-0.3, ge=-1, le=0)
    positive: float = Field(default=0.5, ge=0, le=1)
    warm: float = Field(default=0.25, ge=0, le=1)
    influential_followers: int = Field(default=10_000, ge=0)
    high_reach_followers: int = Field(default=1_000_000, ge=0)
    verified_is_influential: bool = True
    spreading_per_minute: float = Field(default=1.0, gt=0)
    spreading_min: int = Field(default=20, ge=1)
    blast_radius: float = Field(default=7.0, gt=0)


class Abuse(_Strict):
    repeat: int = Field(default=3, ge=2)
    window: Duration = timedelta(days=7)
    words: list[str] = Field(default_factory=list)


class Spam(_Strict):
    phrases: list[str] = Field(default_factory=list)
    flood_per_hour: int = Field(default=30, ge=2)


class Topic(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    phrases: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    private: bool = False


class Risk(_Strict):
    label: str
    phrases: list[str] = Field(min_length=1)
    harmless: list[str] = Field(default_factory=list)  # everyday uses, blanked before looking


class DangerPhrases(_Strict):
    """Words of someone in danger, added to the built-in English ones (rules.danger)."""

    self_harm: list[str] = Field(default_factory=list)
    threats: list[str] = Field(default_factory=list)


class Language(_Strict):
    """A language the rules read besides English: its own words for the PR risks and for
    someone in danger. Anything else a post in it says goes to a person who reads it."""

    name: str
    risks: dict[str, list[str]] = Field(default_factory=dict)  # risk name → phrases
    self_harm: list[str] = Field(default_factory=list)
    threats: list[str] = Field(default_factory=list)


class Controversial(_Strict):
    """Topics that divide the audience (PLAYBOOK.md §3): reviewed replies that take no side."""

    phrases: list[str] = Field(default_factory=list)


class SpikeSettings(_Strict):
    window_minutes: int = Field(default=5, ge=1)
    half_life_minutes: float = Field(default=180, gt=0)
    warmup_minutes: int = Field(default=60, ge=0)
    warmup_events: int = Field(default=20, ge=0)
    min_count: int = Field(default=8, ge=1)
    ratio: float = Field(default=4.0, gt=1)
    overwhelming_count: int = Field(default=15, ge=1)
    overwhelming_share: float = Field(default=0.3, gt=0, le=1)
    cold_share: float = Field(default=0.6, gt=0, le=1)
    cooldown_minutes: int = Field(default=30, ge=0)


def _default_risks() -> dict[str, Risk]:
    return {
        "legal": Risk(label="legal threat", phrases=["sue", "lawyer", "lawsuit", "legal action"]),
        "safety": Risk(label="safety", phrases=["caught fire", "unsafe", "injured"]),
        "discrimination": Risk(label="discrimination", phrases=["racist", "discriminat*"]),
        "data_privacy": Risk(label="data/privacy", phrases=["data breach", "leaked my data"]),
        "health": Risk(label="health", phrases=["food poisoning", "allergic reaction"]),
        "media": Risk(label="press or media", phrases=["journalist", "go to the press"]),
    }


class Playbook(_Strict):
    version: int = Field(default=1, ge=1, le=1)
    max_age: PositiveDuration = timedelta(days=3)
    reopen_within: PositiveDuration = timedelta(days=7)
    response_targets: ResponseTargets = Field(default_factory=ResponseTargets)
    business_hours: BusinessHours | None = None  # None: every target runs around the clock
    timers: Timers = Field(default_factory=Timers)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    vip: list[str] = Field(default_factory=list)
    competitors: list[CompetitorName] = Field(default_factory=list)
    abuse: Abuse = Field(default_factory=Abuse)
    spam: Spam = Field(default_factory=Spam)
    topics: list[Topic] = Field(default_factory=list)
    risks: dict[str, Risk] = Field(default_factory=_default_risks)
    controversial: Controversial = Field(default_factory=Controversial)
    danger: DangerPhrases = Field(default_factory=DangerPhrases)
    languages: dict[str, Language] = Field(default_factory=dict)  # ISO 639-1 code → words
    spike: SpikeSettings = Field(default_factory=SpikeSettings)
    templates: dict[str, str] = Field(default_factory=dict)
    crisis: Crisis = Field(default_factory=Crisis)

    @field_validator("vip")
    @classmethod
    def _handles(cls, value: list[str]) -> list[str]:
        return [handle(h) for h in value if h.strip()]

    def target(self, priority: str) -> timedelta:
        target: timedelta = getattr(self.response_targets, priority)
        return target

    def clockwork(self) -> Clockwork:
        """The targets in time: due times, reminders and the breach chain (rules.targets)."""
        targets = {p: self.target(p) for p in ("P1", "P2", "P3", "P4")}
        return Clockwork(targets, self.business_hours, self.timers)

    def contacts_for(self, topic: str) -> list[Contact]:
        """The chain for a topic (or risk), else the plan's `default` chain, else nobody."""
        return self.crisis.contacts_for(topic)

    def chain_for(self, topic: str) -> Chain:
        """The paging chain for an incident about `topic` (or a risk), to copy onto it."""
        return self.crisis.chain_for(topic)

    def statement_for(self, topic: str) -> str:
        """The first public statement for `topic`, placeholders unfilled (see TEMPLATE_FIELDS)."""
        return self.crisis.statements.get(topic) or self.templates.get("crisis_statement", "")


class PlaybookError(ValueError):
    """A playbook that can't be used; str() is "file:line: field: problem", one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def default_playbook_path() -> Path:
    return Path(__file__).with_name("default_playbook.yaml")


def _index_lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    """Record the 1-based line of every mapping key and sequence item, by its path."""
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[(*path, key)] = key_node.start_mark.line + 1
            _index_lines(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*path, i)] = item.start_mark.line + 1
            _index_lines(item, (*path, i), out)


def _line_for(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _placeholder_problems(where: tuple[Any, ...], text: str) -> list[tuple[tuple[Any, ...], str]]:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        return [(where, f"bad placeholder: {exc}")]
    unknown = sorted(names - TEMPLATE_FIELDS)
    if not unknown:
        return []
    known = ", ".join("{" + n + "}" for n in sorted(TEMPLATE_FIELDS))
    return [(where, f"unknown placeholder {{{unknown[0]}}} (known: {known})")]


def _cross_checks(book: Playbook) -> list[tuple[tuple[Any, ...], str]]:
    problems: list[tuple[tuple[Any, ...], str]] = []
    seen: set[str] = set()
    for i, topic in enumerate(book.topics):
        if topic.name in seen:
            problems.append((("topics", i, "name"), f"topic {topic.name!r} is defined twice"))
        seen.add(topic.name)
        if not topic.phrases and not topic.keywords:
            problems.append((("topics", i), "a topic needs phrases or keywords"))
    for key in REQUIRED_TEMPLATES:
        if key not in book.templates:
            problems.append((("templates",), f"missing template {key!r}"))
    for key, text in book.templates.items():
        problems.extend(_placeholder_problems(("templates", key), text))
    chains = {t.name for t in book.topics} | set(book.risks) | set(book.crisis.contacts)
    for key, text in book.crisis.statements.items():
        where = ("crisis", "statements", key)
        if key not in chains:
            problems.append((where, f"no topic, risk or crisis chain is called {key!r}"))
        problems.extend(_placeholder_problems(where, text))
    for code, lang in book.languages.items():
        if not (code.isascii() and code.isalpha() and code.islower() and len(code) in (2, 3)):
            problems.append((("languages", code), "a language is named by its ISO 639-1 code"))
        for risk in lang.risks:
            if risk not in book.risks:
                problems.append(
                    (("languages", code, "risks", risk), f"no risk category is called {risk!r}")
                )
    if book.thresholds.high_reach_followers < book.thresholds.influential_followers:
        problems.append(
            (("thresholds", "high_reach_followers"), "must be at least influential_followers")
        )
    if book.spike.overwhelming_count < book.spike.min_count:
        problems.append((("spike", "overwhelming_count"), "must be at least min_count"))
    return problems


def parse_playbook(text: str, name: str = "<playbook>") -> Playbook:
    """Validate playbook YAML text; `name` is what errors call the file."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlaybookError([f"{name}:{line}: (yaml): {problem}"]) from None
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PlaybookError([f"{name}:1: (top level): expected a mapping of settings"])
    try:
        book = Playbook.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            # our own checks raise ValueError; pydantic prefixes those with "Value error, "
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{name}:{_line_for(lines, loc)}: {_field_name(loc)}: {msg}")
        raise PlaybookError(problems) from None
    cross = _cross_checks(book)
    if cross:
        raise PlaybookError(
            [f"{name}:{_line_for(lines, loc)}: {_field_name(loc)}: {msg}" for loc, msg in cross]
        )
    return book


def load_playbook(path: str | Path | None = None) -> Playbook:
    """Read and validate a playbook file; None means the one shipped with Flare."""
    target = Path(path) if path is not None else default_playbook_path()
    try:
        raw = target.read_bytes()
    except OSError as exc:
        raise PlaybookError([f"{target}:0: (file): {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlaybookError([f"{target}:{line}: (file): not UTF-8: {exc.reason}"]) from None
    return parse_playbook(text, str(target))

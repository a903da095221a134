"""What Slack sends when someone clicks or submits, parsed once into typed references."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flare.outcome import Field

CONFIRM_META = "confirm"  # the reply modal asks for a tick: the brand already answered


def button_value(case_id: str) -> str:
    """A button's value: a typed reference to the case, never any state (read again on click)."""
    return json.dumps({"case": case_id}, separators=(",", ":"))


def case_of_button(value: str) -> str:
    """The case a button refers to; a card posted before references were typed holds the id."""
    if value.startswith("{"):
        try:
            ref = json.loads(value)
        except ValueError:
            return value
        if isinstance(ref, dict) and isinstance(ref.get("case"), str):
            return ref["case"]
    return value


def incident_value(topic: str, incident_id: str) -> str:
    """A button's value on a page or an incident card: which incident, of which topic."""
    return json.dumps({"incident": incident_id, "topic": topic}, separators=(",", ":"))


def incident_of_button(value: str) -> tuple[str, str]:
    """(topic, incident id) from an incident button's value; ("", "") if it names none."""
    try:
        ref = json.loads(value)
    except ValueError:
        return "", ""
    if not isinstance(ref, dict):
        return "", ""
    return str(ref.get("topic") or ""), str(ref.get("incident") or "")


def statement_value(topic: str, incident_id: str, draft_id: str) -> str:
    """A button's value on a statement's approval request: which draft, of which incident."""
    ref = {"incident": incident_id, "topic": topic, "draft": draft_id}
    return json.dumps(ref, separators=(",", ":"))


def statement_of_button(value: str) -> tuple[str, str, str]:
    """(topic, incident id, draft id) from a statement request's button; blanks if none."""
    topic, incident_id = incident_of_button(value)
    try:
        ref = json.loads(value)
    except ValueError:
        return topic, incident_id, ""
    return topic, incident_id, str(ref.get("draft") or "") if isinstance(ref, dict) else ""


def fold_value(channel: str) -> str:
    """The value of the Pull button on a channel's "N more waiting" card: which channel's
    folded cards (the card itself holds no list: the next one is read again on click)."""
    return json.dumps({"fold": channel}, separators=(",", ":"))


def fold_of_button(value: str) -> str:
    """The channel a Pull button names; "" if it names none."""
    try:
        ref = json.loads(value)
    except ValueError:
        return ""
    folded = ref.get("fold") if isinstance(ref, dict) else None
    return folded if isinstance(folded, str) else ""


@dataclass(frozen=True)
class Click:
    """A button click on a card or in its thread."""

    action: str
    case_id: str
    user: str
    value: str  # the button's value as sent, for references other than a case
    channel: str
    message_ts: str  # the message whose button was clicked
    trigger_id: str

    @classmethod
    def of(cls, body: dict[str, Any]) -> Click:
        action = body["actions"][0]
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        return cls(
            action=str(action.get("action_id", "")),
            case_id=case_of_button(str(action.get("value", ""))),
            value=str(action.get("value", "")),
            user=str(body["user"]["id"]),
            channel=str(channel or ""),
            message_ts=str(container.get("message_ts") or ""),
            trigger_id=str(body.get("trigger_id") or ""),
        )

    @property
    def fold(self) -> str:
        """The channel whose folded cards a Pull button names ("" for any other button)."""
        return fold_of_button(self.value)


def form_meta(case_id: str, confirm: bool = False) -> str:
    """A modal's private_metadata: a typed reference to the case, and whether a tick is asked
    for. JSON, so no character of an id can end it early and name another case."""
    ref: dict[str, Any] = {"case": case_id}
    if confirm:
        ref[CONFIRM_META] = True
    return json.dumps(ref, separators=(",", ":"))


def case_of_form(meta: str) -> tuple[str, bool]:
    """(case id, tick asked for) from a modal's private_metadata; a modal opened before
    references were typed holds `<id>` or `<id>|confirm`."""
    if meta.startswith("{"):
        try:
            ref = json.loads(meta)
        except ValueError:
            return "", False
        if isinstance(ref, dict) and isinstance(ref.get("case"), str):
            return ref["case"], ref.get(CONFIRM_META) is True
        return "", False
    case_id, bar, extra = meta.rpartition("|")
    return (case_id, True) if bar and extra == CONFIRM_META else (meta, False)


@dataclass(frozen=True)
class Submission:
    """A submitted modal: which case, who, and the value of each input."""

    case_id: str  # "" for a form about an incident
    meta: str  # the modal's private_metadata as sent
    user: str
    confirm_asked: bool
    values: dict[Field, str | None]
    key: str  # the same for a double submit of one modal: what it sends goes out once

    @classmethod
    def of(cls, body: dict[str, Any], view: dict[str, Any]) -> Submission:
        meta = str(view.get("private_metadata", ""))
        case_id, confirm = case_of_form(meta)
        state = view.get("state", {}).get("values", {})
        return cls(
            case_id=case_id,
            meta=meta,
            user=str(body["user"]["id"]),
            confirm_asked=confirm,
            values={f: _value(state.get(f.value, {})) for f in Field},
            key=str(view.get("id") or hashlib.sha1(repr(view).encode()).hexdigest()[:16]),
        )

    def text(self, at: Field) -> str:
        return (self.values.get(at) or "").strip()

    @property
    def incident(self) -> tuple[str, str]:
        """(topic, incident id) of a form about an incident, whose metadata names it where a
        case's form names the case (`incident_value`)."""
        return incident_of_button(self.meta)


def _value(block: dict[str, Any]) -> str | None:
    """The submitted value of one input block, whatever its element type."""
    for element in block.values():
        if element.get("type") in ("plain_text_input",) or "value" in element:
            return element.get("value")
        if element.get("selected_option"):
            return str(element["selected_option"]["value"])
        if "selected_options" in element:
            return ",".join(o["value"] for o in element["selected_options"]) or None
    return None

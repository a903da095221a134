"""What Teams sends when someone presses a card's button, parsed once into a typed reference."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bot.teams.adaptive import Press
from flare.outcome import Field

CARD_ACTION = "adaptiveCard/action"


@dataclass(frozen=True)
class Pressed:
    """A button pressed on a card: by whom, where, what it refers to, and the inputs beside it.

    `invoke` is an Action.Execute (answered with a card); otherwise an Action.Submit, which
    arrives as a message. `automatic` is a card's own refresh, which changes nothing.
    """

    press: Press
    inputs: dict[str, str]
    user: str  # the Teams user id (29:…)
    aad: str  # their Azure AD object id, which settings name them by
    name: str
    conversation: str
    service_url: str
    message_id: str  # the card's activity
    invoke: bool
    automatic: bool

    @classmethod
    def of(cls, activity: dict[str, Any]) -> Pressed | None:
        """The press an activity carries; None for anything else (a chat message, an install)."""
        kind = activity.get("type")
        value = activity.get("value")
        if kind == "invoke" and activity.get("name") == CARD_ACTION and isinstance(value, dict):
            action = value.get("action") or {}
            data = dict(action.get("data") or {})
            data.setdefault("verb", action.get("verb", ""))
            automatic = value.get("trigger") == "automatic"
        elif kind == "message" and isinstance(value, dict) and value.get("verb"):
            data, automatic = dict(value), False
        else:
            return None
        try:
            press = Press.model_validate(
                {k: data[k] for k in ("verb", "case", "incident", "topic", "draft") if k in data}
            )
        except ValidationError:
            return None
        sender = activity.get("from") or {}
        return cls(
            press=press,
            inputs={f.value: str(data[f.value]) for f in Field if data.get(f.value) is not None},
            user=str(sender.get("id", "")),
            aad=str(sender.get("aadObjectId") or sender.get("id", "")),
            name=str(sender.get("name", "")),
            conversation=str((activity.get("conversation") or {}).get("id", "")),
            service_url=str(activity.get("serviceUrl", "")),
            message_id=str(activity.get("replyToId") or ""),
            invoke=kind == "invoke",
            automatic=automatic,
        )

    def text(self, at: Field) -> str:
        return self.inputs.get(at.value, "").strip()

    @property
    def key(self) -> str:
        """The same for a press Teams sends again (an invoke retried, a double click with the
        same words): what it sends goes out once."""
        parts = (self.conversation, self.message_id, self.user, self.press.verb, self.press.case)
        said = "|".join([*parts, *(f"{k}={v}" for k, v in sorted(self.inputs.items()))])
        return hashlib.sha1(said.encode()).hexdigest()[:20]

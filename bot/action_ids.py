"""The ids of every button, modal and input on Flare's cards, shared by renderers and listeners."""

from __future__ import annotations

from enum import StrEnum


class ActionId(StrEnum):
    """Buttons on a case card (and in its thread); the value is always the case id."""

    CLAIM = "case_claim"
    RELEASE = "case_release"
    TAKE_OVER = "case_take_over"
    REPLY = "case_reply"
    DM = "case_dm"
    ESCALATE = "case_escalate"
    CLOSE = "case_close"
    REOPEN = "case_reopen"
    APPROVE_REPLY = "reply_approve"
    REJECT_REPLY = "reply_reject"
    REPLY_DRAFT = "reply_draft"  # the reply modal's text box: redraws the length check as you type


class ViewId(StrEnum):
    """Modals; private_metadata carries the case id."""

    REPLY = "view_reply"
    DM = "view_dm"
    ESCALATE = "view_escalate"
    CLOSE = "view_close"


class InputId(StrEnum):
    """Blocks and elements inside the modals, read back on submit."""

    DRAFT = "draft"
    CONFIRM = "confirm"
    TOPIC = "topic"
    SEVERITY = "severity"
    NOTE = "note"
    OUTCOME = "outcome"
    REASON = "reason"

"""The ids of every button and modal on Flare's Slack cards, shared by renderers and listeners."""

from __future__ import annotations

from enum import StrEnum

from flare.casework import Act


class ActionId(StrEnum):
    """Buttons on a case card (and in its thread), named as the case actions they run; the value
    is a typed reference to the case (`bot.payloads.button_value`)."""

    CLAIM = Act.CLAIM.value
    RELEASE = Act.RELEASE.value
    TAKE_OVER = Act.TAKE_OVER.value
    REPLY = Act.REPLY.value
    DM = Act.DM.value
    ESCALATE = Act.ESCALATE.value
    CLOSE = Act.CLOSE.value
    REOPEN = Act.REOPEN.value
    APPROVE_REPLY = Act.APPROVE.value
    REJECT_REPLY = Act.SEND_BACK.value
    SNOOZE = Act.SNOOZE.value  # on an open card while a reminder waits: put it off
    ON_IT = Act.ACKNOWLEDGE.value  # on an overdue line in the thread: the chain stops
    REPLY_DRAFT = "reply_draft"  # the reply modal's text box: redraws the length check as you type
    ACKNOWLEDGE = "incident_ack"  # on a page and on the incident card: paging stops
    PASS = "incident_pass"  # "Can't take it" on a page: the next contact is paged now
    DRAFT_STATEMENT = "incident_statement"  # on the incident card: PR drafts the statement
    APPROVE_STATEMENT = "statement_approve"  # on a statement's request: post it on X
    REJECT_STATEMENT = "statement_reject"  # on a statement's request: send it back
    PULL = Act.PULL.value  # on a channel's "N more waiting" card: card and claim the next one


class ViewId(StrEnum):
    """Modals; private_metadata carries the case id (`bot.payloads.form_meta`)."""

    REPLY = "view_reply"
    DM = "view_dm"
    ESCALATE = "view_escalate"
    CLOSE = "view_close"
    STATEMENT = "view_statement"  # private_metadata names the incident (`incident_value`)

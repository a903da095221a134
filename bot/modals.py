"""The modals behind Reply, DM, Escalate and Resolve, and an incident's statement: pure Block Kit
from the case (or the incident) and a draft."""

from __future__ import annotations

from typing import Any

from bot.action_ids import ActionId, ViewId
from bot.card import SECTION_TEXT
from bot.mrkdwn import clip, fit
from bot.payloads import form_meta, incident_value
from flare.case import Case
from flare.casework import CLOSE_REASONS, SEVERITIES
from flare.outcome import Field
from flare.statements import StatementForm

View = dict[str, Any]

INPUT_MAX = 3000  # Slack's most for a plain_text_input
NOTE_MAX = 1000  # a note for PR: a few lines, quoted whole in the PR channel


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150]}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": clip(label, 75)}, "value": value[:150]}


def _post_quote(case: Case) -> dict[str, Any]:
    """The post, shown as the card shows it: plain text, so it can neither ping nor format."""
    who = clip(case.mention.author.username or case.mention.author.id, 100)
    body = case.mention.text.strip() or "(the post has no text)"
    text = clip(f"@{who}: {body}", SECTION_TEXT)
    return {"type": "section", "text": {"type": "plain_text", "text": text, "emoji": False}}


def _shell(
    view_id: ViewId, case: Case, title: str, submit: str, blocks: list[Any], confirm: bool = False
) -> View:
    return {
        "type": "modal",
        "callback_id": view_id.value,
        "private_metadata": form_meta(case.id, confirm),
        "title": _text(title[:24]),
        "submit": _text(submit),
        "close": _text("Cancel"),
        "blocks": blocks,
    }


def reply_modal(
    case: Case, draft: str, check_line: str, notice: str | None = None, ask_confirm: bool = False
) -> View:
    """The reply modal: the post, the draft (pre-filled from the template), a live check line.

    `notice` explains something the agent must know (e.g. the brand already answered this
    conversation); `ask_confirm` then requires a tick before submitting.
    """
    blocks: list[Any] = [
        _post_quote(case),
        {
            "type": "input",
            "block_id": Field.DRAFT.value,
            "dispatch_action": True,
            "label": _text("Your reply (your signature is added)"),
            "element": {
                "type": "plain_text_input",
                "action_id": ActionId.REPLY_DRAFT.value,
                "multiline": True,
                "initial_value": draft[:INPUT_MAX],
                "dispatch_action_config": {"trigger_actions_on": ["on_character_entered"]},
            },
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": fit(check_line, 2000)}]},
    ]
    if notice:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"⚠️ {notice}"}})
    if ask_confirm:
        blocks.append(
            {
                "type": "input",
                "block_id": Field.CONFIRM.value,
                "label": _text("Confirm"),
                "element": {
                    "type": "checkboxes",
                    "action_id": Field.CONFIRM.value,
                    "options": [_option("Post anyway", "yes")],
                },
            }
        )
    return _shell(
        ViewId.REPLY,
        case,
        "Reply on X",
        "Post reply",
        blocks,
        confirm=ask_confirm,
    )


def dm_modal(case: Case, draft: str) -> View:
    blocks: list[Any] = [
        _post_quote(case),
        {
            "type": "input",
            "block_id": Field.DRAFT.value,
            "label": _text("Direct message"),
            "element": {
                "type": "plain_text_input",
                "action_id": Field.DRAFT.value,
                "multiline": True,
                "initial_value": draft[:INPUT_MAX],
                "max_length": INPUT_MAX,  # X takes 10,000 in a DM; Slack's input stops at 3,000
            },
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Private: ask for order numbers or account details here, "
                    "never in public.",
                }
            ],
        },
    ]
    return _shell(ViewId.DM, case, "Direct message", "Send DM", blocks)


def escalate_modal(case: Case, topics: list[str], default: str | None = None) -> View:
    """Topic (pre-selected from the case: its topic, else the risk Flare saw), severity, note."""
    default = default if default in topics else None
    topic_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": Field.TOPIC.value,
        "options": [_option(t, t) for t in topics[:100]],
    }
    if default:
        topic_select["initial_option"] = _option(default, default)
    blocks: list[Any] = [
        _post_quote(case),
        {
            "type": "input",
            "block_id": Field.TOPIC.value,
            "label": _text("Topic"),
            "element": topic_select,
        },
        {
            "type": "input",
            "block_id": Field.SEVERITY.value,
            "label": _text("Severity"),
            "element": {
                "type": "radio_buttons",
                "action_id": Field.SEVERITY.value,
                "initial_option": _option(SEVERITIES[0], SEVERITIES[0]),
                "options": [_option(s, s) for s in SEVERITIES],
            },
        },
        {
            "type": "input",
            "block_id": Field.NOTE.value,
            "label": _text("Note for PR"),
            "optional": True,
            "element": {
                "type": "plain_text_input",
                "action_id": Field.NOTE.value,
                "multiline": True,
                "max_length": NOTE_MAX,
            },
        },
    ]
    return _shell(ViewId.ESCALATE, case, "Escalate to PR", "Escalate", blocks)


def close_modal(case: Case) -> View:
    blocks: list[Any] = [
        _post_quote(case),
        {
            "type": "input",
            "block_id": Field.REASON.value,
            "label": _text("Outcome"),
            "element": {
                "type": "radio_buttons",
                "action_id": Field.REASON.value,
                "initial_option": _option(CLOSE_REASONS[0], CLOSE_REASONS[0]),
                "options": [_option(r, r) for r in CLOSE_REASONS],
            },
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Troll, duplicate, handled elsewhere and no action needed "
                    "close the case as *ignored*, "
                    "with the reason kept for the record.",
                }
            ],
        },
    ]
    return _shell(ViewId.CLOSE, case, "Close the case", "Close", blocks)


def statement_modal(form: StatementForm) -> View:
    """PR's public statement for everyone an incident affects, from the crisis plan's template;
    it goes out as a post of its own once a second person approves it."""
    what = "an update on" if form.update else "the statement on"
    blocks: list[Any] = [
        {
            "type": "input",
            "block_id": Field.DRAFT.value,
            "label": _text("Public statement on X"),
            "element": {
                "type": "plain_text_input",
                "action_id": Field.DRAFT.value,
                "multiline": True,
                "initial_value": form.draft[:INPUT_MAX],
                "max_length": INPUT_MAX,
            },
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"One post for everyone affected: {what} *{fit(form.topic, 100)}*. "
                    "Fill in the [bracketed] gaps; a second member of the PR team or a lead "
                    "approves it in the incident card's thread before it goes out.",
                }
            ],
        },
    ]
    return {
        "type": "modal",
        "callback_id": ViewId.STATEMENT.value,
        "private_metadata": incident_value(form.topic, form.incident_id),
        "title": _text("Statement update" if form.update else "Crisis statement"),
        "submit": _text("Ask for approval"),
        "close": _text("Cancel"),
        "blocks": blocks,
    }


def notice_of(view: dict[str, Any]) -> str | None:
    """The warning a reply modal shows (e.g. the brand already answered), to keep on a redraw."""
    for block in view.get("blocks", []):
        text = block.get("text", {}).get("text", "") if block.get("type") == "section" else ""
        if text.startswith("⚠️ "):
            return str(text.removeprefix("⚠️ "))
    return None

"""Slack's interaction requests as the demo's page builds them: signed as Slack signs them."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from slack_sdk.signature import Clock, SignatureVerifier

from cli.interaction import Signed, clicked, submitted

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


class At(Clock):
    """slack_sdk's clock, stopped at 1,800,000,000 s (the requests' timestamp)."""

    def now(self) -> float:
        return 1_800_000_000.0


def test_a_signed_request_carries_the_payload_form_encoded_with_slacks_headers() -> None:
    payload = clicked(
        "U0DEMOAGENT",
        "#social-care",
        {"ts": "1.000001", "text": "card", "blocks": []},
        {"type": "button", "action_id": "case_claim", "value": "{}"},
        "1.2.flaredemo",
    )

    signed = Signed.of(payload, SECRET, timestamp=1_800_000_000)

    assert json.loads(parse_qs(signed.body)["payload"][0]) == payload
    assert signed.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert signed.headers["X-Slack-Request-Timestamp"] == "1800000000"
    verifier = SignatureVerifier(SECRET, clock=At())
    assert verifier.is_valid(signed.body, "1800000000", signed.headers["X-Slack-Signature"])
    assert not verifier.is_valid(
        signed.body + "x", "1800000000", signed.headers["X-Slack-Signature"]
    )


def test_a_submission_carries_the_view_and_its_state_as_slack_does() -> None:
    view = {"id": "V1", "type": "modal", "callback_id": "view_reply", "private_metadata": "m"}
    values = {"draft": {"reply_draft": {"type": "plain_text_input", "value": "Hello"}}}

    payload = submitted("U0DEMOAGENT", view, values, "t")

    assert payload["type"] == "view_submission"
    assert payload["view"]["callback_id"] == "view_reply"
    assert payload["view"]["state"] == {"values": values}
    assert payload["view"]["hash"]  # Slack sends one; views.update may pass it back

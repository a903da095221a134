"""Draft checks: X's own length count with the signature, personal data blocked, tone warned."""

from __future__ import annotations

from flare.draft import X_LIMIT, check_draft, with_signature, x_length


def test_a_link_counts_as_23_characters_whatever_its_length() -> None:
    assert x_length("see https://example.com/a/very/long/path/that/goes/on?and=on") == 4 + 23


def test_wide_characters_count_twice() -> None:
    assert x_length("ありがとう") == 10
    assert x_length("merci") == 5


def test_the_signature_is_appended_once() -> None:
    assert with_signature("Sorry about that. ", "^PN") == "Sorry about that. ^PN"
    assert with_signature("Sorry about that. ^PN", "^PN") == "Sorry about that. ^PN"


def test_a_reply_over_the_limit_with_its_signature_is_blocked() -> None:
    check = check_draft("x" * (X_LIMIT - 2) + " ^PN", public=True)
    assert check.too_long
    assert check.blocked is not None and "shorten" in check.blocked


def test_personal_data_in_a_public_reply_is_blocked_but_not_in_a_dm() -> None:
    text = "Hi Sam, we see your card 4111 1111 1111 1111 was charged twice, refund on its way ^PN"
    assert "card" in check_draft(text, public=True).personal_data
    assert "DM" in (check_draft(text, public=True).blocked or "")
    assert check_draft(text, public=False).blocked is None


def test_a_rude_draft_is_warned_about_not_blocked() -> None:
    check = check_draft("This is a STUPID question, read the FAQ ^PN", public=True)
    assert check.tone is not None
    assert check.blocked is None


def test_a_kind_short_draft_passes_clean() -> None:
    check = check_draft(
        "So sorry for the wait, Sam. We're on it now and will update you. ^PN", True
    )
    assert (check.blocked, check.tone, check.personal_data) == (None, None, ())
    assert check.summary().startswith(f"{check.length}/{X_LIMIT} characters")

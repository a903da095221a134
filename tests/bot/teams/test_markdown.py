"""Adaptive Card markdown: outside text shown as typed, Flare's words with people's names."""

from __future__ import annotations

from bot.teams.markdown import escape, fit, from_mrkdwn, mentioning, say
from flare.words import Outside, Person, Quote, words


def test_escape_turns_every_markdown_sign_into_a_literal() -> None:
    assert escape("**a** _b_ [c](d) # e - f 1. g `h` ~i~ <at>j</at> \\") == (
        "\\*\\*a\\*\\* \\_b\\_ \\[c\\]\\(d\\) \\# e \\- f 1\\. g \\`h\\` \\~i\\~ "
        "\\<at\\>j\\</at\\> \\\\"
    )


def test_escape_breaks_the_date_and_time_functions() -> None:
    assert "{{" not in escape("{{TIME(2017-02-14T06:08:39Z)}}")


def test_fit_cuts_before_escaping_so_no_escape_is_cut_in_two() -> None:
    assert fit("a*b*c", 3) == "a\\*…"


def test_say_names_people_and_escapes_what_came_from_outside() -> None:
    said = words(Person("U1"), " escalated (", Outside("*topic*"), ").", Quote("draft"))

    assert (
        say(said, {"U1": "Jo [Doe]"}.get)
        == "**Jo \\[Doe\\]** escalated (\\*topic\\*).\n\ndraft\n\n"
    )


def test_people_teams_knows_are_mentioned_and_others_named() -> None:
    said = words(Person("U1"), " and ", Person("U2"), " hold it")

    text, entities = mentioning(said, {"U1": "Jo", "U2": "Sam"}.get, {"U1": "29:jo"}.get)

    assert text == "<at>Jo</at> and **Sam** hold it"
    assert entities == [
        {"type": "mention", "text": "<at>Jo</at>", "mentioned": {"id": "29:jo", "name": "Jo"}}
    ]


def test_a_slack_line_becomes_words_with_its_people_and_its_escapes_undone() -> None:
    said = from_mrkdwn("👀 <@U0LEAD>: a case &lt;b&gt; &amp; more")

    assert said == (Outside("👀 "), Person("U0LEAD"), Outside(": a case <b> & more"))

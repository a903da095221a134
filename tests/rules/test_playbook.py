"""The playbook file: the shipped one is valid, and every error names file, line and field."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from rules.duration import parse_duration
from rules.playbook import PlaybookError, default_playbook_path, load_playbook, parse_playbook


def test_the_shipped_playbook_loads_with_every_risk_and_template() -> None:
    book = load_playbook(None)
    assert {"legal", "safety", "discrimination", "data_privacy", "health", "media"} <= set(
        book.risks
    )
    assert {
        "ownership",
        "late_reply",
        "take_private",
        "thanks",
        "crisis_statement",
        "harassment_stop",
        "considered",
    } <= set(book.templates)
    assert book.max_age == timedelta(days=3)
    assert {t.name for t in book.topics} >= {"outage", "billing", "delivery", "account"}


def test_every_yaml_file_in_rules_is_valid() -> None:
    paths = sorted(default_playbook_path().parent.glob("*.yaml"))
    assert default_playbook_path() in paths
    for path in paths:
        load_playbook(path)


def test_durations_read_like_people_write_them() -> None:
    assert parse_duration("10m") == timedelta(minutes=10)
    assert parse_duration("3d") == timedelta(days=3)
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_an_unknown_field_names_its_file_line_and_path(tmp_path: Path) -> None:
    path = tmp_path / "book.yaml"
    path.write_text("version: 1\nthresholds:\n  negative: -0.3\n  positve: 0.5\n")
    with pytest.raises(PlaybookError) as exc:
        load_playbook(path)
    assert str(exc.value).startswith(f"{path}:4: thresholds.positve: ")


def test_a_bad_value_inside_a_list_names_the_item(tmp_path: Path) -> None:
    text = (
        "topics:\n  - name: outage\n    keywords: [down]\n  - name: Bad Name\n    keywords: [x]\n"
    )
    with pytest.raises(PlaybookError) as exc:
        parse_playbook(text, "p.yaml")
    assert str(exc.value).startswith("p.yaml:4: topics[1].name: ")


def test_a_bad_duration_is_reported_on_its_line() -> None:
    with pytest.raises(PlaybookError) as exc:
        parse_playbook("version: 1\nmax_age: forever\n", "p.yaml")
    assert "p.yaml:2: max_age: " in str(exc.value)


def test_a_template_with_an_unknown_placeholder_is_refused() -> None:
    text = default_playbook_path().read_text().replace("Thank you, {name}!", "Thanks {nmae}!")
    with pytest.raises(PlaybookError) as exc:
        parse_playbook(text, "p.yaml")
    assert "templates.thanks: unknown placeholder {nmae}" in str(exc.value)


def test_yaml_syntax_errors_carry_a_line_number() -> None:
    with pytest.raises(PlaybookError) as exc:
        parse_playbook("version: 1\ntopics: [a, b\n", "p.yaml")
    assert str(exc.value).startswith("p.yaml:")
    assert "(yaml)" in str(exc.value)


def test_a_missing_file_is_a_playbook_error(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError):
        load_playbook(tmp_path / "nope.yaml")


def test_a_file_that_is_not_utf8_is_a_playbook_error_naming_the_file(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("version: 1\nvip: [café]\n".encode("latin-1"))

    with pytest.raises(PlaybookError, match=r"latin1\.yaml:2: \(file\): not UTF-8"):
        load_playbook(latin)


def test_the_shipped_playbook_lists_controversial_topics_and_pages_the_press_office() -> None:
    book = load_playbook(None)
    assert "boycott*" in book.controversial.phrases
    assert book.contacts_for("media")[0].name == "Press office"


def test_a_playbook_without_the_considered_template_is_refused() -> None:
    text = default_playbook_path().read_text().replace("  considered: >-", "  considerd: >-")
    with pytest.raises(PlaybookError) as exc:
        parse_playbook(text, "p.yaml")
    assert "missing template 'considered'" in str(exc.value)


def test_controversial_phrases_are_a_list_under_phrases_and_nothing_else() -> None:
    with pytest.raises(PlaybookError) as exc:
        parse_playbook("version: 1\ncontroversial:\n  words: [politics]\n", "p.yaml")
    assert "p.yaml:3: controversial.words: " in str(exc.value)


def test_competitors_are_read_without_the_at_sign_in_lower_case_and_default_to_none() -> None:
    assert load_playbook(None).competitors == []
    text = default_playbook_path().read_text()
    book = parse_playbook(
        text.replace("competitors: []", "competitors: ['@Globex', ' Globex  Air ']")
    )
    assert book.competitors == ["globex", "globex air"]


def test_the_shipped_competitor_example_is_valid_when_uncommented() -> None:
    text = default_playbook_path().read_text()
    example = next(line for line in text.splitlines() if line.startswith("#   competitors:"))
    book = parse_playbook(text.replace("competitors: []", example[4:]), "p.yaml")
    assert book.competitors == ["globex", "globexhelp", "globex air"]


def test_a_blank_competitor_names_its_file_line_and_item() -> None:
    with pytest.raises(PlaybookError) as exc:
        parse_playbook("version: 1\ncompetitors:\n  - globex\n  - '@'\n", "p.yaml")
    assert str(exc.value).startswith("p.yaml:4: competitors[1]: ")
    assert "a competitor needs a handle or a name" in str(exc.value)


def test_competitors_are_a_list_not_one_name() -> None:
    with pytest.raises(PlaybookError) as exc:
        parse_playbook("version: 1\ncompetitors: globex\n", "p.yaml")
    assert "p.yaml:2: competitors: " in str(exc.value)


def test_a_contact_nobody_can_reach_is_refused_on_its_line() -> None:
    text = "crisis:\n  contacts:\n    legal:\n      - {name: Legal counsel, email: l@example.com}\n"
    text += "      - {name: Nobody}\n"
    with pytest.raises(PlaybookError) as exc:
        parse_playbook(text, "p.yaml")
    assert str(exc.value) == (
        "p.yaml:5: crisis.contacts.legal[1]: "
        "a contact needs a Slack id, a phone or an email to be reached"
    )


def test_the_chain_repeats_at_least_once_and_at_most_nine_times() -> None:
    for repeat in ("0", "10"):
        with pytest.raises(PlaybookError) as exc:
            parse_playbook(f"version: 1\ncrisis:\n  repeat: {repeat}\n", "p.yaml")
        assert str(exc.value).startswith("p.yaml:3: crisis.repeat: ")
    text = default_playbook_path().read_text().replace("  repeat: 2 ", "  repeat: 9 ")
    assert parse_playbook(text).chain_for("legal").repeat == 9


def test_a_contact_given_less_than_five_seconds_is_refused_on_its_line() -> None:
    text = "crisis:\n  contacts:\n    default:\n      - name: PR\n        slack: U0PR\n"
    text += "        ack_within: 2s\n"
    with pytest.raises(PlaybookError) as exc:
        parse_playbook(text, "p.yaml")
    assert str(exc.value).startswith("p.yaml:6: crisis.contacts.default[0].ack_within: ")
    assert "at least 5s" in str(exc.value)


def test_a_statement_per_topic_replaces_the_crisis_statement_template() -> None:
    text = (
        default_playbook_path()
        .read_text()
        .replace(
            "  statements: {}", "  statements:\n    outage: Our app is down. Update by [time]."
        )
    )
    book = parse_playbook(text, "p.yaml")

    assert book.statement_for("outage") == "Our app is down. Update by [time]."
    assert book.statement_for("billing") == book.templates["crisis_statement"]


def test_the_shipped_statement_example_is_valid_when_uncommented() -> None:
    text = default_playbook_path().read_text()
    lines = text.splitlines()
    start = lines.index("  #   statements:")
    example = ["  " + line[6:] for line in lines[start : start + 4]]
    book = parse_playbook(text.replace("  statements: {}", "\n".join(example)), "p.yaml")
    assert book.statement_for("outage").startswith("Our app is down")


def test_a_statement_for_a_topic_that_does_not_exist_is_refused() -> None:
    text = (
        default_playbook_path()
        .read_text()
        .replace("  statements: {}", "  statements:\n    outgae: Our app is down.")
    )
    with pytest.raises(PlaybookError) as exc:
        parse_playbook(text, "p.yaml")
    assert "crisis.statements.outgae: no topic, risk or crisis chain is called 'outgae'" in str(
        exc.value
    )


def test_a_statement_with_an_unknown_placeholder_is_refused() -> None:
    text = (
        default_playbook_path()
        .read_text()
        .replace("  statements: {}", "  statements:\n    outage: Sorry {nmae}.")
    )
    with pytest.raises(PlaybookError) as exc:
        parse_playbook(text, "p.yaml")
    assert "crisis.statements.outage: unknown placeholder {nmae}" in str(exc.value)


def test_durations_may_be_written_in_seconds() -> None:
    assert parse_duration("90s") == timedelta(seconds=90)


@pytest.mark.parametrize("written", ["99999999999w", "450000w", "53w", "P99999999W", ".inf"])
def test_a_duration_longer_than_a_year_is_refused_naming_file_line_and_field(
    written: str,
) -> None:
    text = f"version: 1\nresponse_targets:\n  P4: {written}\n"

    with pytest.raises(PlaybookError) as refused:
        parse_playbook(text, "mine.yaml")

    assert str(refused.value).startswith("mine.yaml:3: response_targets.P4: must be at most 366d")


def test_a_huge_negative_max_age_is_refused_by_name_not_overflowed() -> None:
    with pytest.raises(PlaybookError) as refused:
        parse_playbook("version: 1\nmax_age: -103736486520090.0\n", "mine.yaml")

    assert str(refused.value).startswith("mine.yaml:2: max_age: must be longer than zero")


def test_a_duration_of_a_year_is_still_fine() -> None:
    assert parse_duration("52w") == timedelta(weeks=52)
    assert parse_duration("366d") == timedelta(days=366)


def test_the_shipped_playbook_reads_spanish_and_french_risks() -> None:
    book = load_playbook(None)

    assert book.languages["es"].name == "Spanish" and book.languages["fr"].name == "French"
    assert {"legal", "safety"} <= set(book.languages["es"].risks)
    assert book.languages["es"].self_harm


def test_a_language_naming_an_unknown_risk_is_refused_on_its_line() -> None:
    text = default_playbook_path().read_text() + "\n"
    extra = "\n".join(
        [
            "languages:",
            "  de:",
            "    name: German",
            "    risks:",
            "      lawsuits: [anwalt]",
        ]
    )
    start = text.index("\nlanguages:\n")
    end = text.index("\n# ", start + 1)
    text = text[:start] + "\n" + extra + text[end:]
    with pytest.raises(PlaybookError) as exc:
        parse_playbook(text, "p.yaml")
    line = text[:start].count("\n") + 6
    assert f"p.yaml:{line}: languages.de.risks.lawsuits: no risk category is called" in str(
        exc.value
    )


def test_a_language_is_named_by_its_iso_code() -> None:
    with pytest.raises(PlaybookError) as exc:
        parse_playbook("version: 1\nlanguages:\n  Spanish:\n    name: Spanish\n", "p.yaml")
    assert "p.yaml:3: languages.Spanish: a language is named by its ISO 639-1 code" in str(
        exc.value
    )

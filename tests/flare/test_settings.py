"""Settings: the FLARE_* names are a contract; bad values fail at start-up naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from flare.settings import (
    SettingsError,
    load_settings,
    masked,
    secrets_of,
    setting_names,
    without_password,
)


def test_nested_settings_are_read_from_double_underscore_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLARE_BRAND__HANDLES", "@Acme, acmehelp")
    monkeypatch.setenv("FLARE_SLACK__AGENTS", "U1,U2")
    monkeypatch.setenv("FLARE_X__API_URL", "http://127.0.0.1:9")

    settings = load_settings()

    assert settings.brand.handles == ("acme", "acmehelp")
    assert settings.slack.agents == ("U1", "U2")
    assert settings.x.api_url == "http://127.0.0.1:9"


def test_secrets_are_masked_when_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_SLACK__BOT_TOKEN", "xoxb-very-secret")

    shown = masked(load_settings())

    assert shown["FLARE_SLACK__BOT_TOKEN"] == "********"
    assert "xoxb-very-secret" not in str(shown)
    assert shown["FLARE_X__BEARER_TOKEN"] == "(unset)"


def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_REDIS_URL", "localhost:6379")

    with pytest.raises(SettingsError, match="FLARE_REDIS_URL"):
        load_settings()


def test_a_bad_nested_value_names_the_nested_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_INTAKE__PORT", "seventy")

    with pytest.raises(SettingsError, match="FLARE_INTAKE__PORT"):
        load_settings()


def test_pages_and_email_are_off_until_their_urls_are_set() -> None:
    settings = load_settings()

    assert not settings.pager.enabled
    assert not settings.smtp.enabled


def test_flare_config_shows_the_pager_and_smtp_settings_with_secrets_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLARE_PAGER__EVENTS_URL", "https://events.pagerduty.com/v2/enqueue")
    monkeypatch.setenv("FLARE_PAGER__ROUTING_KEY", "R0UTINGKEYSECRET")
    monkeypatch.setenv("FLARE_SMTP__URL", "smtp://pager%40acme.example:hunter2@mail.acme.example")
    monkeypatch.setenv("FLARE_SMTP__SENDER", "flare@acme.example")

    shown = masked(load_settings())

    assert shown["FLARE_PAGER__EVENTS_URL"] == "https://events.pagerduty.com/v2/enqueue"
    assert shown["FLARE_PAGER__ROUTING_KEY"] == "********"
    assert shown["FLARE_SMTP__URL"] == "smtp://pager%40acme.example:********@mail.acme.example"
    assert shown["FLARE_SMTP__SENDER"] == "flare@acme.example"
    assert "R0UTINGKEYSECRET" not in str(shown) and "hunter2" not in str(shown)


def test_a_redis_password_is_masked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_REDIS_URL", "redis://:hunter2@redis.internal:6379/0")

    assert masked(load_settings())["FLARE_REDIS_URL"] == "redis://:********@redis.internal:6379/0"


def test_the_smtp_url_says_where_and_how_mail_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_SMTP__URL", "smtp://pager%40acme.example:p%3Ass@mail.acme.example")
    plain = load_settings().smtp.server
    monkeypatch.setenv("FLARE_SMTP__URL", "smtps://mail.acme.example")
    tls = load_settings().smtp.server

    assert plain == ("mail.acme.example", 587, False, "pager@acme.example", "p:ss")
    assert (tls.port, tls.ssl, tls.user) == (465, True, "")


def test_an_smtp_url_that_is_not_one_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_SMTP__URL", "mail.acme.example:587")

    with pytest.raises(SettingsError, match=r"FLARE_SMTP__URL: .*smtp:// or smtps://"):
        load_settings()


def test_a_pager_url_without_a_routing_key_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_PAGER__EVENTS_URL", "https://events.pagerduty.com/v2/enqueue")

    with pytest.raises(SettingsError, match="FLARE_PAGER__ROUTING_KEY is needed"):
        load_settings()


def test_a_bad_smtp_url_is_reported_without_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_SMTP__URL", "smtp://pager:hunter2@mail.acme.example:99999")

    with pytest.raises(SettingsError) as exc:
        load_settings()

    assert "FLARE_SMTP__URL: the port must be a number" in str(exc.value)
    assert "hunter2" not in str(exc.value)


# Microsoft Teams --------------------------------------------------------------------------------
AAD = "aaaaaaaa-0000-4000-8000-000000000001"


def test_teams_is_off_until_its_app_id_is_set() -> None:
    assert not load_settings().teams.enabled


def test_a_teams_app_id_without_its_secret_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_TEAMS__APP_ID", "app")

    with pytest.raises(SettingsError, match="FLARE_TEAMS__APP_SECRET is needed"):
        load_settings()


def test_a_teams_user_mapped_to_slack_acts_as_their_slack_self(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLARE_TEAMS__PEOPLE", f"{AAD}=U0JO")

    teams = load_settings().teams

    assert teams.person(AAD.upper()) == "U0JO"
    assert teams.person("another-aad") == "another-aad"
    assert teams.aad_of("U0JO") == AAD
    assert teams.aad_of("U0NOBODY") is None


def test_a_people_entry_that_is_not_a_pair_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLARE_TEAMS__PEOPLE", "U0JO")

    with pytest.raises(SettingsError, match="FLARE_TEAMS__PEOPLE"):
        load_settings()


def test_the_teams_secret_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_TEAMS__APP_ID", "app")
    monkeypatch.setenv("FLARE_TEAMS__APP_SECRET", "very-secret")

    shown = masked(load_settings())

    assert shown["FLARE_TEAMS__APP_SECRET"] == "********"
    assert "very-secret" not in str(shown)


def test_retention_and_the_digest_are_read_from_their_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLARE_REPORTS__RETENTION_DAYS", "30")
    monkeypatch.setenv("FLARE_REPORTS__DIGEST_CHANNEL", "#leads")

    reports = load_settings().reports

    assert (reports.retention_days, reports.digest_channel, reports.digest_hour) == (
        30,
        "#leads",
        8,
    )


def test_a_retention_of_no_days_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_REPORTS__RETENTION_DAYS", "0")

    with pytest.raises(SettingsError, match="FLARE_REPORTS__RETENTION_DAYS"):
        load_settings()


# refused at start ---------------------------------------------------------------------------
def test_a_misspelt_setting_is_refused_with_the_name_it_meant(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLARE_SLACK__ALERT_CHANNEL", "#care")

    with pytest.raises(SettingsError, match="did you mean FLARE_SLACK__ALERTS_CHANNEL"):
        load_settings()


def test_a_setting_that_is_nothing_like_any_is_refused_by_its_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLARE_SLACK__BOGUS", "1")

    with pytest.raises(SettingsError, match="FLARE_SLACK__BOGUS: no such setting"):
        load_settings()


def test_an_empty_value_where_one_is_needed_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLARE_SLACK__ALERTS_CHANNEL", "")

    with pytest.raises(SettingsError, match="FLARE_SLACK__ALERTS_CHANNEL is empty"):
        load_settings()


def test_an_empty_value_that_means_off_or_flares_own_is_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLARE_REDIS_URL", "")
    monkeypatch.setenv("FLARE_SLACK__APP_TOKEN", "")
    monkeypatch.setenv("FLARE_SMTP__URL", "")

    settings = load_settings()

    assert settings.redis_url == "" and settings.slack.app_token is None


def test_a_dot_env_file_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "# as compose reads it\n"
        "FLARE_SLACK__ALERTS_CHANNEL=#care\n"
        'FLARE_SLACK__PR_CHANNEL="#pr"\n'
        "COMPOSE_PROJECT_NAME=flare\n"
    )
    monkeypatch.setenv("FLARE_SLACK__PR_CHANNEL", "#from-the-shell")

    settings = load_settings(env_file=env)

    assert settings.slack.alerts_channel == "#care"
    assert settings.slack.pr_channel == "#from-the-shell"


def test_a_misspelt_setting_in_the_dot_env_file_is_refused(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("FLARE_SLACK__BOGUS=1\n")

    with pytest.raises(SettingsError, match="FLARE_SLACK__BOGUS"):
        load_settings(env_file=env)


def test_the_shipped_example_env_file_names_every_setting_and_nothing_else() -> None:
    example = Path(__file__).parents[2] / ".env.example"
    named = {
        line.lstrip("# ").split("=", 1)[0]
        for line in example.read_text().splitlines()
        if line.lstrip("# ").startswith("FLARE_") and "=" in line
    }
    groups = {"FLARE_BRAND", "FLARE_SLACK", "FLARE_X", "FLARE_INTAKE", "FLARE_PAGER"}
    groups |= {"FLARE_SMTP", "FLARE_TEAMS", "FLARE_REPORTS"}

    assert named == set(setting_names()) - groups


@pytest.mark.parametrize(
    ("variable", "token", "reason"),
    [
        ("FLARE_SLACK__APP_TOKEN", "xoxb-1-2-abc", "this is the bot token"),
        ("FLARE_SLACK__BOT_TOKEN", "xapp-1-A-abc", "this is an app-level token"),
        ("FLARE_SLACK__BOT_TOKEN", "xoxp-1-2-abc", "this is a user token"),
        ("FLARE_SLACK__BOT_TOKEN", "abc", "a bot token starts with xoxb-"),
    ],
)
def test_a_slack_token_with_the_wrong_prefix_is_refused_with_the_reason_and_not_shown(
    monkeypatch: pytest.MonkeyPatch, variable: str, token: str, reason: str
) -> None:
    monkeypatch.setenv(variable, token)

    with pytest.raises(SettingsError) as refused:
        load_settings()

    assert variable in str(refused.value) and reason in str(refused.value)
    assert token not in str(refused.value)


def test_a_password_in_any_url_of_a_line_of_text_is_masked() -> None:
    line = "can't reach redis://:hunter22@db:6379/0 nor smtp://pages:p%40ss@mail:587"

    shown = without_password(line)

    assert "hunter22" not in shown and "p%40ss" not in shown
    assert "redis://:********@db:6379/0" in shown and "smtp://pages:********@mail:587" in shown


def test_the_secrets_of_the_settings_include_url_passwords(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLARE_REDIS_URL", "redis://:hunter22@db:6379/0")
    monkeypatch.setenv("FLARE_SLACK__BOT_TOKEN", "xoxb-very-secret")

    assert {"hunter22", "xoxb-very-secret"} <= set(secrets_of(load_settings()))

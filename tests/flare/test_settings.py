"""Settings: the FLARE_* names are a contract; bad values fail at start-up naming the variable."""

from __future__ import annotations

import pytest

from flare.settings import SettingsError, load_settings, masked


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

"""Flare put together from settings: one team across Slack and Teams."""

from __future__ import annotations

from cli.wiring import team_of
from flare.settings import Settings

JO_AAD, SAM_AAD = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"


def test_teams_users_join_the_slack_team_under_the_id_they_act_as() -> None:
    settings = Settings(
        slack={"agents": ("U0JO",), "leads": ("U0LEE",)},
        teams={"agents": (JO_AAD, SAM_AAD), "pr_team": (SAM_AAD,), "people": (f"{JO_AAD}=U0JO",)},
    )

    team = team_of(settings)

    assert team.agents == {"U0JO", SAM_AAD}
    assert team.pr == {SAM_AAD} and team.leads == {"U0LEE"}

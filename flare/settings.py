"""Every setting Flare reads, from `FLARE_*` environment variables, built once at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CsvList = Annotated[tuple[str, ...], NoDecode]


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class BrandSettings(BaseModel):
    handles: CsvList = ()
    """X handles that are "us", without "@"; posts by them are the brand's own."""

    @field_validator("handles", mode="before")
    @classmethod
    def _handles(cls, value: Any) -> Any:
        value = _split_csv(value)
        return tuple(h.lstrip("@").lower() for h in value) if isinstance(value, tuple) else value


class SlackSettings(BaseModel):
    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None
    api_url: str = "https://slack.com/api/"
    alerts_channel: str = "#social-care"
    pr_channel: str = "#pr-escalations"
    agents: CsvList = ()
    pr_team: CsvList = ()

    _csv = field_validator("agents", "pr_team", mode="before")(_split_csv)

    @property
    def configured(self) -> bool:
        return self.bot_token is not None and self.signing_secret is not None


class XSettings(BaseModel):
    api_url: str = "https://api.x.com"
    bearer_token: SecretStr | None = None
    consumer_key: SecretStr | None = None
    consumer_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_token_secret: SecretStr | None = None
    user_id: str | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FLARE_",
        env_nested_delimiter="__",
        extra="ignore",
        validate_default=True,
    )

    redis_url: str = ""
    """Empty: Flare starts (or joins) its own Redis server in the data dir."""
    data_dir: Path = Path(".flare")
    playbook: Path | None = None
    """Empty: the playbook shipped with Flare."""
    brand: BrandSettings = Field(default_factory=BrandSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    x: XSettings = Field(default_factory=XSettings)
    port: int = Field(default=3000, ge=1, le=65535)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value


class SettingsError(RuntimeError):
    """Start-up failed on a setting; the message names the environment variable."""


def env_name(loc: tuple[int | str, ...]) -> str:
    return "FLARE_" + "__".join(str(p).upper() for p in loc if not isinstance(p, int))


def load_settings(**overrides: Any) -> Settings:
    """Read the environment once; a bad value becomes one readable error naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = [f"{env_name(e['loc'])}: {e['msg']} (got {e.get('input')!r})" for e in exc.errors()]
        raise SettingsError("bad setting:\n  " + "\n  ".join(lines)) from None


def masked(settings: Settings) -> dict[str, str]:
    """Every effective setting as `FLARE_…` name → value, secrets shown as set/unset only."""
    out: dict[str, str] = {}

    def walk(prefix: tuple[str, ...], model: BaseModel) -> None:
        for name in type(model).model_fields:
            value = getattr(model, name)
            loc = (*prefix, name)
            if isinstance(value, BaseModel):
                walk(loc, value)
            elif isinstance(value, SecretStr):
                out[env_name(loc)] = "********" if value.get_secret_value() else "(empty)"
            elif value is None:
                out[env_name(loc)] = "(unset)"
            elif isinstance(value, tuple):
                out[env_name(loc)] = ",".join(value)
            else:
                out[env_name(loc)] = str(value)

    walk((), settings)
    return out

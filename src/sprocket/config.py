"""Settings: `SPROCKET_*` environment variables, a `.env` file, and secrets files.

Secrets files follow Docker's convention: a directory (``SPROCKET_SECRETS_DIR``, default
``/run/secrets``) holding one file per setting, named like the variable
(``sprocket_database_url`` or ``SPROCKET_DATABASE_URL``), whose content is the value.
Environment variables win over the ``.env`` file, which wins over secrets files.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRETS_DIR = "/run/secrets"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SPROCKET_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    data_dir: Path = Field(Path("data"), description="Folder for the embedded database and files.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: a SQLite file in the data folder."
    )
    storage_url: str | None = Field(
        None, description="Object storage (replays, images); default: a folder in the data folder."
    )
    broker_url: str = Field("memory://", description="Task broker: memory:// or amqp://...")
    cache_url: str = Field("memory://", description="Cache and pub/sub: memory:// or redis://...")
    cache_prefix: str = Field("sprocket:", description="Prefix of every cache key and channel.")
    queue_name: str = Field("sprocket", description="Broker queue (and exchange) name.")
    s3_endpoint_url: str | None = Field(None, description="S3-compatible endpoint, if not AWS.")
    s3_region: str | None = Field(None, description="S3 region.")
    s3_access_key_id: str | None = Field(None, description="S3 access key id (a secret).")
    s3_secret_access_key: str | None = Field(None, description="S3 secret key (a secret).")
    backup_url: str | None = Field(
        None,
        description="Where `sprocket backup` keeps archives: a folder or s3://bucket/prefix "
        "(production: a bucket off the host); default: the folder backups in the data folder.",
    )
    backup_s3_endpoint_url: str | None = Field(
        None, description="S3-compatible endpoint of the backup bucket (default: s3_endpoint_url)."
    )
    backup_s3_region: str | None = Field(
        None, description="Region of the backup bucket (default: s3_region)."
    )
    backup_s3_access_key_id: str | None = Field(
        None, description="Access key id for the backup bucket (a secret; default: s3's)."
    )
    backup_s3_secret_access_key: str | None = Field(
        None, description="Secret key for the backup bucket (a secret; default: s3's)."
    )
    backup_interval_minutes: int = Field(
        60,
        ge=1,
        description="How often backups are due (the recovery point: the most a failure may "
        "lose); `backup create --if-due` and `doctor` judge by it.",
    )
    backup_keep_hourly: int = Field(
        24, ge=0, description="Backups kept: the newest of each of the last this many hours."
    )
    backup_keep_daily: int = Field(
        7, ge=0, description="Backups kept: the newest of each of the last this many days."
    )
    backup_keep_weekly: int = Field(
        4, ge=0, description="Backups kept: the newest of each of the last this many weeks."
    )
    backup_pg_bin_dir: Path | None = Field(
        None,
        description="Folder of pg_dump and pg_restore (default: Debian's folder of the "
        "server's major version, else the PATH).",
    )
    host: str = Field(
        "127.0.0.1",
        description="Address `serve` (and the metrics of `worker`, `periodic`) listens on.",
    )
    port: int = Field(8000, description="Port `serve` listens on.")
    metrics_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Port where `worker` and `periodic` publish their Prometheus metrics "
        "(0: not published; `serve` answers /metrics on its own port).",
    )
    public_url: str | None = Field(None, description="URL users reach, behind a reverse proxy.")
    log_format: Literal["auto", "console", "json"] = Field(
        "auto", description="auto: readable on a terminal, JSON otherwise."
    )
    log_level: str = Field("info", description="Lowest log level written.")
    job_retries: int = Field(5, description="Times a failed background job is run again.")
    job_retry_delay_seconds: float = Field(
        1.0, description="Delay before a job's first retry; the n-th waits about n times it."
    )
    run_relay: bool = Field(True, description="Run the outbox relay inside `serve`.")
    outbox_poll_seconds: float = Field(1.0, description="How often the relay looks for work.")
    scrim_sweep_seconds: float = Field(
        5.0, description="How often `serve` ends expired scrim waits and check-ins (0: never)."
    )
    match_reminder_seconds: float = Field(
        60.0,
        description="How often `serve` looks for matches to remind of a missing result (0: "
        "never); each organization says how long before a window closes "
        "(`match_reminder_minutes`).",
    )
    notification_retry_seconds: float = Field(
        30.0,
        gt=0,
        description="Wait before retrying a Discord delivery that failed on Discord's side "
        "(a 5xx or no answer), in seconds; doubled after each failure, up to an hour.",
    )
    notification_max_attempts: int = Field(
        8, ge=1, le=30, description="Attempts at a Discord delivery before it is marked failed."
    )
    notification_sweep_seconds: float = Field(
        15.0,
        ge=0,
        description="How often `serve` sends the Discord deliveries whose retry is due (0: never).",
    )
    graphql_max_tokens: int = Field(1000, description="Most lexical tokens in a GraphQL document.")
    graphql_max_aliases: int = Field(
        15, description="Most aliased fields in a GraphQL document, fragments counted as spread."
    )
    graphql_max_depth: int = Field(10, description="Deepest GraphQL query accepted.")
    graphql_max_cost: int = Field(
        50_000, description="Most fields one GraphQL answer may resolve, lists at their page size."
    )
    graphql_max_subscriptions: int = Field(
        10, description="Most subscriptions one WebSocket connection may hold at once."
    )
    graphql_ide: bool = Field(
        False, description="Serve the GraphQL console at /graphql (`serve --demo` turns it on)."
    )
    response_cache_ttl: int = Field(
        300, description="Seconds a public answer (a GraphQL query's, a spectator's page) is kept."
    )
    replay_max_bytes: int = Field(
        20 * 1024 * 1024, description="Largest replay file accepted, in bytes."
    )
    token_days: int = Field(90, ge=1, description="Default lifetime of a personal API token.")
    token_max_days: int = Field(
        365,
        ge=1,
        le=3650,
        description="Longest lifetime of a personal API token, in days; longer requests are "
        "refused (INVALID_TOKEN_LIFETIME).",
    )
    max_body_bytes: int = Field(
        1024 * 1024, description="Largest request body (uploads: the replay limit per file)."
    )
    request_timeout_seconds: float = Field(
        30.0, description="Longest one request may run once its body arrived (0: no limit)."
    )
    rate_limit_points: int = Field(
        600,
        ge=1,
        description="Points a client may spend per window on work the cache cannot answer.",
    )
    rate_limit_window_seconds: float = Field(
        60.0, gt=0, description="Length of a rate-limit window."
    )
    rate_limit_fields_per_point: int = Field(
        100, ge=1, description="A GraphQL request costs one point, plus one per this many fields."
    )
    secret_key: str | None = Field(
        None,
        description="Signs the web session and CSRF cookies (a secret); default: a random key "
        "kept in the data folder.",
    )
    session_hours: float = Field(
        24 * 14, gt=0, description="How long a web sign-in lasts before it must be renewed."
    )
    dev_sign_in: bool = Field(
        False,
        description="Let a visitor sign in as any user of the demo organization, without "
        "Discord (`serve --demo` turns it on); never with an https public URL.",
    )
    discord_client_id: str | None = Field(
        None, description="The Discord application's OAuth2 client id (none: no Discord sign-in)."
    )
    discord_client_secret: str | None = Field(
        None, description="The Discord application's OAuth2 client secret (a secret)."
    )
    discord_api_url: str = Field(
        "https://discord.com/api",
        description="Base URL of Discord's OAuth2 and REST endpoints (tests point it at a fake).",
    )
    discord_public_key: str | None = Field(
        None,
        description="The Discord application's public key (hex), which signs every interaction "
        "Discord posts to /discord/interactions (none: that endpoint is off).",
    )
    discord_application_id: str | None = Field(
        None,
        description="The Discord application's id, whose slash commands `sprocket discord "
        "sync-commands` registers.",
    )
    discord_bot_token: str | None = Field(
        None,
        description="The Discord bot's token (a secret), for `sync-commands` and notifications "
        "(none: Discord is off, and notifications reach the in-app inbox only).",
    )
    discord_interaction_max_age_seconds: float = Field(
        300.0,
        gt=0,
        description="Oldest (or furthest in the future) signed interaction accepted, in seconds; "
        "an interaction id is remembered this long so a replay is refused.",
    )
    discord_defer_after_seconds: float = Field(
        2.0,
        gt=0,
        lt=3,
        description="How long a command may run before its answer is deferred (Discord waits "
        "3 seconds) and sent as a follow-up once ready.",
    )
    discord_attachment_origins: str = Field(
        "https://cdn.discordapp.com,https://media.discordapp.net",
        description="Origins (scheme://host[:port], comma-separated) whence `/submit` downloads "
        "the replays attached to it: Discord's CDN (tests point it at a fake); an attachment "
        "elsewhere is refused.",
    )
    discord_report_wait_seconds: float = Field(
        120.0,
        gt=0,
        le=840,
        description="How long `/submit` waits for the replays' check before it answers with "
        "the submission's link instead of its report (Discord takes follow-ups for 15 minutes).",
    )
    trusted_proxies: str = Field(
        "",
        description="Addresses or networks (comma-separated) of reverse proxies whose "
        "X-Forwarded-For names the client; none by default.",
    )
    # Player settings: game account linking (Steam, Epic) and the Discord avatar's copy.
    steam_openid_url: str = Field(
        "https://steamcommunity.com/openid/login",
        description="Steam's OpenID 2.0 endpoint, where players prove their Steam account "
        "(tests point it at a fake).",
    )
    epic_client_id: str | None = Field(
        None, description="The Epic Account Services client id (none: no Epic sign-in)."
    )
    epic_client_secret: str | None = Field(
        None, description="The Epic Account Services client secret (a secret)."
    )
    epic_authorize_url: str = Field(
        "https://www.epicgames.com/id/authorize", description="Epic's OAuth2 authorize URL."
    )
    epic_token_url: str = Field(
        "https://api.epicgames.dev/epic/oauth/v2/token", description="Epic's OAuth2 token URL."
    )
    epic_userinfo_url: str = Field(
        "https://api.epicgames.dev/epic/oauth/v2/userInfo",
        description="Epic's userinfo URL, which names the account that signed in.",
    )
    epic_scope: str = Field("basic_profile openid", description="Scopes asked of Epic.")
    discord_cdn_url: str = Field(
        "https://cdn.discordapp.com",
        description="Base URL of Discord's CDN, whence a sign-in copies the avatar.",
    )
    avatar_max_bytes: int = Field(
        512 * 1024, ge=1, description="Largest avatar copied from Discord, in bytes."
    )

    @model_validator(mode="after")
    def _default_token_fits(self) -> Settings:
        if self.token_days > self.token_max_days:
            raise ValueError(
                f"token_days ({self.token_days}) must not exceed token_max_days "
                f"({self.token_max_days})."
            )
        return self

    @property
    def https(self) -> bool:
        """Whether users reach the server over https (its public URL says so)."""
        return (self.public_url or "").startswith("https://")

    @property
    def dev_sign_in_active(self) -> bool:
        """The development sign-in: on when asked for, never behind an https public URL."""
        return self.dev_sign_in and not self.https

    @property
    def discord_sign_in(self) -> bool:
        """Whether the Discord sign-in is configured (a client id and secret)."""
        return bool(self.discord_client_id and self.discord_client_secret)

    @property
    def epic_sign_in(self) -> bool:
        """Whether signing in at Epic (which proves an Epic account) is configured."""
        return bool(self.epic_client_id and self.epic_client_secret)

    @cached_property
    def resolved_secret_key(self) -> str:
        """``secret_key``, else a random key made once and kept in the data folder (read
        only by its owner), so restarts and the processes sharing the folder agree."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret-key"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh = secrets.token_urlsafe(48)
            with contextlib.suppress(FileExistsError):  # another process made it first
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "w") as file:
                    file.write(fresh)
        return path.read_text().strip()

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'sprocket.db').resolve()}"

    @cached_property
    def resolved_storage_url(self) -> str:
        if self.storage_url:
            return self.storage_url
        return f"file://{(self.data_dir / 'storage').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, `.env` and the secrets folder (if it exists)."""
    secrets_dir = os.environ.get("SPROCKET_SECRETS_DIR", DEFAULT_SECRETS_DIR)
    kwargs: dict[str, object] = dict(overrides)
    if Path(secrets_dir).is_dir():
        kwargs["_secrets_dir"] = secrets_dir
    return Settings(**kwargs)  # type: ignore[arg-type]

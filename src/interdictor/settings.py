"""One typed settings object, passed in — never read from module globals."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("interdictor", appauthor=False))


class Settings(BaseSettings):
    """Settings from the environment (``INTERDICTOR_*``) or arguments."""

    model_config = SettingsConfigDict(env_prefix="INTERDICTOR_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir, description="Where the embedded database lives.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: a SQLite file in data_dir. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/dbname",
    )
    ruleset: str | None = Field(
        default=None,
        description="Rule set to screen with, stored or shipped (default: the store's active version, else the "
        "shipped 'default').",
    )
    ruleset_version: int | None = Field(default=None, description="Version of the named rule set (latest when unset).")
    corridors_file: Path | None = Field(
        default=None,
        description="Corridor configuration (YAML) to screen with (default: the shipped file with the store's "
        "overrides).",
    )
    chunk_rows: int = Field(default=250_000, ge=1, description="Rows read per chunk of a large file.")
    reassess_days: float = Field(default=7.0, gt=0, description="Shipments filed this many days back (and not "
                                 "yet decided) are live: a seizure linked to one, or a list update naming one of "
                                 "its parties, re-assesses it.")
    border_area_km: float = Field(default=100.0, gt=0, description="Distance to the US–Mexico border that counts as the border area.")
    detectors: str | None = Field(
        default=None, description="Comma-separated detectors to run (default: all), e.g. 'route,consistency'."
    )
    model: str | None = Field(
        default=None,
        description="Risk model version to screen with, e.g. '3' (default: the store's active one); 'off' for "
        "rules alone.",
    )
    opsin_jar: Path | None = Field(
        default=None, description="OPSIN jar for systematic chemical names (default: the one py2opsin ships, if installed)."
    )
    goods_sample_max_kg: float = Field(
        default=2.0, gt=0, description="Above this weight an item declared as a 'sample' is a reason."
    )
    unlocode_dir: Path | None = Field(
        default=None, description="UN/LOCODE CSV folder (one file per country) for city/postal-code/country checks."
    )
    party_programs_file: Path | None = Field(
        default=None, description="YAML of sanctions programme severities (default: drug programmes weigh most)."
    )
    nats_url: str = Field(default="nats://127.0.0.1:4222", description="NATS server for streaming intake.")
    stream_namespace: str = Field(
        default="interdictor", description="Subject and stream namespace on NATS (<ns>.intake.<partner>.<format>)."
    )
    secret_key: str | None = Field(default=None, description="Key for API-key hashing and session cookies.")
    smtp_url: str = Field(
        default="smtp://127.0.0.1:25",
        description="Mail server that sends e-mail alerts: smtp://[user:password@]host:port (smtps:// for TLS, "
        "smtp+starttls:// to upgrade).",
    )
    profiles_refresh_hours: float = Field(
        default=24.0, ge=0,
        description="How often serve and worker learn a new goods profile set and calibrated exam thresholds in the "
        "background, in hours (0: never; `interdictor profiles learn` still does).",
    )
    profiles_refresh_min_shipments: int = Field(
        default=1000, ge=1,
        description="Shipments that must have been stored since the last learned set before the background learns "
        "the next.",
    )
    alert_from: str = Field(default="interdictor@localhost", description="Sender address of e-mail alerts.")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (comma-separated, e.g. '127.0.0.1,10.0.0.0/8') of reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed; empty (the default): those headers are ignored.",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list):
            for v in value:
                ipaddress.ip_network(str(v), strict=False)  # a ValueError names the bad entry
        return value

    def detector_names(self) -> list[str] | None:
        if not self.detectors:
            return None
        return [d.strip() for d in self.detectors.split(",") if d.strip()]

    def with_database(self, url: str | None) -> Settings:
        """These settings with an explicit database ``url`` (an option beats the environment); as they are
        when ``url`` is empty."""
        return self.model_copy(update={"database_url": url}) if url else self

    def with_ruleset(self, ruleset: str) -> Settings:
        """These settings with an explicit rule set ``NAME`` or ``NAME-vN`` (an option beats the environment)."""
        name, _, version = ruleset.rpartition("-v")
        if name and version.isdigit():
            return self.model_copy(update={"ruleset": name, "ruleset_version": int(version)})
        return self.model_copy(update={"ruleset": ruleset, "ruleset_version": None})

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'interdictor.sqlite'}"

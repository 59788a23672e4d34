"""HUB_* settings, read from the environment once by the CLI."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _default(name: str) -> Path:
    """A file beside the checkout (editable install), else in the working directory."""
    candidate = PROJECT_DIR / name
    return candidate if candidate.exists() else Path.cwd() / name


class Settings(BaseSettings):
    """Deployment settings. Business routing lives in routes.yaml, not here."""

    model_config = SettingsConfigDict(env_prefix="HUB_", extra="ignore")

    schema_dir: Path = Field(default_factory=lambda: _default("schemas"),
                             description="the project's XSDs")
    iata_schema_dir: Path | None = Field(None, description="licensed IATA Cargo-XML XSDs; "
                                         "files here replace schemas/cargo_xml/* of the same name")
    routes: Path = Field(default_factory=lambda: _default("routes.yaml"))
    max_message_bytes: int = Field(10 * 1024 * 1024, gt=0)
    max_xml_depth: int = Field(256, gt=1, le=256)
    party_id: str = Field("EPORTHUB", description="the hub's own id in the headers it writes")
    log_level: str = "WARNING"
    log_json: bool = False

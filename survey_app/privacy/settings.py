"""The installation's privacy settings (``PRIVACY_FILE``, YAML): who the controller is, whom to
contact, the purposes, the legal basis and what is kept how long. The public notice and the
record of processing are both built from them, so the two never say different things."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

EXAMPLE_FILE = Path(__file__).with_name("example.yaml")


class PrivacyConfigError(ValueError):
    """The privacy file is missing, not YAML, or lacks what a notice must say."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _localised(value: dict[str, str]) -> dict[str, str]:
    if not str(value.get("id", "")).strip():
        raise ValueError("needs the Indonesian text (id)")
    return value


class Party(_Strict):
    """The controller or the data protection officer."""

    name: dict[str, str]
    email: str
    address: str = ""
    phone: str = ""

    _name = field_validator("name")(_localised)


class PrivacySettings(_Strict):
    example: bool = False
    """True for the shipped example: the notice then says it is not the installation's own."""
    controller: Party
    dpo: Party | None = None
    purposes: tuple[dict[str, str], ...]
    legal_basis: dict[str, str]
    retention: dict[str, str]

    _texts = field_validator("legal_basis", "retention")(_localised)

    @field_validator("purposes")
    @classmethod
    def _purposes(cls, value: tuple[dict[str, str], ...]) -> tuple[dict[str, str], ...]:
        if not value:
            raise ValueError("name at least one purpose")
        return tuple(_localised(item) for item in value)


def load_privacy(path: Path) -> PrivacySettings:
    """The settings in ``path``; PrivacyConfigError naming the file and the field otherwise."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PrivacyConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise PrivacyConfigError(f"{path}: not valid YAML ({exc})") from None
    try:
        return PrivacySettings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors())
        raise PrivacyConfigError(f"{path}: {problems}") from None


def text(value: dict[str, str], lang: str) -> str:
    """``value`` in ``lang``, else in Indonesian."""
    return value.get(lang) or value["id"]

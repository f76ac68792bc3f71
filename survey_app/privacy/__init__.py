"""Personal data protection (UU 27/2022): the public privacy notice and the record of
processing, both built from the installation's privacy settings and its questionnaires."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, current_app

from survey_app.privacy.settings import PrivacySettings, load_privacy

bp = Blueprint("privacy", __name__)


def init_app(app: Flask) -> None:
    """Load the privacy settings once; a broken file stops the app at start, naming the field."""
    app.extensions["privacy"] = load_privacy(Path(app.config["PRIVACY_FILE"]))


def settings() -> PrivacySettings:
    return current_app.extensions["privacy"]  # type: ignore[no-any-return]


from survey_app.privacy import routes  # noqa: E402,F401

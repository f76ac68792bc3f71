"""Community perception survey platform: the Flask application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported by create_app, so the pure engines under
    from flask import Flask  # survey_app.questionnaire can be imported without it.


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, commands."""
    from flask import Flask

    from survey_app import (
        auth,
        cli,
        clock,
        compression,
        errors,
        headers,
        i18n,
        navigation,
        privacy,
        questionnaires,
        queue,
        ratelimit,
        static_files,
    )
    from survey_app.admin import bp as admin_bp
    from survey_app.auth import bp as auth_bp
    from survey_app.config import load_config
    from survey_app.database import configure_engine
    from survey_app.downloads import bp as downloads_bp
    from survey_app.entry import bp as entry_bp
    from survey_app.extensions import csrf, db, migrate
    from survey_app.requests import SurveyRequest
    from survey_app.respond import bp as respond_bp

    app = Flask(__name__, instance_relative_config=True)
    app.request_class = SurveyRequest
    os.makedirs(app.instance_path, exist_ok=True)  # home of the default SQLite database
    app.config.from_mapping(load_config(app.instance_path, config))

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"], render_as_batch=True)
    headers.init_app(app)
    csrf.init_app(app)
    ratelimit.init_app(app)
    compression.init_app(app)
    static_files.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    clock.init_app(app)
    questionnaires.init_app(app)
    errors.init_app(app)
    navigation.init_app(app)
    queue.init_app(app)
    privacy.init_app(app)

    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(respond_bp, url_prefix="/s")
    app.register_blueprint(downloads_bp, url_prefix="/downloads")
    app.register_blueprint(entry_bp, url_prefix="/entry")
    app.register_blueprint(privacy.bp)
    app.add_url_rule("/", endpoint="index", view_func=auth.index)

    cli.init_app(app)
    return app

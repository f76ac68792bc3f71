"""What the app remembers between requests lives on the app (``app.extensions``), not in
module globals: two apps in one process (tests, a CLI next to a server) never share it."""

from __future__ import annotations

from pathlib import Path

from survey_app import create_app, questionnaires
from survey_app.extensions import db
from survey_app.respond.forms import form_class
from tests.conftest import _app_config


def test_two_apps_in_one_process_keep_their_own_memories(database_url):
    built = []
    for _ in range(2):
        app = create_app(_app_config(database_url))
        with app.test_request_context():
            questionnaire = questionnaires.load("trust-safety", 2)
            built.append((app, form_class(questionnaire, "id")))
            assert form_class(questionnaire, "id") is built[-1][1], "built once per app"
            questionnaires.file_hash(Path(questionnaire.path))
            db.session.remove()
            db.engine.dispose()
    (first, first_form), (second, second_form) = built
    assert first_form is not second_form
    for app in (first, second):
        assert len(app.extensions["respond_forms"]) == 1
        assert len(app.extensions["file_hashes"]) == 1

"""The production server settings in gunicorn.conf.py: preloading and the fork hooks."""

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

from survey_app.extensions import db

CONF = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"


def test_the_app_is_preloaded_and_its_objects_frozen_before_forking():
    settings = runpy.run_path(str(CONF))
    assert settings["preload_app"] is True
    try:
        settings["when_ready"](SimpleNamespace())
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_forked_worker_leaves_the_masters_connections_alone(app):
    """post_fork drops inherited pooled connections without closing them: the next request
    opens its own, and the connection the "master" holds still works."""
    settings = runpy.run_path(str(CONF))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # start from no idle connections: the only one is the master's
        inherited = db.engine.connect()
        raw = inherited.connection.dbapi_connection
        pooled_before = db.engine.pool.checkedout()
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))
    settings["post_fork"](server, SimpleNamespace())
    with app.app_context():
        assert db.engine.pool.checkedout() == 0 < pooled_before  # a fresh pool
        assert db.session.scalar(sa.text("SELECT 1")) == 1
        db.session.remove()
    assert inherited.scalar(sa.text("SELECT 1")) == 1  # not closed under its owner
    inherited.close()
    raw.close()  # the test plays the master too, which closes what it owns


def test_a_bare_wsgi_app_without_a_database_passes_through_post_fork():
    settings = runpy.run_path(str(CONF))
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: (lambda environ, start_response: [])))
    settings["post_fork"](server, SimpleNamespace())

"""A read-only episode under gunicorn: the server starts with its SQLite file on a read-only
mount, which is then remounted read-write, and the running server heals without a restart.

Residents' posts during the episode get 503 ``{"error": "unavailable"}`` (their phones keep the
answers and retry); every post after the remount is stored. Before the pool was emptied on
such a failure, connections opened while read-only stayed read-only and about half the posts
after the remount still failed until a restart.

It needs a real remount, so root on Linux: elsewhere it is skipped, saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from survey_app import create_app, questionnaires
from survey_app.extensions import db
from tests.conftest import _app_config
from tests.factories import complete_answers, consent_of, csrf_token, make_round, make_villages

REPO = Path(__file__).resolve().parents[1]
FORM = "/s/round-1/32.73.01.1001"


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)  # noqa: S603, S607 - fixed arguments


@pytest.fixture
def volume(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A small file system of its own that the test can remount read-only."""
    folder = tmp_path / "volume"
    folder.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("remounting a file system read-only needs root and mount(8)")
    try:
        _mount("-t", "tmpfs", "-o", "size=64m", "none", str(folder))
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc.stderr.decode(errors='replace').strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)  # noqa: S603, S607


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Resident:
    """A phone that loaded the form earlier: its session cookie and the form's CSRF token (both
    signed with the app's secret, so any server of the app takes them), posting JSON answers."""

    def __init__(self, base: str, client: FlaskClient) -> None:
        self.base = base
        self.token = csrf_token(client, FORM)
        self.consent = consent_of(client, FORM)
        cookie = client.get_cookie("session")
        assert cookie is not None
        self.cookie = f"session={cookie.value}"

    def post(self, answers: dict) -> tuple[int, dict]:  # type: ignore[type-arg]
        body = json.dumps({"submission_key": str(uuid.uuid4()), "answers": answers, "consent": self.consent}).encode()
        request = urllib.request.Request(  # noqa: S310 - our own local server
            self.base + FORM + "/submit", data=body, method="POST",
            headers={"Content-Type": "application/json", "X-CSRFToken": self.token, "Cookie": self.cookie})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            with error:  # closes the response it holds
                text = error.read()
            try:
                return error.code, json.loads(text or b"{}")
            except ValueError:
                return error.code, {"body": text.decode(errors="replace")[:300]}


def _wait_for(base: str, server: subprocess.Popen) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/static/respond.js", timeout=5).close()  # noqa: S310
            return
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.2)


def test_a_server_started_on_a_read_only_mount_heals_when_it_is_remounted_read_write(
        volume, sqlite_template, tmp_path):
    """The issue's episode: gunicorn starts with the SQLite file on a read-only mount, residents
    post, the file system is remounted read-write, and 30 more posts all succeed."""
    secret = "read-only-episode-secret-key-0123456789abcdef"
    prepared = tmp_path / "prepared.sqlite"
    shutil.copyfile(sqlite_template, prepared)
    app = create_app(_app_config(f"sqlite:///{prepared}", SECRET_KEY=secret))
    with app.app_context():
        make_villages()
        make_round("Round 1", "trust-safety@2", opened=True)
        db.session.commit()
        answers = complete_answers(questionnaires.load("trust-safety", 2))
        db.session.remove()
        db.engine.dispose()
    database = volume / "survey.sqlite"
    shutil.copyfile(prepared, database)
    _mount("-o", "remount,ro", str(volume))

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    residents = [_Resident(base, app.test_client()) for _ in range(4)]  # phones that loaded the form before
    with app.app_context():
        db.engine.dispose()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SURVEY_ENV": "development",
           "SECRET_KEY": secret, "RESPOND_RATE_LIMIT": "1000 per minute"}
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(base, server)
        during = [resident.post(answers) for resident in residents for _ in range(3)]
        assert during == [(503, {"error": "unavailable"})] * 12
        with pytest.raises(urllib.error.HTTPError) as page:  # a new visitor gets the resting page
            urllib.request.urlopen(base + FORM, timeout=10)  # noqa: S310
        page.value.close()
        assert page.value.code == 503 and "text/html" in page.value.headers["Content-Type"]

        _mount("-o", "remount,rw", str(volume))
        after = [residents[n % 4].post(answers)[0] for n in range(30)]
        assert after == [201] * 30, after
    finally:
        server.terminate()
        server.wait(timeout=30)

    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM responses")).scalar_one() == 30
    engine.dispose()

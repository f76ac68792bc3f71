"""Small builders for test data, written through the same operations the app uses."""

from __future__ import annotations

import re
import shutil
import uuid
from datetime import date
from pathlib import Path

from flask.testing import FlaskClient

from survey_app import quality, questionnaires
from survey_app.extensions import db
from survey_app.models import Area, AreaLevel, Mode, Response, Role, Round, User, Village
from survey_app.operations.responses import answers_digest
from survey_app.operations.rounds import create_round, open_round
from survey_app.operations.users import create_user
from survey_app.questionnaire.types import takes_answer
from survey_app.security import hash_password

PASSWORD = "correct horse battery"

# Two districts of one regency, three villages each: enough for scope and breakdown tests.
AREAS = [
    ("32", AreaLevel.PROVINCE, "Jawa Barat", None),
    ("32.73", AreaLevel.REGENCY, "Kota Bandung", "32"),
    ("32.73.01", AreaLevel.DISTRICT, "Sukasari", "32.73"),
    ("32.73.02", AreaLevel.DISTRICT, "Coblong", "32.73"),
]
VILLAGES = [
    ("32.73.01.1001", "Sukarasa", "32.73.01"),
    ("32.73.01.1002", "Gegerkalong", "32.73.01"),
    ("32.73.01.1003", "Isola", "32.73.01"),
    ("32.73.02.1001", "Cipaganti", "32.73.02"),
    ("32.73.02.1002", "Lebak Gede", "32.73.02"),
    ("32.73.02.1003", "Sadang Serang", "32.73.02"),
]


def make_villages() -> list[Village]:
    for code, level, name, parent in AREAS:
        db.session.add(Area(code=code, level=level, name=name, parent_code=parent))
    villages = [Village(code=code, name=name, district_code=district) for code, name, district in VILLAGES]
    db.session.add_all(villages)
    db.session.commit()
    return villages


def make_user(role: Role = Role.ADMIN, email: str | None = None, scope: list[str] | None = None) -> User:
    if role is Role.VIEWER and not scope:
        return _viewer_everywhere(email or "viewer@example.org")
    user = create_user(email or f"{role.value}@example.org", role, PASSWORD, scope or [])
    db.session.commit()
    return user


def _viewer_everywhere(email: str) -> User:
    """A viewer with an empty scope, as accounts made before viewers had to be given one: the
    operations refuse to make one now, but the doors must still show such an account nothing."""
    user = User(email=email, role=Role.VIEWER, password_hash=hash_password(PASSWORD))
    db.session.add(user)
    db.session.commit()
    return user


def make_round(name: str = "Round 1", ref: str = "trust-safety@1", *, opened: bool = False,
               scope: list[str] | None = None) -> Round:
    round_ = create_round(name, ref, scope_codes=scope or [])
    if opened:
        open_round(round_)
    db.session.commit()
    return round_


TEST_QUESTIONNAIRES = Path(__file__).resolve().parent / "data" / "three_languages"
"""Questionnaires only tests use (``tiga-bahasa``: three languages, an exclusive option)."""


def questionnaires_with_test_ones(folder: Path) -> dict[str, object]:
    """App config whose questionnaire folder (made in ``folder``) holds the shipped ones and
    the tests' own."""
    target = folder / "questionnaires"
    shutil.copytree(Path(__file__).resolve().parents[1] / "questionnaires", target)
    for child in TEST_QUESTIONNAIRES.iterdir():
        shutil.copytree(child, target / child.name)
    return {"QUESTIONNAIRE_DIR": str(target)}


def open_test_round(name: str, scope: list[str]) -> tuple[str, int]:
    """(slug, id) of an open round on the tests' own ``tiga-bahasa@1``, over the sample
    villages; the session is closed after, so residents' writes find SQLite's lock free."""
    make_villages()
    round_ = make_round(name, "tiga-bahasa@1", opened=True, scope=scope)
    made = (round_.slug, round_.id)
    db.session.remove()
    return made


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form served at ``path``, as a browser would see it (a resident
    form's, after agreeing to its consent)."""
    return token_in(open_form(client, path), path)


def token_in(html: str, path: str = "the page") -> str:
    """The CSRF token of the form in ``html``."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Post the sign-in form as a browser would; returns the response."""
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})


def sign_in(client: FlaskClient, role: Role = Role.ADMIN, scope: list[str] | None = None,
            email: str | None = None) -> User:
    """A new user with ``role`` (and ``scope``), signed in on ``client``."""
    user = make_user(role, email, scope)
    response = login(client, user.email)
    assert response.status_code == 302, f"sign-in refused: {response.status_code}"
    return user


def complete_answers(questionnaire, overrides: dict | None = None) -> dict:  # type: ignore[no-untyped-def]
    """A valid answer to every question shown, in form shape (strings and lists)."""
    pickers = {
        "single_choice": lambda q: q.scale_options()[-1].code,
        "yes_no": lambda q: "yes",
        "multiple_choice": lambda q: [q.scale_options()[0].code],
        "integer": lambda q: str(q.min if q.min is not None else 1),
        "short_text": lambda q: "Ronda malam",
        "long_text": lambda q: "Lampu jalan di gang.",
        "date": lambda q: date.today().isoformat(),  # "today" is within every bound a survey sets
    }
    overrides = overrides or {}
    answers: dict = {}
    for question in questionnaire.questions():
        if question.show_if is not None and not question.show_if.evaluate(answers):
            continue
        if not takes_answer(question):
            continue  # a note: nothing to answer
        answers[question.id] = overrides.get(question.id, pickers[question.type](question))
    return answers


CONSENT_RE = re.compile(r'name="_consent" value="([0-9a-f]{64})"')
AGREE_RE = re.compile(r'name="setuju" value="([0-9a-f]{64})"')


def consent_of(client: FlaskClient, url: str) -> str | None:
    """The hash of the consent the resident form at ``url`` asks first; None when it asks none."""
    found = AGREE_RE.search(client.get(url).get_data(as_text=True))
    return found.group(1) if found else None


def open_form(client: FlaskClient, url: str) -> str:
    """The form's first page as a resident reaches it: through the consent page, agreeing,
    when the questionnaire asks consent."""
    html = client.get(url).get_data(as_text=True)
    agree = AGREE_RE.search(html)
    if agree is None:
        return html
    agreed = client.get(f"{url}?setuju={agree.group(1)}")
    assert agreed.status_code == 200, agreed.status_code
    return agreed.get_data(as_text=True)


def form_pages(client: FlaskClient, url: str, answers: dict):  # type: ignore[no-untyped-def]
    """Walk the no-JS form page by page, posting every answer, as a browser without JS would
    (agreeing to the consent first, when one is asked)."""
    html = open_form(client, url)
    fields = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)  # type: ignore[union-attr]
              for name in ("csrf_token", "_key", "_started")}
    if found := CONSENT_RE.search(html):
        fields["_consent"] = found.group(1)
    page, response = "0", None
    for _ in range(30):
        data = {**fields, "_page": page, "_nav": "next", **answers}
        response = client.post(url, data=data)
        following = re.search(r'name="_page" value="(\d+)"', response.get_data(as_text=True))
        if response.status_code != 200 or following is None:  # stored (303), refused, or the end (a preview's)
            return response
        page = following.group(1)
    return response


def start_job(client: FlaskClient, round_slug: str, **fields: object):  # type: ignore[no-untyped-def]
    """Press a "prepare" button of a round's download page: the POST that queues a job."""
    page = f"/downloads/{round_slug}/"
    return client.post(f"/downloads/{round_slug}/jobs", data={"csrf_token": csrf_token(client, page), **fields})


def prepared_download(app, client: FlaskClient, round_slug: str, **fields: object):  # type: ignore[no-untyped-def]
    """Queue a job, let a queue worker run it here, and fetch its file through the job page's
    link (close the response: it is sent from the file)."""
    started = start_job(client, round_slug, **fields)
    assert started.status_code == 303, started.get_data(as_text=True)[:500]
    job_url = started.headers["Location"]
    db.session.commit()  # end the test's own read: on SQLite the worker writes the job row
    assert app.extensions["queue"].run_pending() == 1
    page = client.get(job_url).get_data(as_text=True)
    assert f'href="{job_url}/file"' in page, page
    return client.get(f"{job_url}/file")


def make_response(round_: Round, village_id: int, *, mode: Mode = Mode.WEB, answers: dict | None = None,
                  key: str | None = None, **fields: object) -> Response:
    """A stored response written straight to the table (no checks), added to the session
    uncommitted: for tests about counts and pages, not about the resident's door."""
    answers = dict(answers or {})
    questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    fields.setdefault("straightlined", quality.straightlined(answers, questionnaire))
    response = Response(submission_key=key or str(uuid.uuid4()), round_id=round_.id, village_id=village_id,
                        questionnaire_key=round_.questionnaire_key,
                        questionnaire_version=round_.questionnaire_version, mode=mode, answers=answers,
                        answers_digest=answers_digest(answers), **fields)
    db.session.add(response)
    return response


def village_counts_disagreements() -> list[tuple[object, ...]]:
    """Where the trigger-kept ``village_counts`` differ from a count of the stored responses:
    (round, village, kept, counted) for each pair that differs; empty when all agree."""
    import sqlalchemy as sa

    from survey_app.models import VillageCount

    db.session.commit()  # on SQLite the session's open transaction would hold the write lock
    with db.engine.connect() as connection:
        kept = {(r.round_id, r.village_id): (r.web, r.paper, r.last_at)
                for r in connection.execute(sa.select(VillageCount))}
        counted = {
            (r.round_id, r.village_id): (r.web, r.paper, r.last_at)
            for r in connection.execute(
                sa.select(Response.round_id, Response.village_id,
                          sa.func.count().filter(Response.mode == Mode.WEB).label("web"),
                          sa.func.count().filter(Response.mode == Mode.PAPER).label("paper"),
                          sa.func.max(Response.submitted_at).label("last_at"))
                .where(Response.deleted_at.is_(None))
                .group_by(Response.round_id, Response.village_id))
        }
    return [(*key, kept.get(key), counted.get(key)) for key in sorted(kept.keys() | counted.keys())
            if kept.get(key) != counted.get(key)]

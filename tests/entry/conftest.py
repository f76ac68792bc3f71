"""Paper-entry fixtures: villages, an open round on trust-safety v2, people with scopes,
and a signed-in test client per person (each client keeps its own session)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from survey_app.extensions import db
from survey_app.models import AuditEvent, DoubleEntry, PaperForm, Response, Role, Round, User
from survey_app.questionnaires import load
from tests.factories import complete_answers, csrf_token, login, make_round, make_user, make_villages

VILLAGE = "32.73.01.1001"
OTHER_DISTRICT_VILLAGE = "32.73.02.1001"


@pytest.fixture
def round_(app: Flask) -> Round:
    """An open round over both districts; double entry off until a test turns it on."""
    make_villages()
    return make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73"])


@pytest.fixture
def questionnaire(round_):  # type: ignore[no-untyped-def]
    return load("trust-safety", 2)


SCOPES = {
    "vol1": (Role.VOLUNTEER, ["32.73.01"]),
    "vol2": (Role.VOLUNTEER, ["32.73.01"]),
    "vol3": (Role.VOLUNTEER, ["32.73.02"]),
    "coord": (Role.COORDINATOR, ["32.73.01"]),
    "coord2": (Role.COORDINATOR, ["32.73.02"]),
    "admin": (Role.ADMIN, []),
    "viewer": (Role.VIEWER, []),
}


@pytest.fixture
def person(round_) -> Callable[[str], User]:  # type: ignore[no-untyped-def]
    """``person("vol1")``: that account, created on first use (see ``SCOPES``)."""
    made: dict[str, User] = {}

    def make(name: str) -> User:
        if name not in made:
            role, scope = SCOPES[name]
            made[name] = make_user(role, f"{name}@example.org", scope)
        return made[name]

    return make


@pytest.fixture
def as_user(app: Flask, person) -> Callable[[str], FlaskClient]:  # type: ignore[no-untyped-def]
    """``as_user("vol1")``: a client signed in as that person, interface in English."""
    clients: dict[str, FlaskClient] = {}

    def make(name: str) -> FlaskClient:
        if name not in clients:
            person(name)
            client = app.test_client()
            client.get("/lang/en")
            assert login(client, f"{name}@example.org").status_code == 302
            clients[name] = client
        return clients[name]

    return make


def set_double_entry(round_: Round, mode: DoubleEntry, share: int = 0) -> None:
    round_.double_entry, round_.double_entry_share = mode, share
    db.session.commit()


def typed(questionnaire, overrides: dict | None = None, **header: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A complete paper form as keyed: codes as text, lists as codes separated by spaces."""
    answers = complete_answers(questionnaire, overrides)
    values = {k: " ".join(v) if isinstance(v, list) else str(v) for k, v in answers.items()}
    return {"_village": VILLAGE, "_serial": "A001", "_date": "2026-11-01", "_interviewer": "", "_consent": "1",
            **header, **values}


def key(client: FlaskClient, round_: Round, values: dict[str, str], token: str | None = None):  # type: ignore[no-untyped-def]
    url = f"/entry/{round_.id}/key"
    token = token if token is not None else csrf_token(client, url)
    return client.post(url, data={"csrf_token": token, **values})


def forms() -> list[PaperForm]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(PaperForm).order_by(PaperForm.id)))


def responses() -> list[Response]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Response).order_by(Response.id)))


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# Browser fixtures (live server, Chromium, contexts) shared with the resident's tests.
from tests.browser.conftest import browser, live_server, new_context  # noqa: E402,F401

"""Small builders for test data, written through the same operations the app uses."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from survey_app.extensions import db
from survey_app.models import Area, AreaLevel, Role, Round, User, Village
from survey_app.operations.rounds import create_round, open_round
from survey_app.operations.users import create_user

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
    user = create_user(email or f"{role.value}@example.org", role, PASSWORD, scope or [])
    db.session.commit()
    return user


def make_round(name: str = "Round 1", ref: str = "trust-safety@1", *, opened: bool = False,
               scope: list[str] | None = None) -> Round:
    round_ = create_round(name, ref, scope_codes=scope or [])
    if opened:
        open_round(round_)
    db.session.commit()
    return round_


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form served at ``path``, as a browser would see it."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/auth/login")
    return client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})

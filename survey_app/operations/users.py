"""Accounts: creation and sign-in."""

from __future__ import annotations

import re

import sqlalchemy as sa

from survey_app import audit
from survey_app.extensions import db
from survey_app.models import Role, User, UserScope
from survey_app.models._types import utcnow
from survey_app.operations import OperationError
from survey_app.operations.areas import check_area_codes
from survey_app.security import hash_password, needs_rehash, password_problem, verify_password

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Spent on unknown emails too, so timing does not reveal which accounts exist.
_DUMMY_HASH = hash_password("timing-equaliser-not-a-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise OperationError(f"Unknown role {text!r}; choose one of: {choices}.") from None


def create_user(
    email: str,
    role: Role,
    password: str,
    scope_codes: list[str] | None = None,
    actor: User | str | None = None,
) -> User:
    """Create an account with a hashed password, limited to ``scope_codes`` if given."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise OperationError(f"{email!r} is not a valid email address.")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise OperationError(f"A user with email {email} already exists.")
    problem = password_problem(password)
    if problem:
        raise OperationError(problem)
    codes = check_area_codes(scope_codes or [])
    user = User(email=email, role=role, password_hash=hash_password(password))
    user.scopes = [UserScope(code_prefix=code) for code in codes]
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor=actor, object_type="user", object_id=user.id,
                 email=email, role=role.value, scope=codes)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; both outcomes are audited."""
    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        audit.record("auth.login_failed", actor=email[:254], object_type="user",
                     reason="unknown or inactive account")
        return None
    if not verify_password(user.password_hash, password):
        audit.record("auth.login_failed", actor=user, object_type="user", object_id=user.id,
                     reason="wrong password")
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, object_type="user", object_id=user.id)
    return user


def set_password(user: User, password: str, actor: User | str | None = None) -> None:
    problem = password_problem(password)
    if problem:
        raise OperationError(problem)
    user.password_hash = hash_password(password)
    audit.record("user.password_set", actor=actor, object_type="user", object_id=user.id)

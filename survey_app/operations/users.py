"""Accounts: creation, sign-in, invitations, temporary passwords, roles and scopes.

Secrets handed to people (invitation tokens, temporary passwords) are returned once in a
``Grant`` and never stored or audited: the database keeps only the token's sha256 or the
password's Argon2 hash. Audit actions: ``user.created``, ``user.invited`` (a link for a new
account), ``user.password_reset`` (new access for an existing one), ``user.role_changed``,
``user.scope_changed``, ``user.deactivated``, ``user.reactivated``, ``user.password_changed``.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from survey_app import audit
from survey_app.extensions import db
from survey_app.models import Role, User, UserScope
from survey_app.models._types import as_utc, utcnow
from survey_app.operations import OperationError
from survey_app.operations.areas import check_area_codes
from survey_app.operations.texts import _
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
    user, codes = _new_user(email, role, scope_codes, checked_hash(password, email))
    audit.record("user.created", actor=actor, object_type="user", object_id=user.id,
                 email=user.email, role=role.value, scope=codes)
    return user


def checked_hash(password: str, email: str) -> str:
    """The Argon2 hash of ``password`` for the account ``email``, or OperationError saying what
    is wrong with it."""
    problem = password_problem(password, [email])
    if problem:
        raise OperationError(problem)
    return hash_password(password)


def _new_user(email: str, role: Role, scope_codes: list[str] | None, password_hash: str) -> tuple[User, list[str]]:
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise OperationError(_("%(email)s is not a valid email address.", email=repr(email)))
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise OperationError(_("A user with email %(email)s already exists.", email=email))
    codes = _scope_for(role, scope_codes or [])
    user = User(email=email, role=role, password_hash=password_hash)
    user.scopes = [UserScope(code_prefix=code) for code in codes]
    db.session.add(user)
    db.session.flush()
    return user, codes


def _scope_for(role: Role, scope_codes: list[str]) -> list[str]:
    """The checked codes of a scope. An empty scope means every village for staff, but a viewer
    (a forum member, a village official) never sees everything: without codes the account
    would see nothing at all, so it is refused rather than created useless."""
    codes = check_area_codes(scope_codes)
    if role is Role.VIEWER and not codes:
        raise OperationError(_("A viewer must be limited to areas or villages: give at least one code."))
    return codes


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
    """Replace a password without asking for the old one (scripts); audited as user.password_set."""
    user.password_hash = checked_hash(password, user.email)
    audit.record("user.password_set", actor=actor, object_type="user", object_id=user.id)


# ---------------------------------------------------------------------------
# Giving people access: one-time invitation links and printed temporary passwords


class AccessMethod(enum.StrEnum):
    INVITATION = "invitation"
    TEMPORARY_PASSWORD = "temporary_password"  # noqa: S105 - a method name, not a password


@dataclass(frozen=True)
class Grant:
    """What to hand over, once: the invitation token or the temporary password."""

    user: User
    method: AccessMethod
    secret: str
    expires_at: datetime | None = None


class InvitationState(enum.Enum):
    VALID = "valid"
    UNKNOWN = "unknown"  # never issued, or already used (the hash is cleared on use)
    EXPIRED = "expired"
    INACTIVE = "inactive"


# No 0/O, 1/l/I: the password is read off paper and typed on a phone.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """A random password easy to copy from paper: three groups of four (about 59 bits)."""
    groups = ("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def token_hash(token: str) -> str:
    """The sha256 under which an invitation token is stored; the token itself never is."""
    return hashlib.sha256(token.encode()).hexdigest()


def _unusable_password_hash() -> str:
    # A real Argon2 hash of a discarded secret: sign-in fails at the same speed as a wrong password.
    return hash_password(secrets.token_urlsafe(32))


def _grant(user: User, method: AccessMethod, valid_hours: int) -> Grant:
    """Replace the user's way in; any older link or temporary password stops working."""
    user.invite_token_hash = None
    user.invite_expires_at = None
    if method is AccessMethod.INVITATION:
        token = secrets.token_urlsafe(32)
        user.password_hash = _unusable_password_hash()
        user.must_change_password = False
        user.invite_token_hash = token_hash(token)
        user.invite_expires_at = utcnow() + timedelta(hours=valid_hours)
        return Grant(user, method, token, user.invite_expires_at)
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    return Grant(user, method, password)


def create_user_with_access(
    email: str,
    role: Role,
    scope_codes: list[str],
    method: AccessMethod,
    *,
    valid_hours: int,
    actor: User | str | None = None,
) -> Grant:
    """Create an account reached by an invitation link or a temporary password."""
    user, codes = _new_user(email, role, scope_codes, _unusable_password_hash())
    grant = _grant(user, method, valid_hours)
    db.session.flush()
    audit.record("user.created", actor=actor, object_type="user", object_id=user.id,
                 email=user.email, role=role.value, scope=codes, method=method.value)
    if method is AccessMethod.INVITATION:
        audit.record("user.invited", actor=actor, object_type="user", object_id=user.id,
                     expires_at=_iso(grant.expires_at))
    return grant


def reset_access(user: User, method: AccessMethod, *, valid_hours: int, actor: User | str | None = None) -> Grant:
    """New access for an existing account; the old password and any older link stop working."""
    if not user.active:
        raise OperationError(_("This account is deactivated. Reactivate it before resetting its access."))
    grant = _grant(user, method, valid_hours)
    audit.record("user.password_reset", actor=actor, object_type="user", object_id=user.id,
                 method=method.value, expires_at=_iso(grant.expires_at))
    return grant


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def invitation_expired(user: User, now: datetime | None = None) -> bool:
    """True when the user has an invitation link and its time is up."""
    if user.invite_expires_at is None:
        return False
    return as_utc(user.invite_expires_at) <= (now or utcnow())


def find_invitation(token: str) -> tuple[InvitationState, User | None]:
    """The account a link belongs to and whether it may still be used."""
    user = db.session.scalar(sa.select(User).where(User.invite_token_hash == token_hash(token)))
    if user is None:
        return InvitationState.UNKNOWN, None
    if not user.active:
        return InvitationState.INACTIVE, user
    if user.invite_expires_at is None or invitation_expired(user):
        return InvitationState.EXPIRED, user
    return InvitationState.VALID, user


def accept_invitation(token: str, password: str) -> User:
    """Set the password chosen through a valid link and spend the link."""
    state, user = find_invitation(token)
    if state is not InvitationState.VALID or user is None:
        raise OperationError(_("This link can no longer be used."))
    user.password_hash = checked_hash(password, user.email)
    user.must_change_password = False
    user.invite_token_hash = None
    user.invite_expires_at = None
    user.last_login_at = utcnow()
    audit.record("user.password_changed", actor=user, object_type="user", object_id=user.id, via="invitation")
    audit.record("auth.login", actor=user, object_type="user", object_id=user.id, via="invitation")
    return user


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password proves it is them (a stolen session is not enough)."""
    if not verify_password(user.password_hash, current):
        audit.record("auth.password_change_failed", actor=user, object_type="user", object_id=user.id,
                     reason="wrong current password")
        raise OperationError(_("The current password is wrong."))
    if new == current:
        raise OperationError(_("Choose a new password that differs from the current one."))
    user.password_hash = checked_hash(new, user.email)
    user.must_change_password = False
    user.invite_token_hash = None
    user.invite_expires_at = None
    audit.record("user.password_changed", actor=user, object_type="user", object_id=user.id, via="self")


# ---------------------------------------------------------------------------
# Roles, scopes, deactivation: never leave the platform without an active administrator


def _other_active_admins(user: User) -> int:
    """Active administrators besides ``user``; the rows are locked so two admins demoting each
    other at once on PostgreSQL cannot both succeed (SQLite already serialises writers)."""
    ids = db.session.scalars(
        sa.select(User.id).where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
        .with_for_update()
    ).all()
    return len(ids)


def update_user(user: User, role: Role, scope_codes: list[str], *, actor: User | str | None = None) -> list[str]:
    """Change role and area scope; returns the audit actions written (empty when nothing changed)."""
    if role is not user.role and user.role is Role.ADMIN and user.active and _other_active_admins(user) == 0:
        raise OperationError(_("This is the last active administrator: make another user an administrator first."))
    codes = _scope_for(role, scope_codes)
    actions: list[str] = []
    if role is not user.role:
        audit.record("user.role_changed", actor=actor, object_type="user", object_id=user.id,
                     old=user.role.value, new=role.value)
        user.role = role
        actions.append("user.role_changed")
    old_codes = user.scope_prefixes
    if codes != old_codes:
        user.scopes = [UserScope(code_prefix=code) for code in codes]
        audit.record("user.scope_changed", actor=actor, object_type="user", object_id=user.id,
                     old=old_codes, new=codes)
        actions.append("user.scope_changed")
    return actions


def deactivate_user(user: User, *, actor: User) -> None:
    """Close an account; it loses access at its next request."""
    if user.id == actor.id:
        raise OperationError(_("You cannot deactivate your own account."))
    if not user.active:
        raise OperationError(_("This account is already deactivated."))
    if user.role is Role.ADMIN and _other_active_admins(user) == 0:
        raise OperationError(_("This is the last active administrator and cannot be deactivated."))
    user.active = False
    audit.record("user.deactivated", actor=actor, object_type="user", object_id=user.id)


ANONYMOUS_DOMAIN = "anonim.invalid"
"""The domain of anonymised accounts' pseudonyms (``staff_data``): never a real mailbox."""


def reactivate_user(user: User, *, actor: User | str | None = None) -> None:
    """Open a deactivated account again, with the password it had."""
    if user.active:
        raise OperationError(_("This account is already active."))
    if user.email.endswith("@" + ANONYMOUS_DOMAIN):
        raise OperationError(_("This account was anonymised; create a new account instead."))
    user.active = True
    audit.record("user.reactivated", actor=actor, object_type="user", object_id=user.id)

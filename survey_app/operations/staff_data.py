"""Staff members' own personal data (UU 27/2022): what the platform holds about one account,
for the person to receive, and the anonymisation of an account closed long enough ago.

Anonymising replaces the e-mail address everywhere it is stored with a pseudonym
(``anonim-<id>@anonim.invalid``): the account, the audit trail (its actor and any detail that
names it), jobs, goals, keyed paper entries, corrections and printed serials. The actions stay,
under the pseudonym, so the trail still says that *someone* with that role did them. The
audit trail is append-only to the application (``models.audit``); this is the one place that
rewrites it, on a connection, for the reason the law gives.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from survey_app import audit
from survey_app.extensions import db
from survey_app.models import AuditEvent, Correction, Goal, Job, PaperEntry, PrintedSerial, User
from survey_app.models._types import utcnow
from survey_app.operations import OperationError
from survey_app.operations.texts import _
from survey_app.operations.users import ANONYMOUS_DOMAIN, _unusable_password_hash

DEACTIVATED = "user.deactivated"
ANONYMISED = "user.anonymised"
DATA_EXPORTED = "user.data_exported"
LABEL_COLUMNS = (
    Job.__table__.c.actor,
    Goal.__table__.c.created_by,
    PaperEntry.__table__.c.keyed_by,
    Correction.__table__.c.corrected_by,
    PrintedSerial.__table__.c.printed_by,
)
"""Columns that keep a staff member's e-mail as a label beside their work."""
WORK_NAMES = ("jobs_started", "goals_set", "paper_entries_keyed", "corrections", "serials_printed")
"""How the personal-data export names the rows counted in each of ``LABEL_COLUMNS``."""


def personal_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about ``user``, as JSON-ready data: the account, every
    audit event they caused or that names them (sign-ins included), and their work."""
    events = db.session.scalars(sa.select(AuditEvent).where(_names(user)).order_by(AuditEvent.id)).all()
    return {
        "account": {
            "email": user.email, "role": user.role.value, "scope": user.scope_prefixes, "active": user.active,
            "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
        },
        "sign_ins": [_event(e) for e in events if e.action.startswith("auth.")],
        "actions": [_event(e) for e in events if not e.action.startswith("auth.")],
        "work": {name: _count(column, user.email) for name, column in zip(WORK_NAMES, LABEL_COLUMNS, strict=True)},
    }


def deactivated_at(user: User) -> datetime | None:
    """When a closed account was last deactivated; None while it is active."""
    if user.active:
        return None
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.occurred_at)).where(
        AuditEvent.action == DEACTIVATED, AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id)))


def anonymisable(user: User, after_days: int, now: datetime | None = None) -> bool:
    """True for an account deactivated at least ``after_days`` ago and not yet anonymised."""
    closed = deactivated_at(user)
    if closed is None or is_anonymised(user):
        return False
    if closed.tzinfo is None:  # SQLite gives naive UTC
        closed = closed.replace(tzinfo=(now or utcnow()).tzinfo)
    return (now or utcnow()) - closed >= timedelta(days=after_days)


def is_anonymised(user: User) -> bool:
    return user.email == pseudonym(user)


def pseudonym(user: User) -> str:
    return f"anonim-{user.id}@{ANONYMOUS_DOMAIN}"


def anonymise_user(user: User, after_days: int, actor: User | str) -> str:
    """Replace the account's e-mail everywhere with its pseudonym and make it unusable; the
    caller commits. Refused unless the account was deactivated ``after_days`` ago."""
    if not anonymisable(user, after_days):
        raise OperationError(_("Only an account deactivated at least %(days)s days ago can be anonymised.",
                               days=after_days))
    old, new = user.email, pseudonym(user)
    connection = db.session.connection()
    events = AuditEvent.__table__
    connection.execute(sa.update(events).where(sa.or_(events.c.actor_id == user.id, events.c.actor == old))
                       .values(actor=new))
    for event_id, details in connection.execute(
            sa.select(events.c.id, events.c.details).where(sa.cast(events.c.details, sa.Text).contains(old))):
        text = json.dumps(details, ensure_ascii=False).replace(json.dumps(old)[1:-1], new)
        connection.execute(sa.update(events).where(events.c.id == event_id).values(details=json.loads(text)))
    for column in LABEL_COLUMNS:
        connection.execute(sa.update(column.table).where(column == old).values({column.name: new}))
    user.email = new
    user.password_hash = _unusable_password_hash()
    user.invite_token_hash = None
    user.invite_expires_at = None
    audit.record(ANONYMISED, actor=actor, object_type="user", object_id=user.id, pseudonym=new)
    return new


def _names(user: User) -> sa.ColumnElement[bool]:
    """Events the user caused (a failed sign-in may name only the address) or that concern them."""
    return sa.or_(AuditEvent.actor_id == user.id, AuditEvent.actor == user.email,
                  sa.and_(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id)))


def _event(event: AuditEvent) -> dict[str, Any]:
    return {"at": _iso(event.occurred_at), "action": event.action, "by": event.actor,
            "object": f"{event.object_type or ''} {event.object_id or ''}".strip(), "details": event.details}


def _count(column: sa.Column[str], email: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(column.table).where(column == email)) or 0


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None

"""Writing audit events. Callers commit; an event shares its transaction with the change."""

from __future__ import annotations

from typing import Any

from survey_app.extensions import db
from survey_app.models import AuditEvent, User

SYSTEM_ACTOR = "system"


def record(
    action: str,
    *,
    actor: User | str | None = None,
    object_type: str | None = None,
    object_id: object | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current session (no commit)."""
    if isinstance(actor, User):
        actor_id, actor_label = actor.id, actor.email
    else:
        actor_id, actor_label = None, actor or SYSTEM_ACTOR
    event = AuditEvent(
        actor_id=actor_id,
        actor=actor_label,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=details,
    )
    db.session.add(event)
    return event

"""Append-only log of security- and data-relevant events.

Append-only is enforced in the application, not only by the absence of routes: changing
or deleting an event through the ORM raises ``AuditTrailIsAppendOnly``, whether as a
loaded object (mapper events at flush) or as a bulk UPDATE/DELETE statement sent through
a session. Raw SQL on a connection is out of reach of the ORM; a database trigger or
revoked privileges would be the next layer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Mapper, ORMExecuteState, Session, mapped_column

from survey_app.extensions import db
from survey_app.models._types import JSONType, utcnow


class AuditTrailIsAppendOnly(RuntimeError):
    """An attempt to change or delete an audit event."""


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    # Kept as text too, so the trail survives if the account is later renamed.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=None, index=True)
    actor: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    object_id: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper: Mapper[AuditEvent], _connection: sa.Connection, target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly(f"audit event {target.id} cannot be changed: the trail is append-only.")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper: Mapper[AuditEvent], _connection: sa.Connection, target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly(f"audit event {target.id} cannot be deleted: the trail is append-only.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    """``session.execute(update(AuditEvent))`` skips the mapper events; catch it here."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and getattr(table, "name", None) == AuditEvent.__tablename__:
        raise AuditTrailIsAppendOnly("audit events cannot be changed or deleted: the trail is append-only.")

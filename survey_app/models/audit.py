"""Append-only log of security- and data-relevant events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.models._types import JSONType, utcnow


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

"""Column helpers shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import overload

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# JSONB on PostgreSQL (compact, indexable), JSON text elsewhere.
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
NullableJSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
"""JSON whose Python None is SQL NULL, not the JSON value null."""


def utcnow() -> datetime:
    """Timezone-aware now; stored as UTC."""
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands stored UTC times back without their zone, PostgreSQL with it: aware UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum]) -> sa.Enum:
    """Store an enum by its value as a short string with a CHECK, portable to SQLite."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )

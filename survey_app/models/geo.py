"""The official area hierarchy: province > regency/city > district > village.

Codes are the official nested codes (``32.73.01.1001``), so "everything under an area" is
a prefix match on the code, which one index serves for any level.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models._types import enum_column


class AreaLevel(enum.StrEnum):
    PROVINCE = "province"
    REGENCY = "regency"
    DISTRICT = "district"


class Area(db.Model):
    """A province, regency/city or district (villages have their own table)."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    level: Mapped[AreaLevel] = mapped_column(enum_column(AreaLevel))
    name: Mapped[str] = mapped_column(sa.String(120))
    parent_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("areas.code"), index=True, default=None
    )

    parent: Mapped[Area | None] = relationship(remote_side=[code])

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.name}>"


class Village(db.Model):
    """A desa/kelurahan, the unit every report is about."""

    __tablename__ = "villages"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("areas.code"), index=True)
    target_n: Mapped[int | None] = mapped_column(default=None)

    district: Mapped[Area] = relationship()

    def __repr__(self) -> str:
        return f"<Village {self.code} {self.name}>"


def covers(prefixes: list[str], code: str) -> bool:
    """True when ``code`` equals one of the area codes or lies below it; no prefixes = all."""
    return not prefixes or any(code == prefix or code.startswith(prefix + ".") for prefix in prefixes)


def code_in_scope(column: sa.ColumnElement[str] | sa.orm.InstrumentedAttribute[str],
                  prefixes: list[str]) -> sa.ColumnElement[bool]:
    """SQL condition: ``column`` equals one of the area codes or lies below it.

    Matching on whole segments keeps ``32.7`` from catching ``32.73``.
    """
    if not prefixes:
        return sa.true()
    return sa.or_(
        *(sa.or_(column == prefix, column.startswith(prefix + ".", autoescape=True)) for prefix in prefixes)
    )

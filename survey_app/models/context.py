"""Figures from outside the survey that reports set beside it: police-recorded incidents per
month and category, and the population by age band and sex (census or registry tables).
Both are kept per village or per district code and replaced, never edited, by imports."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.models._types import utcnow


class RecordedCrime(db.Model):
    """Incidents the police recorded in one area, month and category. A month of an area
    that the import named holds every category it had: zero rows included, since a month
    missing from the table means "not reported", not "no incidents"."""

    __tablename__ = "recorded_crime"
    __table_args__ = (sa.UniqueConstraint("area_code", "month", "category", name="uq_recorded_crime_cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    month: Mapped[date]
    """The first day of the month."""
    category: Mapped[str] = mapped_column(sa.String(40))
    incidents: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class PopulationCount(db.Model):
    """Residents of one area in one age band and sex, as of ``year``."""

    __tablename__ = "population_counts"
    __table_args__ = (sa.UniqueConstraint("area_code", "age_band", "sex", name="uq_population_cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(sa.String(32), index=True)
    age_band: Mapped[str] = mapped_column(sa.String(16))
    """"0-4", "17-24", "65+": inclusive years."""
    sex: Mapped[str] = mapped_column(sa.String(8))
    """"male" or "female"."""
    count: Mapped[int]
    year: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

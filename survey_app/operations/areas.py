"""Checks on area codes given by users (round and user scopes)."""

from __future__ import annotations

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Area, Village
from survey_app.operations import OperationError


def check_area_codes(codes: list[str]) -> list[str]:
    """Return the distinct codes, refusing any that is not a known area or village."""
    wanted = sorted({code.strip() for code in codes if code.strip()})
    if not wanted:
        return []
    known = set(db.session.scalars(sa.select(Area.code).where(Area.code.in_(wanted))))
    known |= set(db.session.scalars(sa.select(Village.code).where(Village.code.in_(wanted))))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise OperationError(
            "Unknown area or village code(s): " + ", ".join(unknown)
            + ". Import the villages first, or check the code (for example 32.73.01)."
        )
    return wanted

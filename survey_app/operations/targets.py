"""Village targets: how many respondents each village should reach.

One village at a time (the browse page) or every village of an area at once (a
coordinator sets 100 for a whole district). Both are audited; callers commit.
"""

from __future__ import annotations

import sqlalchemy as sa

from survey_app import audit
from survey_app.extensions import db
from survey_app.models import Area, User, Village, code_in_scope
from survey_app.operations import OperationError
from survey_app.operations.villages import MAX_TARGET


def check_target(target: int | None) -> int | None:
    """None (no target) or a whole number between 1 and MAX_TARGET, the import's own bounds."""
    if target is not None and not 1 <= target <= MAX_TARGET:
        raise OperationError(f"A target is between 1 and {MAX_TARGET}, or empty for no target.")
    return target


def set_village_target(village: Village, target: int | None, actor: User | str | None) -> bool:
    """Change one village's target; False (and no audit event) when it already had it."""
    old = village.target_n
    if old == check_target(target):
        return False
    village.target_n = target
    db.session.flush()
    audit.record("village.target_changed", actor=actor, object_type="village", object_id=village.code,
                 old=old, new=target)
    return True


def villages_in_area(area: Area) -> int:
    """How many villages lie below ``area``: the figure a bulk change is confirmed against."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Village).where(code_in_scope(Village.code, [area.code]))
    ) or 0


def set_area_target(area: Area, target: int | None, actor: User | str | None) -> tuple[int, int]:
    """Give every village below ``area`` the same target in one UPDATE: (villages, changed).

    One audit event for the whole change, so the trail says what the person did, not 800
    copies of it; the villages that really changed are counted apart from those that had it.
    """
    check_target(target)
    total = villages_in_area(area)
    result = db.session.execute(
        sa.update(Village)
        .where(code_in_scope(Village.code, [area.code]), Village.target_n.is_distinct_from(target))
        .values(target_n=target)
        .execution_options(synchronize_session=False)
    )
    changed = result.rowcount  # type: ignore[attr-defined]
    db.session.expire_all()  # loaded villages must not keep their old targets
    audit.record("villages.target_set", actor=actor, object_type="area", object_id=area.code,
                 target=target, villages=total, changed=changed)
    return total, changed

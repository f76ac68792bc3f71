"""Whether a round takes answers from a village today."""

from __future__ import annotations

import enum
from datetime import date

from survey_app.models import Round, RoundStatus, Village, covers
from survey_app.respond.lookup import RoundRow, VillageRow


class Availability(enum.Enum):
    OPEN = "open"
    NOT_YET = "not_yet"
    CLOSED = "closed"
    NOT_IN_ROUND = "not_in_round"


def availability(round_: Round | RoundRow, village: Village | VillageRow, today: date) -> Availability:
    """A round is open between its dates while its status (scheduled or set by hand) is open."""
    if not covers(round_.scope_prefixes, village.code):
        return Availability.NOT_IN_ROUND
    status = round_.status_on(today)
    if status is RoundStatus.CLOSED or (round_.closes_on and today > round_.closes_on):
        return Availability.CLOSED
    if status is RoundStatus.DRAFT or (round_.opens_on and today < round_.opens_on):
        return Availability.NOT_YET
    return Availability.OPEN

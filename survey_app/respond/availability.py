"""Whether a round takes answers from a village today."""

from __future__ import annotations

import enum
from datetime import date

from survey_app.models import Round, RoundStatus, Village, covers


class Availability(enum.Enum):
    OPEN = "open"
    NOT_YET = "not_yet"
    CLOSED = "closed"
    NOT_IN_ROUND = "not_in_round"


def availability(round_: Round, village: Village, today: date) -> Availability:
    """A round is open between its dates while its status is open; drafts are not yet open."""
    if not covers(round_.scope_prefixes, village.code):
        return Availability.NOT_IN_ROUND
    if round_.status is RoundStatus.CLOSED or (round_.closes_on and today > round_.closes_on):
        return Availability.CLOSED
    if round_.status is RoundStatus.DRAFT or (round_.opens_on and today < round_.opens_on):
        return Availability.NOT_YET
    return Availability.OPEN

"""Survey rounds: creation and their draft -> open -> closed lifecycle."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import sqlalchemy as sa

from survey_app import audit, questionnaires
from survey_app.extensions import db
from survey_app.models import Round, RoundScope, RoundStatus, User
from survey_app.operations import OperationError
from survey_app.operations.areas import check_area_codes


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def parse_date(text: str | None, field: str) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise OperationError(f"{field}: {text!r} is not a date; write it as YYYY-MM-DD.") from None


def get_round(name_or_slug: str) -> Round:
    round_ = db.session.scalar(
        sa.select(Round).where(sa.or_(Round.name == name_or_slug, Round.slug == name_or_slug))
    )
    if round_ is None:
        raise OperationError(f"No round named {name_or_slug!r}.")
    return round_


def create_round(
    name: str,
    questionnaire_ref: str,
    opens_on: date | None = None,
    closes_on: date | None = None,
    scope_codes: list[str] | None = None,
    actor: User | str | None = None,
) -> Round:
    """Create a draft round on a valid questionnaire version, pinning that version's hash."""
    name = name.strip()
    slug = slugify(name)
    if not name or not slug:
        raise OperationError("A round needs a name with at least one letter or digit.")
    if len(name) > 120:
        raise OperationError("A round name has at most 120 characters.")
    clash = db.session.scalar(sa.select(Round).where(sa.or_(Round.name == name, Round.slug == slug)))
    if clash is not None:
        raise OperationError(f"A round named {clash.name!r} already exists.")
    if opens_on and closes_on and closes_on < opens_on:
        raise OperationError(f"The round closes ({closes_on}) before it opens ({opens_on}).")
    questionnaire = questionnaires.find(questionnaire_ref)
    codes = check_area_codes(scope_codes or [])
    questionnaires.pin(questionnaire)
    round_ = Round(
        name=name,
        slug=slug,
        questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version,
        opens_on=opens_on,
        closes_on=closes_on,
        scopes=[RoundScope(code_prefix=code) for code in codes],
    )
    db.session.add(round_)
    db.session.flush()
    audit.record("round.created", actor=actor, object_type="round", object_id=round_.id,
                 name=name, questionnaire=questionnaire.ref, scope=codes)
    return round_


def open_round(round_: Round, actor: User | str | None = None) -> None:
    """Open a draft round for answers, after checking its questionnaire file is intact."""
    if round_.status is RoundStatus.OPEN:
        raise OperationError(f"Round {round_.name!r} is already open.")
    if round_.status is RoundStatus.CLOSED:
        raise OperationError(
            f"Round {round_.name!r} is closed; a closed round is not reopened. "
            "Create a new round to collect more answers."
        )
    questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    round_.status = RoundStatus.OPEN
    audit.record("round.opened", actor=actor, object_type="round", object_id=round_.id, name=round_.name)


def close_round(round_: Round, actor: User | str | None = None) -> None:
    """Close an open round: it takes no new answers."""
    if round_.status is not RoundStatus.OPEN:
        raise OperationError(f"Round {round_.name!r} is {round_.status.value}; only an open round can be closed.")
    round_.status = RoundStatus.CLOSED
    audit.record("round.closed", actor=actor, object_type="round", object_id=round_.id, name=round_.name)

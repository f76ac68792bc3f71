"""Survey rounds: creation, settings and their draft -> open -> closed lifecycle.

A round is opened and closed by hand, or *scheduled*: it then follows its dates, and
``apply_schedule`` records the transitions (the resident form and paper entry already
go by ``Round.status_on``, so nothing waits for it to run).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from survey_app import audit, questionnaires
from survey_app.extensions import db
from survey_app.models import DoubleEntry, PopulationCount, Round, RoundScope, RoundStatus, User, Village
from survey_app.models._types import utcnow
from survey_app.operations import OperationError
from survey_app.operations.areas import check_area_codes
from survey_app.operations.paper import set_double_entry
from survey_app.operations.texts import _
from survey_app.operations.villages import MAX_TARGET

log = logging.getLogger(__name__)

MAX_MIN_N = 1_000


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


@dataclass(frozen=True)
class RoundSettings:
    """What an administrator may set on a round besides its name, version and scope."""

    opens_on: date | None = None
    closes_on: date | None = None
    scheduled: bool = False
    target_per_village: int | None = None
    min_n: int | None = None

    def check(self) -> None:
        """Refuse settings that cannot work, with a message saying which one."""
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise OperationError(_("The round closes (%(closes)s) before it opens (%(opens)s).",
                                   closes=self.closes_on, opens=self.opens_on))
        if self.scheduled and self.opens_on is None:
            raise OperationError(_("A scheduled round needs an opening date."))
        if self.target_per_village is not None and not 1 <= self.target_per_village <= MAX_TARGET:
            raise OperationError(_("The target per village must be between 1 and %(max)s.", max=MAX_TARGET))
        if self.min_n is not None and not 1 <= self.min_n <= MAX_MIN_N:
            raise OperationError(_("The minimum base must be between 1 and %(max)s.", max=MAX_MIN_N))


def chosen_scope(codes: list[str], everywhere: bool) -> list[str]:
    """The scope a person chose for a new round: codes, or every village said out loud. An
    empty scope covers every village, so an empty field must never be read as that choice
    (after a national import it is 83,762 villages)."""
    if codes and everywhere:
        raise OperationError(_("Give area or village codes, or choose all villages, not both."))
    if not codes and not everywhere:
        raise OperationError(_("Give the areas or villages of this round, or choose all villages."))
    return codes


def village_total() -> int:
    """How many villages are imported: what "all villages" means today."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Village)) or 0


def create_round(
    name: str,
    questionnaire_ref: str,
    opens_on: date | None = None,
    closes_on: date | None = None,
    scope_codes: list[str] | None = None,
    actor: User | str | None = None,
    *,
    settings: RoundSettings | None = None,
    double_entry: DoubleEntry = DoubleEntry.OFF,
    double_entry_share: int | None = None,
) -> Round:
    """Create a draft round on a valid questionnaire version, pinning that version's hash.
    No ``scope_codes`` means every village: the doors ask for that choice (``chosen_scope``)."""
    settings = settings or RoundSettings(opens_on, closes_on)
    name = name.strip()
    slug = slugify(name)
    if not name or not slug:
        raise OperationError(_("A round needs a name with at least one letter or digit."))
    if len(name) > 120:
        raise OperationError(_("A round name has at most 120 characters."))
    clash = db.session.scalar(sa.select(Round).where(sa.or_(Round.name == name, Round.slug == slug)))
    if clash is not None:
        raise OperationError(_("A round named %(name)r already exists.", name=clash.name))
    settings.check()
    questionnaire = questionnaires.find(questionnaire_ref)
    codes = check_area_codes(scope_codes or [])
    questionnaires.pin(questionnaire)
    round_ = Round(
        name=name,
        slug=slug,
        questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version,
        opens_on=settings.opens_on,
        closes_on=settings.closes_on,
        scheduled=settings.scheduled,
        target_per_village=settings.target_per_village,
        min_n=settings.min_n,
        scopes=[RoundScope(code_prefix=code) for code in codes],
    )
    db.session.add(round_)
    db.session.flush()
    audit.record("round.created", actor=actor, object_type="round", object_id=round_.id,
                 name=name, questionnaire=questionnaire.ref, scope=codes, **_settings_details(round_))
    if double_entry is not DoubleEntry.OFF:
        set_double_entry(round_, double_entry, double_entry_share, actor)
    return round_


def update_settings(round_: Round, settings: RoundSettings, actor: User | str | None = None) -> None:
    """Change dates, schedule, target and minimum base; a closed round keeps its history."""
    if round_.status is RoundStatus.CLOSED:
        raise OperationError(_("Round %(name)s is closed; its settings no longer change.", name=round_.name))
    settings.check()
    old = _settings_details(round_)
    round_.opens_on, round_.closes_on = settings.opens_on, settings.closes_on
    round_.scheduled = settings.scheduled
    round_.target_per_village, round_.min_n = settings.target_per_village, settings.min_n
    new = _settings_details(round_)
    if new != old:
        audit.record("round.settings_changed", actor=actor, object_type="round", object_id=round_.id,
                     name=round_.name, old=old, new=new)


def set_weighting(round_: Round, weighted: bool, actor: User | str | None = None) -> bool:
    """Weight the round's report figures to the population, or stop; True when it changed.

    A reporting choice, not a collection one, so a closed round may change it too; it needs
    population targets (``flask population import``), without which nothing would change.
    """
    if weighted and not db.session.scalar(sa.select(sa.exists().where(PopulationCount.id.is_not(None)))):
        raise OperationError(_("Import the population by age band and sex first (flask population import): "
                               "without it there is nothing to weight to."))
    if round_.weighted == weighted:
        return False
    round_.weighted = weighted
    audit.record("round.weighting_changed", actor=actor, object_type="round", object_id=round_.id,
                 name=round_.name, weighted=weighted)
    return True


def _settings_details(round_: Round) -> dict[str, object]:
    return {
        "opens_on": round_.opens_on.isoformat() if round_.opens_on else None,
        "closes_on": round_.closes_on.isoformat() if round_.closes_on else None,
        "scheduled": round_.scheduled,
        "target_per_village": round_.target_per_village,
        "min_n": round_.min_n,
    }


def open_round(round_: Round, actor: User | str | None = None) -> None:
    """Open a draft round for answers, after checking its questionnaire file is intact."""
    if round_.status is RoundStatus.OPEN:
        raise OperationError(_("Round %(name)s is already open.", name=round_.name))
    if round_.status is RoundStatus.CLOSED:
        raise OperationError(_(
            "Round %(name)s is closed; a closed round is not reopened. "
            "Create a new round to collect more answers.", name=round_.name))
    questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    round_.status = RoundStatus.OPEN
    audit.record("round.opened", actor=actor, object_type="round", object_id=round_.id, name=round_.name)


def close_round(round_: Round, actor: User | str | None = None, *, paper_may_finish: bool = False) -> None:
    """Close an open round: no new web answers; paper entry may be allowed to finish."""
    if round_.status is not RoundStatus.OPEN:
        raise OperationError(_("Round %(name)s is %(status)s; only an open round can be closed.",
                               name=round_.name, status=round_.status.value))
    round_.status = RoundStatus.CLOSED
    round_.paper_after_close = paper_may_finish
    round_.closed_at = utcnow()
    audit.record("round.closed", actor=actor, object_type="round", object_id=round_.id, name=round_.name,
                 paper_may_finish=paper_may_finish)


def end_paper_entry(round_: Round, actor: User | str | None = None) -> None:
    """Stop the paper entry a closed round still allowed."""
    if round_.status is not RoundStatus.CLOSED or not round_.paper_after_close:
        raise OperationError(_("Round %(name)s has no paper entry left to finish.", name=round_.name))
    round_.paper_after_close = False
    round_.closed_at = utcnow()  # the retention periods count from the last answer it could take
    audit.record("round.paper_entry_ended", actor=actor, object_type="round", object_id=round_.id,
                 name=round_.name)


def apply_schedule(today: date, actor: User | str | None = "schedule") -> list[Round]:
    """Record the openings and closings that scheduled rounds' dates call for; returns them.

    A draft whose whole period has passed is opened and closed in one go, so its history
    reads like any other round's. A date passing does not cut volunteers off mid-stack:
    paper entry may finish until an administrator ends it.
    """
    changed = []
    due = db.session.scalars(
        sa.select(Round).where(Round.scheduled.is_(True), Round.status != RoundStatus.CLOSED).order_by(Round.id)
    )
    for round_ in due:
        target = round_.status_on(today)
        if target is round_.status:
            continue
        if round_.status is RoundStatus.DRAFT:
            try:
                open_round(round_, actor)
            except OperationError:  # its questionnaire file changed: every page would fail on it
                log.exception("scheduled round %s cannot open", round_.slug)
                continue
        if target is RoundStatus.CLOSED:
            close_round(round_, actor, paper_may_finish=True)
        changed.append(round_)
    return changed

"""A small, real-looking demo: real villages of two districts of Kota Bandung, the shipped
questionnaires, two past resident rounds, one open resident round and one open partnership
round, with synthetic answers, a synthetic series of police-recorded crime and a synthetic
population table.

Village names and codes are an excerpt of the official list as compiled by the npm
package ``idn-area-data`` 4.0.1 (Open Database License, ODbL 1.0); see ``villages.csv``.
The answers are invented: no real person answered them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from survey_app import questionnaires
from survey_app.demo.synthetic import VillageMood, generate_responses
from survey_app.extensions import db
from survey_app.models import Response, Role, Round, RoundStatus, User, Village
from survey_app.operations.context_import import MAX_CONTEXT_ROWS, import_crime, import_population
from survey_app.operations.responses import keep_consent_text
from survey_app.operations.rounds import RoundSettings, close_round, create_round, open_round
from survey_app.operations.spreadsheets import read_table
from survey_app.operations.users import create_user, set_password
from survey_app.operations.villages import import_villages

VILLAGES_CSV = Path(__file__).with_name("villages.csv")
# Synthetic: police-recorded incidents per month (Sukasari's villages each, Coblong as a
# district, rising a little as residents come to report more) and residents by age and sex.
CRIME_CSV = Path(__file__).with_name("crime.csv")
POPULATION_CSV = Path(__file__).with_name("population.csv")
ADMIN_EMAIL = "admin@demo.local"
SEED = 20260101


@dataclass(frozen=True)
class DemoRound:
    name: str
    ref: str
    opens: date
    closes: date
    final_status: RoundStatus
    per_village: tuple[int, int]  # range of responses per village
    trust_shift: float  # how much trust moved since the first round (0..1 scale)
    safety_shift: float


# Responses wanted per village, so the progress dashboard shows how far each one is.
DEMO_TARGET = 60

# Each resident round moves to the next questionnaire version, so the demo shows trends
# carried across versions and where they break: v2's safe_walk_dark grew a middle category
# (comparable with caution), and v3 split two double-barrelled items. The partnership round
# runs at the same time as the open resident round, with a forum's handful of answers per
# village; it opens first, so the resident round stays the latest. The open resident round
# has enough answers in most villages to publish figures; one small village shows suppression.
ROUNDS = (
    DemoRound("Putaran 1 2025", "trust-safety@1", date(2025, 3, 1), date(2025, 4, 15),
              RoundStatus.CLOSED, (35, 90), 0.0, 0.0),
    DemoRound("Putaran 2 2025", "trust-safety@2", date(2025, 9, 1), date(2025, 10, 15),
              RoundStatus.CLOSED, (35, 90), 0.08, 0.04),
    DemoRound("Kemitraan 2026", "partnership@1", date(2026, 9, 15), date(2026, 12, 31),
              RoundStatus.OPEN, (3, 9), 0.10, 0.05),
    DemoRound("Putaran 1 2026", "trust-safety@3", date(2026, 10, 1), date(2026, 12, 31),
              RoundStatus.OPEN, (30, 70), 0.12, 0.06),
)


@dataclass
class DemoResult:
    admin_email: str
    admin_password: str
    rounds_created: int
    responses_created: int


def load_demo() -> DemoResult:
    """Load the demo; safe to run again (it adds nothing twice and resets the admin password)."""
    import_villages(VILLAGES_CSV, actor="demo")
    villages = list(db.session.scalars(sa.select(Village).order_by(Village.code)))
    rounds_created = responses_created = 0
    for number, spec in enumerate(ROUNDS):
        if db.session.scalar(sa.select(Round).where(Round.name == spec.name)) is not None:
            continue
        settings = RoundSettings(spec.opens, spec.closes, target_per_village=DEMO_TARGET)
        round_ = create_round(spec.name, spec.ref, actor="demo", settings=settings)
        open_round(round_, actor="demo")
        questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
        rows = generate_responses(
            questionnaire, round_, villages, _moods(villages, spec), spec.per_village, seed=SEED + number
        )
        consent = questionnaires.catalog().consent(questionnaire.key)
        if consent is not None and spec.final_status is not RoundStatus.CLOSED:
            # The open rounds' residents agreed on their phones or ticked the box on paper;
            # the 2025 rounds predate the consent step: reports count those apart.
            keep_consent_text(db.session.connection(), questionnaire.key, consent)
            for row in rows:
                row["consent_hash"] = consent.hash
        db.session.execute(sa.insert(Response), rows)
        if spec.final_status is RoundStatus.CLOSED:
            close_round(round_, actor="demo")
        rounds_created += 1
        responses_created += len(rows)
    for path, store in ((POPULATION_CSV, import_population), (CRIME_CSV, import_crime)):
        store(read_table(path.name, path.read_bytes(), max_rows=MAX_CONTEXT_ROWS), "demo")  # idempotent
    password = secrets.token_urlsafe(9)
    admin = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
    if admin is None:
        create_user(ADMIN_EMAIL, Role.ADMIN, password, actor="demo")
    else:
        set_password(admin, password, actor="demo")
    return DemoResult(ADMIN_EMAIL, password, rounds_created, responses_created)


def _moods(villages: list[Village], spec: DemoRound) -> dict[int, VillageMood]:
    """Each village has its own level; some improve more than others, one gets worse."""
    moods = {}
    for position, village in enumerate(villages):
        base_trust = 0.45 + 0.04 * (position % 5)
        base_safety = 0.50 + 0.03 * (position % 4)
        direction = -0.5 if position == 3 else 1.0 + 0.5 * (position % 3)
        moods[village.id] = VillageMood(
            trust=min(0.95, base_trust + spec.trust_shift * direction),
            safety=min(0.95, base_safety + spec.safety_shift * direction),
            small=position == len(villages) - 1,  # one village with too few answers to publish
        )
    return moods

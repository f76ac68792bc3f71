"""Plausible synthetic answers for the demo, drawn question by question from a village's
latent trust and safety levels and checked by the questionnaire engine like real ones."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from survey_app import quality
from survey_app.models import Mode, Round, Village
from survey_app.operations.responses import answers_digest
from survey_app.questionnaire import QUESTION_TYPES, Questionnaire, clean_answers

SKIP_OPTIONAL_SHARE = 0.15
PAPER_SHARE = 0.3


@dataclass(frozen=True)
class VillageMood:
    trust: float  # 0..1, the village's tendency to answer favourably on trust items
    safety: float
    small: bool = False


CONSTRAINT_TRIES = 20
"""Draws per respondent before a cross-question constraint the answers keep breaking is called
a generator bug; a questionnaire without constraints always passes on the first draw."""


def _one_respondent(questionnaire: Questionnaire, mood: VillageMood, rng: random.Random) -> dict[str, Any]:
    for _ in range(CONSTRAINT_TRIES):
        raw = _draw(questionnaire, mood, rng)
        result = clean_answers(questionnaire, raw)
        if result.ok:
            return result.answers
    raise ValueError(f"synthetic answers rejected: {result.errors}")  # a generator bug, not bad data


def _draw(questionnaire: Questionnaire, mood: VillageMood, rng: random.Random) -> dict[str, Any]:
    safety_items = {item for index in questionnaire.indices if index.id == "safety" for item in index.items}
    trust = min(1.0, max(0.0, rng.gauss(mood.trust, 0.15)))
    safety = min(1.0, max(0.0, rng.gauss(mood.safety, 0.15)))
    raw: dict[str, Any] = {}
    for question in questionnaire.questions():
        if question.show_if is not None and not question.show_if.evaluate(raw):
            continue
        if not question.required and rng.random() < SKIP_OPTIONAL_SHARE * (4 if "text" in question.type else 1):
            continue
        level = safety if question.id in safety_items else trust
        raw[question.id] = QUESTION_TYPES[question.type].demo_answer(question, level, rng)
    return raw


def generate_responses(
    questionnaire: Questionnaire,
    round_: Round,
    villages: list[Village],
    moods: dict[int, VillageMood],
    per_village: tuple[int, int],
    seed: int,
) -> list[dict[str, Any]]:
    """Rows for a bulk insert into ``responses``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    assert round_.opens_on and round_.closes_on  # noqa: S101 - demo rounds always have dates
    span_days = max(1, (min(round_.closes_on, datetime.now(UTC).date()) - round_.opens_on).days)
    start = datetime.combine(round_.opens_on, time(8), tzinfo=UTC)
    rows = []
    for village in villages:
        mood = moods[village.id]
        count = rng.randint(12, 24) if mood.small else rng.randint(*per_village)
        for _ in range(count):
            answers = _one_respondent(questionnaire, mood, rng)
            # One draw whatever the span: an open round's span grows each day, and a draw whose
            # consumption depended on it would change every later answer from one day to the next.
            submitted = start + timedelta(days=int(rng.random() * span_days), minutes=rng.randrange(12 * 60))
            mode = Mode.PAPER if rng.random() < PAPER_SHARE else Mode.WEB
            # A few implausibly quick web completions, so the dashboard's quality flags show.
            duration = rng.randint(20, 60) if rng.random() < 0.03 else rng.randint(240, 1200)
            rows.append({
                "submission_key": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "round_id": round_.id,
                "village_id": village.id,
                "questionnaire_key": questionnaire.key,
                "questionnaire_version": questionnaire.version,
                "mode": mode,
                "answers": answers,
                "answers_digest": answers_digest(answers),
                "duration_s": duration if mode is Mode.WEB else None,
                "straightlined": quality.straightlined(answers, questionnaire),
                "submitted_at": submitted,
                "updated_at": submitted,
            })
    return rows

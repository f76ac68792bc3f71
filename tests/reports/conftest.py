"""Report data for tests: the real demo loaded through the CLI, or small hand-made frames."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from reports.data import (
    Place,
    RoundInfo,
    VillageInfo,
    load_round_history,
    load_round_responses,
    load_village,
    responses_frame,
)
from survey_app.extensions import db
from survey_app.questionnaire import Catalog

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog(QUESTIONNAIRES)


@dataclass
class Demo:
    """The demo installation as the report engine sees it."""

    rounds: list[RoundInfo]  # all three, oldest first
    responses: pd.DataFrame  # every response of every round
    villages: dict[str, VillageInfo]  # by code
    catalog: Catalog

    def through(self, number: int) -> list[RoundInfo]:
        """The rounds a report for round ``number`` (1-based) covers."""
        return self.rounds[:number]

    def village(self, position: int) -> VillageInfo:
        return self.villages[sorted(self.villages)[position]]


@pytest.fixture
def demo(demo_data: None, catalog: Catalog) -> Demo:
    with db.engine.connect() as connection:
        latest = connection.execute(sa.text("SELECT id FROM rounds ORDER BY opens_on DESC LIMIT 1")).scalar_one()
        rounds = load_round_history(connection, latest, catalog.get)
        responses = load_round_responses(connection, [r.id for r in rounds])
        ids = connection.execute(sa.text("SELECT id FROM villages")).scalars().all()
        villages = {v.code: v for v in (load_village(connection, i) for i in ids)}
    return Demo(rounds, responses, villages, catalog)


VILLAGE = VillageInfo(
    1, "32.73.01.1001", "Sukarasa", Place("32.73.01", "Sukasari"), Place("32.73", "Kota Bandung"),
    Place("32", "Jawa Barat"),
)


def make_round(round_id: int, questionnaire: Any, name: str | None = None) -> RoundInfo:
    return RoundInfo(round_id, name or f"Round {round_id}", date(2025, round_id, 1), date(2025, round_id, 20),
                     questionnaire)


def make_frame(
    rows: Sequence[tuple[int, dict[str, Any]]],
    village: VillageInfo = VILLAGE,
    mode: Callable[[int], str] = lambda i: "paper" if i % 3 == 0 else "web",
) -> pd.DataFrame:
    """A responses frame from ``(round_id, answers)`` pairs, as the loader would return it."""
    return responses_frame(
        {
            "response_id": number,
            "round_id": round_id,
            "village_id": village.id,
            "village_code": village.code,
            "district_code": village.district.code,
            "mode": mode(number),
            "questionnaire_key": "trust-safety",
            "questionnaire_version": 1,
            "submitted_at": datetime(2025, 1, 1, tzinfo=UTC),
            "answers": answers,
        }
        for number, (round_id, answers) in enumerate(rows, start=1)
    )

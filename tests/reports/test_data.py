"""The responses frame built column by column from raw rows is the frame the plain row-by-row
construction gives: same columns in the same order, dtypes, values and missing values."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from reports import data
from reports.data import META_COLUMNS, RESPONSES, load_round_responses, responses_frame
from survey_app.extensions import db
from tests.reports.conftest import Demo


def reference_frame(rows: Iterable[Mapping[Any, Any]]) -> pd.DataFrame:
    """The frame as the loader built it before it worked on columns: one row at a time."""
    meta_names = [c for c in META_COLUMNS if c not in ("regency_code", "province_code")]
    meta: dict[str, list[Any]] = {name: [] for name in meta_names}
    answers: dict[str, list[Any]] = {}
    count = 0
    for row in rows:
        for name in meta_names:
            meta[name].append(row.get(name) if name == "consent_hash" else row[name])
        for key, value in (row["answers"] or {}).items():
            column = answers.setdefault(key, [math.nan] * count)
            column.extend([math.nan] * (count - len(column)))
            column.append(value)
        count += 1
    for column in answers.values():
        column.extend([math.nan] * (count - len(column)))
    frame = pd.DataFrame(meta, columns=meta_names)
    district = frame["district_code"].astype("string")
    frame["regency_code"] = district.str.split(".").str[:2].str.join(".").astype(object)
    frame["province_code"] = district.str.split(".").str[:1].str.join(".").astype(object)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    frame["mode"] = frame["mode"].astype("string")
    frame = frame[list(META_COLUMNS)]
    return pd.concat([frame, pd.DataFrame(answers, index=frame.index)], axis=1)


def assert_same_frame(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(actual.columns) == list(expected.columns)
    assert list(actual.dtypes) == list(expected.dtypes)
    assert actual.index.equals(expected.index)
    pd.testing.assert_frame_equal(actual, expected, check_exact=True)
    for name in expected.columns:  # NaN and None, 1 and True and 1.0 told apart, lists compared
        for got, want in zip(actual[name].tolist(), expected[name].tolist(), strict=True):
            assert type(got) is type(want), (name, got, want)
            assert got == want or (got != got and want != want), (name, got, want)


def test_the_loader_gives_the_row_by_row_frame(demo: Demo):
    round_ids = [r.id for r in demo.rounds]
    with db.engine.connect() as connection:
        # As the loader read rows before: whole rows, answers decoded by the JSON column type.
        codes = {row.id: (row.code, row.district_code) for row in connection.execute(
            sa.text("SELECT id, code, district_code FROM villages"))}
        query = (
            sa.select(RESPONSES.c.id.label("response_id"), RESPONSES.c.round_id, RESPONSES.c.village_id,
                      RESPONSES.c.mode, RESPONSES.c.questionnaire_key, RESPONSES.c.questionnaire_version,
                      RESPONSES.c.submitted_at, RESPONSES.c.consent_hash, RESPONSES.c.answers)
            .where(RESPONSES.c.round_id.in_(round_ids), RESPONSES.c.deleted_at.is_(None))
            .order_by(RESPONSES.c.round_id, RESPONSES.c.village_id, RESPONSES.c.id)
        )
        rows = [{**row._mapping, "village_code": codes[row.village_id][0], "district_code": codes[row.village_id][1]}
                for row in connection.execute(query)]
        expected = reference_frame(rows)
        assert_same_frame(load_round_responses(connection, round_ids), expected)
        one = demo.village(1)
        assert_same_frame(
            load_round_responses(connection, round_ids, [one.id]),
            reference_frame(row for row in rows if row["village_id"] == one.id),
        )
        assert_same_frame(load_round_responses(connection, [-1]), reference_frame([]))
    assert_same_frame(demo.responses, expected)


ODD_ANSWERS: list[dict[str, Any] | None] = [
    {"a": "1", "b": ["x", "y"]},
    None,
    {},
    {"b": [], "c": 3, "a": "1"},
    {"d": True, "c": 2.5, "e": None},
    {"a": " padded ", "d": False, "f": 1},
    {"c": -0.0, "g": "late"},
    {"f": 1.0, "h": "only"},
    {"a": "2"},
]


@pytest.mark.parametrize("chunk", [2, 3, 1000])
def test_hand_made_rows_give_the_row_by_row_frame_across_chunks(monkeypatch: pytest.MonkeyPatch, chunk: int):
    monkeypatch.setattr(data, "_CHUNK", chunk)
    rows = [
        {
            "response_id": number,
            "round_id": 1 + number % 2,
            "village_id": 7,
            "village_code": "32.73.01.1001",
            "district_code": "32.73.01",
            "mode": "web" if number % 3 else "paper",
            "questionnaire_key": "trust-safety",
            "questionnaire_version": 2,
            "submitted_at": datetime(2026, 3, number + 1, 8, 30, tzinfo=UTC),
            "answers": answers,
        }
        for number, answers in enumerate(ODD_ANSWERS)
    ]
    frame = responses_frame(rows)
    assert_same_frame(frame, reference_frame(rows))
    assert frame["a"].iloc[0] is frame["a"].iloc[3]  # equal answer texts share one string


def test_no_rows_give_the_empty_frame():
    assert_same_frame(responses_frame([]), reference_frame([]))

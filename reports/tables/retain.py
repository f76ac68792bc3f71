"""Reducing a round's responses to what each village keeps once they are deleted
(``reports.retained.RetainedRound``), in one pass per question over the whole round: a
province has thousands of villages, and small pandas calls per village took a minute."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from reports.retained import Choices, RetainedRound
from reports.stats import index_scores
from reports.tables.figures import own_index_scores
from reports.tables.sums import sums_by_place
from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.types import report_kind

Nested = dict[int, dict[Any, int]]
"""Village id -> value -> respondents."""


def retain_round(frame: pd.DataFrame, questionnaire: Questionnaire, purged_on: date) -> dict[int, RetainedRound]:
    """What each village keeps of ``frame`` (one round's responses), by village id."""
    if frame.empty:
        return {}
    villages = frame["village_id"].to_numpy(dtype=np.int64)
    sums = sums_by_place(frame, questionnaire, "village_id")  # single-answer counts, item co-moments
    scores = {index.id: _tally(villages, index_scores(own_index_scores(frame, questionnaire, index)).to_numpy())
              for index in questionnaire.indices}
    numbers, choices = {}, {}
    for question in questionnaire.questions():
        if question.id not in frame.columns:
            continue
        kind = report_kind(question)
        if kind == "number":
            numbers[question.id] = _tally(villages, pd.to_numeric(frame[question.id], errors="coerce").to_numpy())
        elif kind == "multiple":
            specials = {o.code for o in question.options if o.special}
            choices[question.id] = _choices(villages, frame[question.id].to_numpy(dtype=object), specials)
    modes = _tally(villages, frame["mode"].astype(str).to_numpy())
    without = _tally(villages, frame["consent_hash"].isna().to_numpy())
    last = frame.groupby("village_id")["submitted_at"].max()
    kept = {}
    for village_id in sorted({int(v) for v in villages}):
        place = sums[str(village_id)]
        moment = last.get(village_id)
        kept[village_id] = RetainedRound(
            purged_on=purged_on,
            responses=place.responses,
            by_mode={str(mode): n for mode, n in modes.get(village_id, {}).items()},
            without_consent=without.get(village_id, {}).get(True, 0),
            last_submitted=None if moment is None or pd.isna(moment) else moment.to_pydatetime(),
            counts=place.counts,
            choices={qid: by_village.get(village_id, Choices({}, 0, 0)) for qid, by_village in choices.items()},
            numbers={qid: _floats(tally.get(village_id, {})) for qid, tally in numbers.items()},
            index_scores={iid: _floats(tally.get(village_id, {})) for iid, tally in scores.items()},
            items=dict(place.items),
        )
    return kept


def _tally(villages: npt.NDArray[np.int64], values: npt.NDArray[Any]) -> Nested:
    """Respondents per value in each village, NaN left out."""
    return _nested(pd.DataFrame({"village": villages, "value": values}).dropna().value_counts(sort=False).items())


def _floats(tally: dict[Any, int]) -> dict[float, int]:
    return {float(value): n for value, n in tally.items()}


def _choices(villages: npt.NDArray[np.int64], lists: npt.NDArray[np.object_], specials: set[str]) -> dict[int, Choices]:
    """``chosen_codes`` of each village: respondents per code, those with a code that is not
    "don't know"/"refused", and those with any code."""
    rows: list[int] = []
    codes: list[str] = []
    for row, value in enumerate(lists):
        for code in (value,) if isinstance(value, str) else value if isinstance(value, list | tuple) else ():
            if code is not None:
                rows.append(row)
                codes.append(str(code))
    chosen = pd.DataFrame({"village": villages[rows] if rows else np.array([], dtype=np.int64), "row": rows,
                           "code": codes})
    counts = _nested(chosen.groupby(["village", "code"]).size().items())
    answered = chosen.groupby("village")["row"].nunique()
    valid = chosen[~chosen["code"].isin(specials)].groupby("village")["row"].nunique()
    return {int(v): Choices({str(c): n for c, n in counts.get(int(v), {}).items()}, int(valid.get(v, 0)),
                            int(answered[v])) for v in answered.index}


def _nested(items: Iterable[tuple[Any, Any]]) -> Nested:
    """``((village, value), count)`` pairs, as pandas counts them, nested by village."""
    found: Nested = {}
    for (village, value), n in items:
        found.setdefault(int(village), {})[value] = int(n)
    return found

"""What a village's report keeps of a round once its individual answers are deleted (retention).

When a round's retention period ends (``survey_app.operations.retention``), its responses are
hard-deleted. Before that, each village's answers are reduced to a ``RetainedRound``
(``reports.tables.retain``): counts of
every single- and multiple-answer question, the distribution of each index's scores and of each
number question's values (how many respondents had each value, in no order and with nothing
else about them), the co-moments of each index's items (for alpha) and the round's counts by
mode and consent. Every unweighted figure a village report shows for the round, its trend and
its changes, is computed from these exactly as from the responses (``VillageData`` reads them
in place of the rows). Three things cannot be: free text (deleted by then), weights (they need
each respondent's age band and sex together) and an index whose items a later questionnaire
version recoded (the scores are kept in the round's own coding). Reports say so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from reports.stats.moments import CoMoments
from survey_app.questionnaire import Question

RETAINED_FORMAT = 1
"""The stored shape. Unlike the summary sums these can never be rebuilt (their responses are
gone): a new shape must read this one too."""

RETAINED = sa.table(
    "retained_sums",
    sa.column("round_id", sa.Integer),
    sa.column("village_id", sa.Integer),
    sa.column("sums", sa.Text),
)


@dataclass(frozen=True)
class Choices:
    """A multiple-answer question: respondents per code, those who chose a code that is not
    "don't know"/"refused", and those who chose anything."""

    counts: Mapping[str, int]
    valid: int
    answered: int


@dataclass(frozen=True)
class RetainedRound:
    """One village's answers in one round, as kept after the answers themselves were deleted."""

    purged_on: date
    responses: int
    by_mode: Mapping[str, int]
    without_consent: int
    last_submitted: datetime | None
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """Single-answer question id -> answer code -> respondents."""
    choices: Mapping[str, Choices] = field(default_factory=dict)
    numbers: Mapping[str, Mapping[float, int]] = field(default_factory=dict)
    """Number question id -> value -> respondents."""
    index_scores: Mapping[str, Mapping[float, int]] = field(default_factory=dict)
    """Index id -> 0-100 score (the round's own coding) -> respondents."""
    items: Mapping[str, CoMoments] = field(default_factory=dict)
    """Index id -> co-moments of its complete item rows, for alpha within the village."""

    def to_json(self) -> str:
        return json.dumps({
            "format": RETAINED_FORMAT,
            "purged_on": self.purged_on.isoformat(),
            "responses": self.responses,
            "by_mode": self.by_mode,
            "without_consent": self.without_consent,
            "last_submitted": self.last_submitted.isoformat() if self.last_submitted else None,
            "counts": self.counts,
            "choices": {qid: [c.counts, c.valid, c.answered] for qid, c in self.choices.items()},
            "numbers": {qid: _pairs(values) for qid, values in self.numbers.items()},
            "index_scores": {iid: _pairs(values) for iid, values in self.index_scores.items()},
            "items": {iid: c.to_list() for iid, c in self.items.items()},
        }, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RetainedRound:
        data = json.loads(text)
        if data.get("format") != RETAINED_FORMAT:
            raise ValueError(f"retained sums have format {data.get('format')!r}, expected {RETAINED_FORMAT}")
        last = data["last_submitted"]
        return cls(
            date.fromisoformat(data["purged_on"]),
            int(data["responses"]),
            data["by_mode"],
            int(data["without_consent"]),
            datetime.fromisoformat(last) if last else None,
            data["counts"],
            {qid: Choices(counts, int(valid), int(answered)) for qid, (counts, valid, answered)
             in data["choices"].items()},
            {qid: _values(pairs) for qid, pairs in data["numbers"].items()},
            {iid: _values(pairs) for iid, pairs in data["index_scores"].items()},
            {iid: CoMoments.from_list(c) for iid, c in data["items"].items()},
        )

    def scores(self, index_id: str) -> pd.Series:
        """The index's scores as a series, one per respondent who had one (in no order)."""
        return _expand(self.index_scores.get(index_id, {}))

    def number_values(self, question_id: str) -> pd.Series:
        return _expand(self.numbers.get(question_id, {}))


def _pairs(values: Mapping[float, int]) -> list[list[float]]:
    return [[value, n] for value, n in sorted(values.items())]


def _values(pairs: Sequence[Sequence[float]]) -> dict[float, int]:
    return {float(value): int(n) for value, n in pairs}


def _expand(values: Mapping[float, int]) -> pd.Series:
    return pd.Series(np.repeat(np.array(list(values), dtype=float), list(values.values())), dtype=float)


def chosen_codes(column: pd.Series, question: Question) -> Choices:
    """Respondents per code of a multiple-answer column (lists of codes), as the report counts them."""
    chosen = column.dropna().explode().dropna().astype(str)
    specials = {o.code for o in question.options if o.special}
    counts = {str(k): int(v) for k, v in chosen.value_counts().items()}
    return Choices(counts, int(chosen[~chosen.isin(specials)].index.nunique()), int(chosen.index.nunique()))


def load_retained(connection: sa.Connection, round_ids: Iterable[int],
                  village_ids: Iterable[int] | None = None) -> dict[int, dict[int, RetainedRound]]:
    """Village id -> round id -> what was kept, for the rounds whose answers were deleted."""
    where = [RETAINED.c.round_id.in_(list(round_ids))]
    if village_ids is not None:
        where.append(RETAINED.c.village_id.in_(list(village_ids)))
    found: dict[int, dict[int, RetainedRound]] = {}
    for round_id, village_id, text in connection.execute(sa.select(RETAINED).where(*where)):
        found.setdefault(int(village_id), {})[int(round_id)] = RetainedRound.from_json(text)
    return found

"""Figures that do not depend on one village: alpha over all villages of a round, and the
district and regency figures the Comparison sheet sets beside the village."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from reports.data import RoundInfo, VillageInfo
from reports.stats import Suppression, cronbach_alpha, index_scores
from reports.tables.figures import (
    VillageData,
    headline_ids,
    index_estimate,
    own_index_scores,
    round_figures,
    share_estimate,
    share_from_counts,
)
from reports.tables.model import ComparisonRow, Estimate, ReportOptions, Trend
from survey_app.questionnaire import Index, Questionnaire

AlphaKey = tuple[int, str]


FiguresKey = tuple[int, str, str, Suppression]


AREA_COLUMNS = ("district_code", "regency_code")


class Population:
    """Responses of the report's rounds across villages, for what does not depend on one village:
    alpha over all villages of a round, and district / regency figures for the comparison.

    Build it once per run and share it across villages; results are memoised. Alpha is "over
    all villages of the round" only if ``responses`` holds all of them. ``round_summary`` and
    ``precomputed`` let a long-running process keep just those figures, not the responses.
    """

    def __init__(self, responses: pd.DataFrame) -> None:
        self.responses = responses
        self._rounds: dict[int, pd.DataFrame] = {}
        self._alpha: dict[AlphaKey, float] = {}
        self._figures: dict[FiguresKey, dict[str, Estimate]] = {}
        self._frozen = False

    @classmethod
    def precomputed(
        cls, alpha: Mapping[AlphaKey, float], figures: Mapping[FiguresKey, dict[str, Estimate]]
    ) -> Population:
        """A population of figures computed earlier (``round_summary``); asking for anything
        else raises KeyError instead of silently computing it from no responses."""
        population = cls(pd.DataFrame({"round_id": pd.Series(dtype=int)}))
        population._alpha = dict(alpha)
        population._figures = dict(figures)
        population._frozen = True
        return population

    def round_frame(self, round_id: int) -> pd.DataFrame:
        if round_id not in self._rounds:
            self._rounds[round_id] = self.responses[self.responses["round_id"] == round_id]
        return self._rounds[round_id]

    def alpha(self, round_: RoundInfo, index: Index) -> float:
        """Cronbach's alpha of ``index`` over every response of the round."""
        key = (round_.id, index.id)
        if key not in self._alpha:
            self._check_not_frozen(key)
            scores = own_index_scores(self.round_frame(round_.id), round_.questionnaire, index)
            self._alpha[key] = cronbach_alpha(scores)
        return self._alpha[key]

    def warm(self, rounds: Sequence[RoundInfo], villages: Iterable[VillageInfo] | None,
             options: ReportOptions) -> None:
        """Compute now what reports for ``villages`` (None: every village) will ask: alpha of
        every index in every round, and the figures of their districts and regencies in the
        latest round, one groupby per level. Bulk builds call it before forking, so workers
        share the results.
        """
        for round_ in rounds:
            for index in round_.questionnaire.indices:
                self.alpha(round_, index)
        self._warm_areas(rounds[-1], villages, options.suppression)

    def _warm_areas(self, round_: RoundInfo, villages: Iterable[VillageInfo] | None, suppression: Suppression) -> None:
        wanted: dict[str, set[str] | None] = {column: None for column in AREA_COLUMNS}
        if villages is not None:
            listed = list(villages)
            wanted = {"district_code": {v.district.code for v in listed},
                      "regency_code": {v.regency.code for v in listed}}
        frame = self.round_frame(round_.id)
        for column, codes in wanted.items():
            for code, figures in all_area_figures(frame, round_.questionnaire, column, suppression).items():
                key = (round_.id, column, code, suppression)
                if codes is None or code in codes:
                    self._figures.setdefault(key, figures)

    def round_summary(
        self, round_: RoundInfo, suppression: Suppression, areas: bool = True
    ) -> tuple[dict[AlphaKey, float], dict[FiguresKey, dict[str, Estimate]]]:
        """Alpha of every index of ``round_`` and (``areas``) the figures of every district and
        regency in it: all a report needs from the other villages of that round. Only a
        report's latest round is compared with its areas, so earlier rounds need alpha only."""
        for index in round_.questionnaire.indices:
            self.alpha(round_, index)
        if areas:
            self._warm_areas(round_, None, suppression)
        alpha = {key: value for key, value in self._alpha.items() if key[0] == round_.id}
        figures = {key: value for key, value in self._figures.items() if key[0] == round_.id and key[3] == suppression}
        return alpha, figures

    def area_figures(self, round_: RoundInfo, column: str, code: str, options: ReportOptions) -> dict[str, Estimate]:
        """``round_figures`` of the responses whose ``column`` (e.g. ``district_code``) is ``code``."""
        key = (round_.id, column, code, options.suppression)
        if key not in self._figures:
            if self._frozen:
                return {}  # an area without responses in that round
            frame = self.round_frame(round_.id)
            self._figures[key] = _area_figures(frame[frame[column] == code], round_.questionnaire, options.suppression)
        return self._figures[key]

    def _check_not_frozen(self, key: object) -> None:
        if self._frozen:
            raise KeyError(f"{key} was not precomputed for this population")


def all_area_figures(
    frame: pd.DataFrame, questionnaire: Questionnaire, column: str, suppression: Suppression
) -> dict[str, dict[str, Estimate]]:
    """``round_figures`` of every area of one round at once: area code -> figures.

    Set-based: one ``value_counts`` per item and one index score per respondent over the
    whole round, then a groupby by ``column``, instead of filtering the round per area.
    """
    areas = frame[column].astype(str)
    codes = list(dict.fromkeys(areas))
    results: dict[str, dict[str, Estimate]] = {code: {} for code in codes}
    for qid in headline_ids(questionnaire):
        question = questionnaire.question(qid)
        per_area: dict[str, dict[str, int]] = {code: {} for code in codes}
        if qid in frame.columns:
            answered = frame[qid].notna()
            pairs = pd.DataFrame({"area": areas[answered], "code": frame.loc[answered, qid].astype(str)})
            for (area, code), n in pairs.value_counts(sort=False).items():
                per_area[str(area)][str(code)] = int(n)
        for code in codes:
            results[code][qid] = share_estimate(share_from_counts(per_area[code], question), suppression)
    for index in questionnaire.indices:
        scores = index_scores(own_index_scores(frame, questionnaire, index))
        grouped = {str(k): v for k, v in scores.groupby(areas, sort=False)}
        for code in codes:
            results[code][f"index:{index.id}"] = index_estimate(grouped[code], suppression)
    return results


def _area_figures(frame: pd.DataFrame, questionnaire: Questionnaire, suppression: Suppression) -> dict[str, Estimate]:
    return round_figures(frame, questionnaire, ReportOptions(min_n=suppression.min_n,
                                                             caution_below=suppression.caution_below))


def comparison_rows(
    village: VillageInfo, latest: RoundInfo, data: VillageData, population: Population | None,
    indices: Sequence[Trend], items: Sequence[Trend], options: ReportOptions,
) -> list[ComparisonRow]:
    # The latest round is the reference of its own segment, so the trends already hold the
    # village's figures in the latest round's coding: the same numbers round_figures gives.
    own = {
        (f"index:{trend.key}" if trend.kind == "index" else trend.key): estimate
        for trend in (*indices, *items)
        if (estimate := trend.values.get(latest.id)) is not None
    }
    district = regency = None
    if population is not None:
        district = population.area_figures(latest, "district_code", village.district.code, options)
        regency = population.area_figures(latest, "regency_code", village.regency.code, options)
    rows = []
    for trend in (*indices, *items):
        key = f"index:{trend.key}" if trend.kind == "index" else trend.key
        if key in own:
            rows.append(ComparisonRow(
                trend.key, trend.kind, trend.label, own[key],
                district.get(key) if district else None, regency.get(key) if regency else None,
            ))
    return rows

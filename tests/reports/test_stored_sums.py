"""Stored summary sums never disagree with the stored answers, whatever wrote them.

Random programs of writes (new answers, corrections, soft and hard deletions, an answer moved
to another village, a village moved to another district), with refreshes at random points,
then a last refresh: every stored row, village to round, equals a full recomputation from the
responses, and the area figures and alpha equal the report engine's own from every response.
The answer counts the dashboard reads (``village_counts``) equal a count of the responses.
"""

from __future__ import annotations

import itertools
import math
import uuid

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.data import load_round_history, load_round_responses
from reports.stats import Suppression
from reports.tables.comparison import Population, all_area_figures
from reports.tables.figures import round_figures
from reports.tables.model import ReportOptions
from reports.tables.sums import PlaceSums, counted_ids, sums_by_place
from survey_app import questionnaires
from survey_app.database import read_only
from survey_app.extensions import db
from survey_app.models import Mode, PlaceSummary, Response, SummaryDirty, SummaryLevel, Village
from survey_app.models._types import utcnow
from survey_app.operations.responses import insert_response
from survey_app.reporting import summaries
from tests.factories import make_round, make_villages, village_counts_disagreements

QUESTIONNAIRE = ("trust-safety", 2)
DISTRICTS = ("32.73.01", "32.73.02")
LEVEL_COLUMNS = {
    SummaryLevel.VILLAGE: "village_code",
    SummaryLevel.DISTRICT: "district_code",
    SummaryLevel.REGENCY: "regency_code",
    SummaryLevel.PROVINCE: "province_code",
}
_names = itertools.count()


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):  # type: ignore[no-untyped-def]
    """Rebuild two villages per transaction, so refreshes here span several batches."""
    monkeypatch.setattr(summaries, "_BATCH", 2)


@pytest.fixture
def villages(app):  # type: ignore[no-untyped-def]
    return make_villages()


def _answers(draw: st.DrawFn) -> dict[str, object]:  # type: ignore[name-defined]
    questionnaire = questionnaires.load(*QUESTIONNAIRE)
    answers: dict[str, object] = {}
    for qid in counted_ids(questionnaire):
        codes = [o.code for o in questionnaire.question(qid).options]
        choice = draw(st.one_of(st.none(), st.sampled_from(codes)))
        if choice is not None:
            answers[qid] = choice
    return answers


answer_sets = st.composite(_answers)()
operations = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), st.integers(0, 5), answer_sets),
        st.tuples(st.just("insert"), st.integers(0, 5), answer_sets),
        st.tuples(st.just("correct"), st.integers(0, 99), answer_sets),
        st.tuples(st.just("soft_delete"), st.integers(0, 99)),
        st.tuples(st.just("hard_delete"), st.integers(0, 99)),
        st.tuples(st.just("move"), st.integers(0, 5)),
        st.tuples(st.just("relocate"), st.integers(0, 99), st.integers(0, 5)),
        st.tuples(st.just("refresh"),),
    ),
    max_size=25,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=operations)
def test_stored_sums_equal_a_full_recomputation_after_random_writes(villages, program):
    round_ = make_round(f"Round {next(_names)}", "{}@{}".format(*QUESTIONNAIRE), opened=True)
    questionnaire = questionnaires.load(*QUESTIONNAIRE)
    village_rows = db.session.scalars(sa.select(Village).order_by(Village.code)).all()
    for step in program:
        _apply(step, round_, village_rows, questionnaire)
        db.session.commit()
    _refresh(round_.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SummaryDirty)
                             .where(SummaryDirty.round_id == round_.id)) == 0
    _check_against_recomputation(round_.id)
    assert village_counts_disagreements() == []


def _apply(step, round_, village_rows, questionnaire) -> None:  # type: ignore[no-untyped-def]
    kind, *args = step
    existing = db.session.scalars(sa.select(Response).where(Response.round_id == round_.id)
                                  .order_by(Response.id)).all()
    if kind == "insert":
        village, answers = village_rows[args[0]], args[1]
        insert_response(round_, village, questionnaire, answers, str(uuid.uuid4()),
                        Mode.WEB if args[0] % 2 else Mode.PAPER)
    elif kind == "refresh":
        _refresh(round_.id)
    elif kind == "move":
        village = village_rows[args[0]]
        village.district_code = DISTRICTS[1] if village.district_code == DISTRICTS[0] else DISTRICTS[0]
    elif existing:
        response = existing[args[0] % len(existing)]
        if kind == "correct":
            response.answers = dict(args[1])
        elif kind == "relocate":  # keyed under the wrong village, put right
            response.village_id = village_rows[args[1]].id
        elif kind == "soft_delete":
            response.deleted_at = utcnow()
        else:
            db.session.delete(response)


def _refresh(round_id: int) -> None:
    db.session.commit()
    with db.engine.connect() as connection:
        rounds = load_round_history(connection, round_id, questionnaires.catalog().get)
    summaries.refresh(db.engine, rounds)


def _check_against_recomputation(round_id: int) -> None:
    db.session.commit()  # the session's SQLite transaction holds the write lock: end it first
    with db.engine.connect() as connection:
        info = load_round_history(connection, round_id, questionnaires.catalog().get)[-1]
        frame = load_round_responses(connection, [round_id])
        stored = {
            (SummaryLevel(level), code): PlaceSums.from_json(text)
            for level, code, text in connection.execute(
                sa.select(PlaceSummary.level, PlaceSummary.code, PlaceSummary.sums)
                .where(PlaceSummary.round_id == round_id))
        }
    questionnaire = info.questionnaire
    expected: dict[tuple[SummaryLevel, str], PlaceSums] = {}
    for level, column in LEVEL_COLUMNS.items():
        for code, sums in sums_by_place(frame, questionnaire, column).items():
            expected[(level, code)] = sums
    if len(frame):
        expected[(SummaryLevel.ROUND, "")] = sums_by_place(frame.assign(everything=""), questionnaire, "everything")[""]
    assert set(stored) == set(expected), "a place with responses lacks its row, or one without keeps it"
    for key, sums in expected.items():
        _assert_same_sums(stored[key], sums, key)
    # The report engine's own figures from every response: districts, regencies, the round.
    suppression = Suppression(1, 2)
    for level, column in ((SummaryLevel.DISTRICT, "district_code"), (SummaryLevel.REGENCY, "regency_code")):
        for code, figures in all_area_figures(frame, questionnaire, column, suppression).items():
            _assert_same_figures(stored[(level, code)].figures(questionnaire, suppression), figures)
    if len(frame):
        whole = stored[(SummaryLevel.ROUND, "")]
        _assert_same_figures(whole.figures(questionnaire, suppression),
                             round_figures(frame, questionnaire, ReportOptions(min_n=1, caution_below=2)))
        reference = Population(frame)
        for index in questionnaire.indices:
            assert whole.alpha(index.id) == pytest.approx(reference.alpha(info, index), rel=1e-9, abs=1e-12,
                                                          nan_ok=True)


def _assert_same_sums(got: PlaceSums, want: PlaceSums, key: object) -> None:
    assert got.responses == want.responses, key
    assert {q: c for q, c in got.counts.items() if c} == {q: c for q, c in want.counts.items() if c}, key
    for iid, moments in want.indices.items():
        mine = got.indices[iid]
        assert mine.n == moments.n, key
        for a, b in ((mine.mean, moments.mean), (mine.m2, moments.m2), (mine.low, moments.low)):
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-9), key
    for iid, items in want.items.items():
        assert got.items[iid].n == items.n, key
        assert got.items[iid].comoments == pytest.approx(items.comoments, rel=1e-9, abs=1e-7), key


def _assert_same_figures(got, want) -> None:  # type: ignore[no-untyped-def]
    assert got.keys() == want.keys()
    for key, estimate in want.items():
        mine = got[key]
        assert (mine.n, mine.flag) == (estimate.n, estimate.flag), key
        for a, b in ((mine.value, estimate.value), (mine.ci_low, estimate.ci_low), (mine.ci_high, estimate.ci_high)):
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12), key


def test_every_write_path_marks_its_village_and_a_refresh_clears_only_what_it_read(villages, monkeypatch):
    round_ = make_round("Round M", "trust-safety@2", opened=True)
    questionnaire = questionnaires.load(*QUESTIONNAIRE)
    village = villages[0]
    village_id = village.id
    round_id = round_.id

    def marks() -> dict[int, int]:
        db.session.commit()
        with read_only(), db.engine.connect() as connection:
            return summaries.stale_villages(connection, round_id)

    insert_response(round_, village, questionnaire, {"trust_police": "4"}, str(uuid.uuid4()), Mode.WEB)
    db.session.commit()
    assert marks() == {village_id: 1}
    _refresh(round_id)
    assert marks() == {}
    response = db.session.scalars(sa.select(Response)).one()
    response.answers = {"trust_police": "1"}
    db.session.commit()
    assert marks() == {village_id: 1}
    # A refresh that read revision 1 while another answer arrived leaves the village marked.
    db.session.commit()
    with read_only(), db.engine.connect() as connection:
        rounds = load_round_history(connection, round_id, questionnaires.catalog().get)
    original = summaries.stale_villages
    calls = iter([None, "write"])

    def stale_then_write(connection, round_id):  # type: ignore[no-untyped-def]
        found = original(connection, round_id)
        if next(calls, None) == "write":  # the second read is inside the rebuild's transaction
            connection.execute(sa.update(SummaryDirty.__table__).values(revision=SummaryDirty.revision + 1))
            found = original(connection, round_id)
        return found

    monkeypatch.setattr(summaries, "stale_villages", stale_then_write)
    assert summaries.refresh(db.engine, rounds) == 0
    monkeypatch.undo()
    assert marks() == {village_id: 2}
    _refresh(round_id)
    assert marks() == {}
    response.deleted_at = utcnow()
    db.session.commit()
    assert marks() == {village_id: 1}
    _refresh(round_id)
    db.session.commit()
    with read_only(), db.engine.connect() as connection:
        assert summaries.stored_sums(connection, round_id, SummaryLevel.ROUND, [""]) == {}

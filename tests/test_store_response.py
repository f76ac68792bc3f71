"""store_response / insert_response: one INSERT ... ON CONFLICT decides, on both backends."""

import itertools
import threading
import time
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.models import Mode, Response, Round, RoundStatus, Village
from survey_app.models._types import utcnow
from survey_app.operations.responses import (
    ROUND_OPEN_ON_TODAY,
    RoundNotOpen,
    StoreOutcome,
    answers_digest,
    insert_response,
    store_response,
)
from survey_app.questionnaire import clean_answers
from survey_app.questionnaires import load
from survey_app.respond.availability import Availability, availability
from tests.factories import complete_answers, make_round, make_villages


@pytest.fixture
def round_(app):
    make_villages()
    return make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73.01"])


@pytest.fixture
def questionnaire(round_):
    return load("trust-safety", 2)


@pytest.fixture
def village(round_):
    return db.session.scalar(sa.select(Village).where(Village.code == "32.73.01.1001"))


@pytest.fixture
def answers(questionnaire):
    return clean_answers(questionnaire, complete_answers(questionnaire)).answers


def _rows() -> list[Response]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Response).order_by(Response.id)))


def test_a_new_key_is_created_with_every_column(round_, village, questionnaire, answers):
    key = str(uuid.uuid4())
    outcome, response_id = insert_response(round_, village, questionnaire, answers, key, Mode.WEB,
                                           utcnow() - timedelta(minutes=7))
    db.session.commit()
    assert outcome is StoreOutcome.CREATED
    [row] = _rows()
    assert row.id == response_id
    assert (row.submission_key, row.round_id, row.village_id) == (key, round_.id, village.id)
    assert (row.questionnaire_key, row.questionnaire_version, row.mode) == ("trust-safety", 2, Mode.WEB)
    assert row.answers == answers and row.answers_digest == answers_digest(answers)
    assert 7 * 60 <= row.duration_s < 7 * 60 + 30  # computed from started_at, as before
    assert row.updated_at == row.submitted_at
    assert row.deleted_at is None


def test_no_start_time_stores_no_duration_and_a_future_one_stores_zero(round_, village, questionnaire, answers):
    insert_response(round_, village, questionnaire, answers, str(uuid.uuid4()), Mode.WEB)
    insert_response(round_, village, questionnaire, answers, str(uuid.uuid4()), Mode.WEB, utcnow() + timedelta(hours=1))
    db.session.commit()
    assert [row.duration_s for row in _rows()] == [None, 0]


def test_the_same_key_and_answers_is_a_replay_of_the_first_row(round_, village, questionnaire, answers):
    key = str(uuid.uuid4())
    _outcome, first_id = insert_response(round_, village, questionnaire, answers, key, Mode.WEB)
    db.session.commit()
    reordered = dict(reversed(list(answers.items())))  # the digest ignores key order
    outcome, again_id = insert_response(round_, village, questionnaire, reordered, key, Mode.WEB)
    db.session.commit()
    assert (outcome, again_id) == (StoreOutcome.REPLAYED, first_id)
    assert len(_rows()) == 1


def test_the_same_key_in_one_transaction_is_a_replay_too(round_, village, questionnaire, answers):
    key = str(uuid.uuid4())
    first = insert_response(round_, village, questionnaire, answers, key, Mode.WEB)
    again = insert_response(round_, village, questionnaire, answers, key, Mode.WEB)
    db.session.commit()
    assert (first[0], again[0], again[1]) == (StoreOutcome.CREATED, StoreOutcome.REPLAYED, first[1])
    assert len(_rows()) == 1


@pytest.mark.parametrize("change", ["answers", "village"])
def test_the_same_key_with_other_content_is_a_conflict_and_the_first_is_kept(
        change, round_, village, questionnaire, answers):
    key = str(uuid.uuid4())
    _outcome, first_id = insert_response(round_, village, questionnaire, answers, key, Mode.WEB)
    db.session.commit()
    other_answers = {**answers, "trust_police": "1" if answers["trust_police"] != "1" else "2"}
    other_village = db.session.scalar(sa.select(Village).where(Village.code == "32.73.01.1002"))
    if change == "answers":
        outcome, found_id = insert_response(round_, village, questionnaire, other_answers, key, Mode.WEB)
    else:
        outcome, found_id = insert_response(round_, other_village, questionnaire, answers, key, Mode.WEB)
    db.session.commit()
    assert (outcome, found_id) == (StoreOutcome.CONFLICT, first_id)
    [row] = _rows()
    assert (row.answers, row.village_id) == (answers, village.id)


def test_store_response_gives_the_orm_object_of_the_created_or_first_row(round_, village, questionnaire, answers):
    key = str(uuid.uuid4())
    outcome, response = store_response(round_, village, questionnaire, answers, key, Mode.PAPER)
    assert outcome is StoreOutcome.CREATED and isinstance(response, Response)
    assert (response.submission_key, response.mode, response.answers) == (key, Mode.PAPER, answers)
    db.session.commit()
    outcome, again = store_response(round_, village, questionnaire, answers, key, Mode.PAPER)
    assert outcome is StoreOutcome.REPLAYED and again.id == response.id
    conflict, first = store_response(round_, village, questionnaire, {**answers, "sex": "9"}, key, Mode.PAPER)
    assert conflict is StoreOutcome.CONFLICT and first.id == response.id and first.answers == answers


def test_other_constraint_failures_are_raised_not_taken_for_a_retry(round_, village, questionnaire, answers):
    class Missing:
        id = 999_999

    with pytest.raises(IntegrityError):  # the foreign key on round_id
        insert_response(Missing(), village, questionnaire, answers, str(uuid.uuid4()), Mode.WEB)
    db.session.rollback()
    assert _rows() == []


def _race(app, round_id: int, village_id: int, questionnaire, answer_sets: list[dict], key: str):  # type: ignore[no-untyped-def]
    """Insert the same key from one thread (own app context, session and connection) per
    answer set, all released at once; the first to insert keeps its transaction open a
    moment, so the others must wait for its commit (PostgreSQL) or its write lock (SQLite)."""
    barrier = threading.Barrier(len(answer_sets))
    outcomes: list[tuple[StoreOutcome, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    class Ref:
        def __init__(self, id_: int) -> None:
            self.id = id_

    def worker(answers: dict) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                result = insert_response(Ref(round_id), Ref(village_id), questionnaire, answers, key, Mode.WEB)
                if result[0] is StoreOutcome.CREATED:
                    time.sleep(0.2)
                db.session.commit()
                with lock:
                    outcomes.append(result)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(answers,)) for answers in answer_sets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return outcomes


def test_concurrent_retries_of_one_key_store_one_row(app, round_, village, questionnaire, answers):
    key = str(uuid.uuid4())
    round_id, village_id = round_.id, village.id
    db.session.commit()
    outcomes = _race(app, round_id, village_id, questionnaire, [answers] * 4, key)
    kinds = sorted(outcome.value for outcome, _id in outcomes)
    assert kinds == ["created", "replayed", "replayed", "replayed"]
    assert len({row_id for _outcome, row_id in outcomes}) == 1
    [row] = _rows()
    assert row.submission_key == key and row.id == outcomes[0][1]


def test_concurrent_posts_of_one_key_with_other_answers_keep_one(app, round_, village, questionnaire, answers):
    key = str(uuid.uuid4())
    other = {**answers, "sex": "9"}
    round_id, village_id = round_.id, village.id
    db.session.commit()
    outcomes = _race(app, round_id, village_id, questionnaire, [answers, other, answers, other], key)
    created = [row_id for outcome, row_id in outcomes if outcome is StoreOutcome.CREATED]
    assert len(created) == 1 and len(outcomes) == 4
    [row] = _rows()
    winner = row.answers
    assert {row_id for _outcome, row_id in outcomes} == {row.id}
    # Those that sent the winner's answers were replays; the others conflicts.
    expected = sorted(["created", "replayed", "conflict", "conflict"])
    assert sorted(outcome.value for outcome, _id in outcomes) == expected
    assert winner in (answers, other)


# --- the guard: a web answer is stored only while the round takes answers -------------------

_DAY = timedelta(days=1)


def _round_states():
    """Every status, schedule flag and position of the dates around today that the
    table's constraints allow."""
    today = date(2026, 6, 15)
    dates = [None, today - _DAY, today, today + _DAY]
    for status, scheduled, opens_on, closes_on in itertools.product(RoundStatus, [False, True], dates, dates):
        if opens_on is None or closes_on is None or closes_on >= opens_on:
            yield today, status, scheduled, opens_on, closes_on


def test_the_inserts_guard_agrees_with_availability_in_every_state(round_, village):
    """The SQL twin of availability() (scope aside) gives the same answer for each state."""
    disagreements = []
    for today, status, scheduled, opens_on, closes_on in _round_states():
        db.session.execute(sa.update(Round).where(Round.id == round_.id).values(
            status=status, scheduled=scheduled, opens_on=opens_on, closes_on=closes_on))
        in_sql = db.session.scalar(
            sa.text(f"SELECT count(*) FROM rounds WHERE rounds.id = :id AND {ROUND_OPEN_ON_TODAY}")  # noqa: S608
            .bindparams(sa.bindparam("today", type_=sa.Date())), {"id": round_.id, "today": today})
        db.session.expire(round_)
        in_python = availability(round_, village, today) is Availability.OPEN
        if bool(in_sql) != in_python:
            disagreements.append((status, scheduled, opens_on, closes_on, in_python))
    assert disagreements == []


def test_a_guarded_insert_stores_a_new_key_only_while_the_round_is_open(round_, village, questionnaire, answers):
    today = date.today()
    key = str(uuid.uuid4())
    outcome, _id = insert_response(round_, village, questionnaire, answers, key, Mode.WEB, open_on=today)
    db.session.commit()
    assert outcome is StoreOutcome.CREATED

    round_.status = RoundStatus.CLOSED
    db.session.commit()
    with pytest.raises(RoundNotOpen):
        insert_response(round_, village, questionnaire, answers, str(uuid.uuid4()), Mode.WEB, open_on=today)
    db.session.rollback()
    # A phone that never got the answer to its first post still gets it: the key is known.
    outcome, again_id = insert_response(round_, village, questionnaire, answers, key, Mode.WEB, open_on=today)
    assert (outcome, again_id) == (StoreOutcome.REPLAYED, _id)
    other = {**answers, "trust_police": "1"}
    outcome, _again = insert_response(round_, village, questionnaire, other, key, Mode.WEB, open_on=today)
    assert outcome is StoreOutcome.CONFLICT
    db.session.rollback()
    assert len(_rows()) == 1


def test_a_guarded_insert_follows_a_scheduled_rounds_dates(round_, village, questionnaire, answers):
    today = date.today()
    round_.status, round_.scheduled = RoundStatus.DRAFT, True
    round_.opens_on, round_.closes_on = today, today + _DAY
    db.session.commit()
    assert insert_response(round_, village, questionnaire, answers, str(uuid.uuid4()), Mode.WEB,
                           open_on=today)[0] is StoreOutcome.CREATED
    for day in (today - _DAY, today + 2 * _DAY):
        with pytest.raises(RoundNotOpen):
            insert_response(round_, village, questionnaire, answers, str(uuid.uuid4()), Mode.WEB, open_on=day)

"""Double entry: blind second entries, matching and differing forms, the reconciliation
queue, what reaches the reports, quality figures and the per-round settings."""

import re

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import (
    DecisionSource,
    DoubleEntry,
    FormStatus,
    PaperEntry,
    ReconciliationDecision,
    SerialScope,
)
from survey_app.operations import paper
from tests.entry.conftest import VILLAGE, actions, forms, key, responses, set_double_entry, text, typed
from tests.factories import csrf_token


@pytest.fixture
def double(round_):  # type: ignore[no-untyped-def]
    set_double_entry(round_, DoubleEntry.ALL, 100)
    return round_


def _reconcile(client, form, data):  # type: ignore[no-untyped-def]
    url = f"/entry/forms/{form.id}/reconcile"
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def test_matching_entries_by_two_volunteers_verify_the_form(double, questionnaire, as_user):
    assert key(as_user("vol1"), double, typed(questionnaire)).status_code == 303
    [form] = forms()
    assert (form.status, form.needs_second) == (FormStatus.AWAITING_SECOND, True)
    assert responses() == []  # nothing reaches the reports before the second entry
    second = key(as_user("vol2"), double, typed(questionnaire, _serial="a001"))
    assert second.status_code == 303
    assert "both entries match, the form is verified" in text(as_user("vol2").get(second.headers["Location"]))
    [form] = forms()
    assert form.status is FormStatus.VERIFIED
    assert (form.compared_fields, form.discrepancies) == (2 + len(form.entries[0].answers), 0)
    [stored] = responses()
    assert stored.answers == form.entries[0].answers and form.response_id == stored.id


def test_the_same_volunteer_can_never_key_both_entries(double, questionnaire, as_user):
    client = as_user("vol1")
    key(client, double, typed(questionnaire))
    check = client.get(f"/entry/{double.id}/serial?serial=A001&village={VILLAGE}").get_json()
    assert check["state"] == "own"
    again = key(client, double, typed(questionnaire))
    assert again.status_code == 403
    assert "a different volunteer must key the second entry" in text(again)
    assert len(forms()[0].entries) == 1 and responses() == []


def test_a_second_volunteer_is_told_the_serial_awaits_its_second_entry(double, questionnaire, as_user):
    key(as_user("vol1"), double, typed(questionnaire))
    check = as_user("vol2").get(f"/entry/{double.id}/serial?serial=A001&village={VILLAGE}").get_json()
    assert check["state"] == "second"
    # and cannot see the first entry: the second keying is blind
    entry_id = db.session.scalar(sa.select(PaperEntry.id))
    assert as_user("vol2").get(f"/entry/entries/{entry_id}").status_code == 403


def test_differing_entries_go_to_the_queue_and_a_coordinator_resolves_them(double, questionnaire, as_user):
    key(as_user("vol1"), double, typed(questionnaire, {"trust_police": "4", "sex": "1"}, _interviewer="IW1"))
    answer = key(as_user("vol2"), double, typed(questionnaire, {"trust_police": "3", "sex": "2"}, _interviewer="IW1"))
    assert "The two entries differ" in text(as_user("vol2").get(answer.headers["Location"]))
    [form] = forms()
    assert (form.status, form.discrepancies) == (FormStatus.RECONCILIATION, 2)
    assert responses() == []
    assert "paper.discrepancies" in actions()

    coord = as_user("coord")
    queue = text(coord.get(f"/entry/{double.id}/queue"))
    assert "A001" in queue and f"/entry/forms/{form.id}/reconcile" in queue
    page = coord.get(f"/entry/forms/{form.id}/reconcile").get_data(as_text=True)
    assert len(re.findall(r'<tr class="differs', page)) == 2
    assert 'id="row-trust_police"' in page and 'id="row-sex"' in page

    missing = _reconcile(coord, form, {"pick-trust_police": "second"})
    assert missing.status_code == 422
    assert "The entries differ: choose the right value" in text(missing)
    assert forms()[0].status is FormStatus.RECONCILIATION

    done = _reconcile(coord, form, {"pick-trust_police": "second", "pick-sex": "typed", "typed-sex": "9"})
    assert done.status_code == 303
    [form] = forms()
    assert form.status is FormStatus.RESOLVED
    [stored] = responses()
    assert (stored.answers["trust_police"], stored.answers["sex"]) == ("3", "9")
    decisions = {d.field: (d.source, d.value) for d in db.session.scalars(sa.select(ReconciliationDecision))}
    assert decisions == {"trust_police": (DecisionSource.SECOND, "3"), "sex": (DecisionSource.TYPED, "9")}
    assert "paper.reconciled" in actions() and "paper.finalised" in actions()
    assert "No forms to reconcile." in text(coord.get(f"/entry/{double.id}/queue"))


def test_a_typed_value_is_checked_like_a_keyed_one(double, questionnaire, as_user):
    key(as_user("vol1"), double, typed(questionnaire, {"trust_police": "4"}))
    key(as_user("vol2"), double, typed(questionnaire, {"trust_police": "3"}))
    [form] = forms()
    bad = _reconcile(as_user("coord"), form, {"pick-trust_police": "typed", "typed-trust_police": "6"})
    assert bad.status_code == 422
    assert "is not a valid option" in text(bad)
    assert forms()[0].status is FormStatus.RECONCILIATION and responses() == []


def test_a_choice_that_opens_a_skipped_question_needs_its_value(double, questionnaire, as_user):
    key(as_user("vol1"), double, typed(questionnaire, {"contact_12m": "no"}))
    key(as_user("vol2"), double, typed(questionnaire, {"contact_12m": "yes", "contact_how": "3"}))
    [form] = forms()
    coord = as_user("coord")
    # the paper says yes: entry 2's contact_how comes with it
    done = _reconcile(coord, form, {"pick-contact_12m": "second", "pick-contact_how": "second"})
    assert done.status_code == 303
    assert responses()[0].answers["contact_how"] == "3"


def test_reconciliation_is_for_staff_in_scope(double, questionnaire, as_user):
    key(as_user("vol1"), double, typed(questionnaire, {"trust_police": "4"}))
    key(as_user("vol2"), double, typed(questionnaire, {"trust_police": "3"}))
    [form] = forms()
    assert as_user("vol1").get(f"/entry/forms/{form.id}/reconcile").status_code == 403
    assert as_user("vol1").get(f"/entry/{double.id}/queue").status_code == 403
    assert as_user("coord2").get(f"/entry/forms/{form.id}/reconcile").status_code == 403
    url = f"/entry/forms/{form.id}/reconcile"
    token = csrf_token(as_user("coord2"), "/entry/")  # the sign-out form's token
    assert as_user("coord2").post(url, data={"csrf_token": token, "pick-trust_police": "first"}).status_code == 403
    assert forms()[0].status is FormStatus.RECONCILIATION


def test_a_random_share_is_drawn_once_when_the_first_entry_is_saved(round_, questionnaire, as_user, monkeypatch):
    set_double_entry(round_, DoubleEntry.SAMPLE, 20)
    draws = iter([0.10, 0.50])  # 10 < 20: second entry; 50 >= 20: single
    monkeypatch.setattr(paper._draw, "random", lambda: next(draws))
    client = as_user("vol1")
    key(client, round_, typed(questionnaire, _serial="S1"))
    key(client, round_, typed(questionnaire, _serial="S2"))
    first, second = forms()
    assert (first.needs_second, first.status) == (True, FormStatus.AWAITING_SECOND)
    assert (second.needs_second, second.status) == (False, FormStatus.SINGLE)
    assert [r.id for r in responses()] == [second.response_id]
    assert isinstance(paper._draw, paper.random.SystemRandom)


def test_the_awaiting_second_entry_count_is_visible(double, questionnaire, as_user):
    key(as_user("vol1"), double, typed(questionnaire, _serial="S1"))
    key(as_user("vol1"), double, typed(questionnaire, _serial="S2"))
    page = as_user("vol2").get("/entry/").get_data(as_text=True)
    assert re.search(r"data-awaiting-second>2<", page)


def test_quality_figures_per_volunteer_and_per_round(double, questionnaire, as_user, person):
    vol1, vol2 = as_user("vol1"), as_user("vol2")
    key(vol1, double, typed(questionnaire, {"trust_police": "4"}, _serial="S1"))
    key(vol2, double, typed(questionnaire, {"trust_police": "3"}, _serial="S1"))
    key(vol1, double, typed(questionnaire, _serial="S2"))
    key(vol2, double, typed(questionnaire, _serial="S2"))
    key(vol2, double, typed(questionnaire, _serial="S3"))
    s1 = forms()[0]
    _reconcile(as_user("coord"), s1, {"pick-trust_police": "first"})

    from survey_app.entry.queries import quality

    figures = quality(person("coord"), double)
    fields = s1.compared_fields
    total = figures.total
    assert (total.forms_keyed, total.fields_compared, total.discrepancies) == (5, 2 * fields, 1)
    assert total.rate == pytest.approx(1000 / (2 * fields))
    assert total.outcomes["first"] == 1
    people = {p.label: p for p in figures.people}
    assert people["vol1@example.org"].forms_keyed == 2 and people["vol2@example.org"].forms_keyed == 3
    assert (people["vol1@example.org"].kept, people["vol1@example.org"].overruled) == (1, 0)
    assert (people["vol2@example.org"].kept, people["vol2@example.org"].overruled) == (0, 1)
    assert figures.statuses["awaiting_second"] == 1 and figures.statuses["verified"] == 1

    page = as_user("coord").get(f"/entry/{double.id}/quality")
    assert page.status_code == 200
    assert 'data-person="vol2@example.org"' in page.get_data(as_text=True)
    assert as_user("vol1").get(f"/entry/{double.id}/quality").status_code == 403


def test_admins_set_double_entry_per_round(round_, as_user):
    url = f"/entry/{round_.id}/settings"
    admin = as_user("admin")
    bad = admin.post(url, data={"csrf_token": csrf_token(admin, url), "mode": "sample", "share": ""})
    assert bad.status_code == 422
    saved = admin.post(url, data={"csrf_token": csrf_token(admin, url), "mode": "sample", "share": "20",
                                  "serials": "village"})
    assert saved.status_code == 303
    db.session.expire_all()
    assert (round_.double_entry, round_.double_entry_share) == (DoubleEntry.SAMPLE, 20)
    assert "round.double_entry_set" in actions()
    assert as_user("coord").get(url).status_code == 403
    assert as_user("vol1").get(url).status_code == 403


def test_double_entry_from_the_command_line(round_, runner):
    result = runner.invoke(args=["responses", "double-entry", "Round 1", "--mode", "all"])
    assert result.exit_code == 0, result.output
    assert "Double entry for 'Round 1': all." in result.output
    refused = runner.invoke(args=["responses", "double-entry", "Round 1", "--mode", "sample", "--share", "0"])
    assert refused.exit_code == 1
    assert "between 1 and 100" in refused.output
    db.session.expire_all()
    assert round_.double_entry is DoubleEntry.ALL


def test_a_matching_second_entry_is_audited_as_matched(double, questionnaire, as_user):
    key(as_user("vol1"), double, typed(questionnaire))
    key(as_user("vol2"), double, typed(questionnaire))
    assert actions()[-3:] == ["paper.entry_saved", "paper.entries_matched", "paper.finalised"]


def test_two_coordinators_reconciling_one_form_at_once_record_one_decision_set(double, questionnaire, as_user,
                                                                                person):
    """The second save read the form while it was still in the queue."""
    from survey_app.operations import OperationError
    from survey_app.operations.reconcile import reconcile

    key(as_user("vol1"), double, typed(questionnaire, {"trust_police": "4"}))
    key(as_user("vol2"), double, typed(questionnaire, {"trust_police": "3"}))
    coordinator = person("coord")
    [form] = forms()
    assert form.status is FormStatus.RECONCILIATION
    # Someone else's reconciliation, committed after this one loaded the form.
    db.session.execute(sa.update(paper.PaperForm).where(paper.PaperForm.id == form.id)
                       .values(status=FormStatus.RESOLVED).execution_options(synchronize_session=False))
    with pytest.raises(OperationError, match="was reconciled by someone else just now"):
        reconcile(coordinator, form, questionnaire, {"trust_police": "first"}, {})
    db.session.rollback()
    assert db.session.scalars(sa.select(ReconciliationDecision)).all() == [] and responses() == []


def test_decisions_are_listed_in_the_interface_language(double, questionnaire, as_user):
    key(as_user("vol1"), double, typed(questionnaire, {"trust_police": "4"}))
    key(as_user("vol2"), double, typed(questionnaire, {"trust_police": "3"}))
    [form] = forms()
    coord = as_user("coord")
    assert _reconcile(coord, form, {"pick-trust_police": "second"}).status_code == 303
    page = text(coord.get(f"/entry/forms/{form.id}/reconcile"))
    assert "<code>trust_police</code>: Entry 2 → 3" in page


def test_where_serials_are_unique_is_set_until_the_first_form_is_keyed(round_, questionnaire, as_user):
    url = f"/entry/{round_.id}/settings"
    admin = as_user("admin")
    data = {"mode": "off", "serials": "round"}
    assert admin.post(url, data={"csrf_token": csrf_token(admin, url), **data}).status_code == 303
    db.session.expire_all()
    assert round_.serial_scope is SerialScope.ROUND
    assert "round.serial_scope_set" in actions()
    key(as_user("vol1"), round_, typed(questionnaire))
    refused = admin.post(url, data={"csrf_token": csrf_token(admin, url), **data, "serials": "village"})
    assert refused.status_code == 422
    assert "fixed once paper forms are keyed: 1 already" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert round_.serial_scope is SerialScope.ROUND

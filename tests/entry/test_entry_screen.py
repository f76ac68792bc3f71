"""The heads-down entry screen through the test client: saving, skip logic, validation,
duplicates and scope. The JS-off path: a plain form checked on the server."""

import html

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import EntrySource, FormStatus, Mode, PaperEntry, PaperForm, RoundStatus, SerialScope
from tests.entry.conftest import OTHER_DISTRICT_VILLAGE, VILLAGE, actions, forms, key, responses, text, typed
from tests.factories import csrf_token, make_round


def test_a_single_entry_form_counts_at_once_when_double_entry_is_off(round_, questionnaire, as_user):
    client = as_user("vol1")
    answer = key(client, round_, typed(questionnaire, _interviewer="IW7"))
    assert answer.status_code == 303
    assert f"village={VILLAGE}" in answer.headers["Location"] and "date=2026-11-01" in answer.headers["Location"]
    [form] = forms()
    assert (form.serial, form.status, form.needs_second, form.interviewer_code) == ("A001", FormStatus.SINGLE,
                                                                                   False, "IW7")
    [entry] = form.entries
    assert (entry.number, entry.keyed_by, entry.source) == (1, "vol1@example.org", EntrySource.SCREEN)
    [stored] = responses()
    assert stored.mode is Mode.PAPER and form.response_id == stored.id
    assert stored.answers["local_problems"] == ["theft"]
    assert [a for a in actions() if a.startswith("paper.")] == ["paper.entry_saved", "paper.finalised"]
    page = text(client.get(answer.headers["Location"]))
    assert "Form A001 saved." in page
    assert "Forms saved this session: 1" in page
    assert f'<option value="{VILLAGE}" selected>' in page  # the village is kept for the next form


def test_save_and_next_counts_the_session_and_clears_the_answers(round_, questionnaire, as_user):
    client = as_user("vol1")
    for serial in ("A001", "A002"):
        follow = client.get(key(client, round_, typed(questionnaire, _serial=serial)).headers["Location"])
    page = text(follow)
    assert "Forms saved this session: 2" in page
    assert 'name="trust_police" value=""' in page


def test_volunteers_see_open_rounds_and_their_own_villages_only(round_, questionnaire, as_user):
    draft = make_round("Draft round", "trust-safety@2", scope=["32.73"])
    client = as_user("vol1")
    index = text(client.get("/entry/"))
    assert "Round 1" in index and "Draft round" not in index
    page = text(client.get(f"/entry/{round_.id}/key"))
    assert VILLAGE in page and "32.73.01.1002" in page and OTHER_DISTRICT_VILLAGE not in page
    assert client.get(f"/entry/{draft.id}/key").status_code == 404
    round_.status = RoundStatus.CLOSED
    db.session.commit()
    assert client.get(f"/entry/{round_.id}/key").status_code == 404


def test_a_round_without_the_volunteers_villages_is_refused(app, as_user, questionnaire):
    other = make_round("Coblong only", "trust-safety@2", opened=True, scope=["32.73.02"])
    client = as_user("vol1")
    assert client.get(f"/entry/{other.id}/key").status_code == 403
    assert "Coblong only" not in text(client.get("/entry/"))


def test_viewers_and_strangers_are_refused(client, round_, as_user):
    assert as_user("viewer").get("/entry/").status_code == 403
    assert client.get("/entry/").status_code == 302  # to sign in


def test_a_village_outside_the_volunteers_scope_is_refused_on_the_server(round_, questionnaire, as_user):
    client = as_user("vol1")
    answer = key(client, round_, typed(questionnaire, _village=OTHER_DISTRICT_VILLAGE))
    assert answer.status_code == 403
    assert forms() == [] and responses() == []


def test_codes_may_be_shortened_and_multiple_choice_takes_several(round_, questionnaire, as_user):
    values = typed(questionnaire, {"know_bhabin": "Y", "joint_activity": "n", "local_problems": "th, dr  gam"})
    assert key(as_user("vol1"), round_, values).status_code == 303
    [stored] = responses()
    assert stored.answers["know_bhabin"] == "yes" and stored.answers["joint_activity"] == "no"
    assert stored.answers["local_problems"] == ["theft", "drugs", "gambling"]


def test_skip_logic_drops_what_the_form_hides(round_, questionnaire, as_user):
    values = typed(questionnaire, {"know_fkpm": "no", "contact_12m": "no"})
    values.update({"fkpm_meetings_12m": "7", "contact_how": "4"})  # typed although the form skips them
    assert key(as_user("vol1"), round_, values).status_code == 303
    [stored] = responses()
    assert "fkpm_meetings_12m" not in stored.answers and "contact_how" not in stored.answers
    assert forms()[0].entries[0].keyed_fields == len(stored.answers)


def test_a_question_the_skip_logic_shows_must_be_keyed(round_, questionnaire, as_user):
    values = typed(questionnaire, {"know_fkpm": "yes"})
    values["fkpm_meetings_12m"] = ""
    answer = key(as_user("vol1"), round_, values)
    assert answer.status_code == 422
    assert "Type the code from the paper, or - if it was left blank." in text(answer)
    assert forms() == []


def test_invalid_codes_and_out_of_range_numbers_are_flagged_and_nothing_is_stored(round_, questionnaire, as_user):
    values = typed(questionnaire, {"trust_police": "7", "know_fkpm": "yes", "fkpm_meetings_12m": "99",
                                   "local_problems": "theft zzz", "sex": "8 9"})
    answer = key(as_user("vol1"), round_, values)
    page = html.unescape(text(answer))
    assert answer.status_code == 422
    assert "'7' is not a valid option." in page
    assert "Must be at most 50." in page
    assert "'zzz' is not a valid option." in page
    assert "Some answers need attention before saving." in page
    assert 'name="trust_police" value="7"' in page  # what was typed stays to be corrected
    assert forms() == [] and responses() == []


def test_left_blank_on_paper_differs_from_forgot_to_type(round_, questionnaire, as_user):
    client = as_user("vol1")
    forgot = typed(questionnaire, {"trust_help": ""})
    assert key(client, round_, forgot).status_code == 422
    assert key(client, round_, typed(questionnaire, {"trust_help": "-"})).status_code == 303
    [form] = forms()
    assert form.entries[0].blank_fields == ["trust_help"]
    assert "trust_help" not in responses()[0].answers


def test_the_header_is_checked(round_, questionnaire, as_user):
    answer = key(as_user("vol1"), round_, typed(questionnaire, _serial="", _date="1/11/2026", _village=""))
    page = text(answer)
    assert answer.status_code == 422
    assert "Type the serial number written on the paper form." in page
    assert "Write the interview date as YYYY-MM-DD." in page
    assert "Choose the village." in page


def test_a_serial_already_keyed_is_caught_with_what_to_do(round_, questionnaire, as_user):
    client = as_user("vol1")
    assert key(client, round_, typed(questionnaire, _serial="a001 ")).status_code == 303
    again = key(client, round_, typed(questionnaire, _serial="A001"))
    assert again.status_code == 422
    assert "Form A001 has already been keyed and needs no more entries." in text(again)
    check = client.get(f"/entry/{round_.id}/serial?serial=a001&village={VILLAGE}").get_json()
    assert check["state"] == "done"
    assert client.get(f"/entry/{round_.id}/serial?serial=B7&village={VILLAGE}").get_json()["state"] == "new"
    other = client.get(f"/entry/{round_.id}/serial?serial=A001&village=32.73.01.1002").get_json()
    assert other["state"] == "new"  # serials are unique per village unless the round says otherwise
    assert len(forms()) == 1


@pytest.mark.parametrize(("scope", "stored"), [(SerialScope.VILLAGE, 2), (SerialScope.ROUND, 1)])
def test_serials_are_unique_where_the_round_says(round_, questionnaire, as_user, scope, stored):
    round_.serial_scope = scope
    db.session.commit()
    client = as_user("vol1")
    assert key(client, round_, typed(questionnaire, _serial="001")).status_code == 303
    answer = key(client, round_, typed(questionnaire, _serial="001", _village="32.73.01.1002"))
    check = client.get(f"/entry/{round_.id}/serial?serial=001&village=32.73.01.1003").get_json()
    if scope is SerialScope.VILLAGE:  # villages number their own forms from 001
        assert answer.status_code == 303 and check["state"] == "new"
    else:
        assert answer.status_code == 422 and check["state"] == "taken"
        assert "already used for another village" in text(answer)
    assert len(forms()) == stored


@pytest.mark.parametrize("scope", list(SerialScope))
def test_the_database_enforces_the_serial_rule_either_way(round_, scope):
    round_.serial_scope = scope
    db.session.commit()

    def add(village_id: int) -> None:
        db.session.add(PaperForm(round_id=round_.id, village_id=village_id, serial="001", status=FormStatus.SINGLE,
                                 needs_second=False, serial_scope_id=round_.serial_scope_id(village_id)))

    add(1)
    db.session.commit()
    add(2)  # another village, the same serial
    if scope is SerialScope.VILLAGE:
        db.session.commit()
    else:
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
    add(1)  # the same village twice: refused under both rules
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_saving_needs_the_csrf_token(round_, questionnaire, as_user):
    answer = key(as_user("vol1"), round_, typed(questionnaire), token="")
    assert answer.status_code == 400
    assert forms() == []


def test_volunteers_see_only_their_own_entries(round_, questionnaire, as_user):
    key(as_user("vol1"), round_, typed(questionnaire))
    entry_id = db.session.scalar(sa.select(PaperEntry.id))
    assert as_user("vol1").get(f"/entry/entries/{entry_id}").status_code == 200
    assert as_user("vol2").get(f"/entry/entries/{entry_id}").status_code == 403
    assert as_user("vol3").get(f"/entry/entries/{entry_id}").status_code == 403
    assert as_user("coord").get(f"/entry/entries/{entry_id}").status_code == 200
    assert as_user("coord2").get(f"/entry/entries/{entry_id}").status_code == 403


def test_the_screen_offers_the_valid_codes_and_the_data_for_the_script(round_, questionnaire, as_user):
    page = as_user("vol1").get(f"/entry/{round_.id}/key").get_data(as_text=True)
    assert csrf_token(as_user("vol1"), f"/entry/{round_.id}/key")
    assert 'id="entry-data"' in page and "entry.js" in page
    assert "<b>4</b> A great deal" in page  # trust4 codes shown with their labels
    assert "<b>-</b> left blank on paper" in page


def test_the_interview_date_follows_the_survey_time_zone(round_, questionnaire, as_user, monkeypatch):
    """Not UTC's date: before 07:00 in Jakarta, UTC is still on yesterday."""
    from datetime import date

    from survey_app import clock

    monkeypatch.setattr(clock, "today", lambda: date(2031, 5, 6))
    client = as_user("vol1")
    assert 'value="2031-05-06"' in client.get(f"/entry/{round_.id}/key").get_data(as_text=True)
    tomorrow = key(client, round_, typed(questionnaire, _date="2031-05-07"))
    assert tomorrow.status_code == 422 and "The interview date is in the future." in text(tomorrow)
    assert key(client, round_, typed(questionnaire, _date="2031-05-06")).status_code == 303


def test_the_serial_check_says_nothing_about_forms_outside_the_volunteers_area(round_, questionnaire, as_user):
    key(as_user("vol3"), round_, typed(questionnaire, _serial="Z9", _village=OTHER_DISTRICT_VILLAGE))
    check = as_user("vol1").get(f"/entry/{round_.id}/serial?serial=Z9&village={OTHER_DISTRICT_VILLAGE}")
    assert check.status_code == 403 and check.get_json() is None  # not even "taken"

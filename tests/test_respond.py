"""The resident form through the doors a phone uses: the no-JS pages and the JSON submit."""

import html
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from survey_app.extensions import db
from survey_app.models import Mode, Response, RoundStatus
from survey_app.questionnaire.consent import read_consent
from survey_app.questionnaires import load
from survey_app.respond.lookup import Destinations
from tests.factories import complete_answers, csrf_token, form_pages, make_round, make_villages, open_form

URL = "/s/round-1/32.73.01.1001"
CONSENT = read_consent(Path("questionnaires/trust-safety")).hash  # what agreeing posts


@pytest.fixture
def open_round(app):
    make_villages()
    return make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73.01"])


@pytest.fixture
def questionnaire(open_round):
    return load("trust-safety", 2)


def _responses() -> list[Response]:
    """Every stored response. The session is closed after the read (the rows stay readable):
    on SQLite its open transaction would hold the write lock the form's next insert needs."""
    responses = list(db.session.scalars(sa.select(Response).options(joinedload(Response.village))))
    db.session.close()
    return responses


def _json_submit(client, answers, key=None, token=None, url=URL):
    token = token if token is not None else csrf_token(client, url)
    payload = {"submission_key": key or str(uuid.uuid4()), "answers": answers, "consent": CONSENT}
    return client.post(url + "/submit", json=payload, headers={"X-CSRFToken": token})


def test_a_full_submission_page_by_page_is_stored_once(client, questionnaire):
    answers = complete_answers(questionnaire)
    response = form_pages(client, URL, answers)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/s/round-1/32.73.01.1001/terima-kasih")
    [stored] = _responses()
    assert stored.mode is Mode.WEB
    assert stored.village.code == "32.73.01.1001"
    assert (stored.questionnaire_key, stored.questionnaire_version) == ("trust-safety", 2)
    assert stored.answers["trust_police"] == answers["trust_police"]
    assert stored.answers["local_problems"] == answers["local_problems"]
    assert stored.duration_s is not None and 0 <= stored.duration_s < 60
    thanks = client.get(response.headers["Location"])
    assert "Terima kasih" in thanks.get_data(as_text=True)


def test_progress_indicator_and_one_section_per_page(client, questionnaire):
    page = open_form(client, URL)
    total = len(questionnaire.sections)
    assert f"Bagian 1 dari {total}" in page
    visible = re.findall(r'<section class="page" data-index="(\d+)">', page)
    assert visible == ["0"]
    assert page.count('<section class="page"') == total


def test_skip_logic_hides_questions_and_stores_nothing_for_them(client, questionnaire):
    answers = complete_answers(questionnaire, {"contact_12m": "no", "know_fkpm": "no"})
    # A browser could still send a value for a hidden question: it must not be stored.
    answers["contact_how"] = "4"
    answers["fkpm_meetings_12m"] = "3"
    assert form_pages(client, URL, answers).status_code == 303
    [stored] = _responses()
    assert "contact_how" not in stored.answers
    assert "fkpm_meetings_12m" not in stored.answers
    assert stored.answers["contact_12m"] == "no"


def test_sections_whose_questions_are_all_hidden_are_skipped(client, questionnaire):
    from survey_app.respond.flow import visible_sections

    answers = complete_answers(questionnaire)
    assert visible_sections(questionnaire, answers) == list(range(len(questionnaire.sections)))


def test_missing_required_answer_reshows_the_page_with_answers_kept(client, questionnaire):
    token = csrf_token(client, URL)
    data = {"csrf_token": token, "_key": str(uuid.uuid4()), "_consent": CONSENT,
            "_page": "0", "_nav": "next", "trust_police": "3"}
    response = client.post(URL, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="e-trust_help">Jawaban ini wajib diisi.', page)
    assert re.search(r'<input checked id="trust_police-\d" name="trust_police" type="radio" value="3">', page)
    assert "Bagian 1 dari" in page
    assert _responses() == []


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ("trust_police", "7", "'7' bukan pilihan yang sah."),
        ("fkpm_meetings_12m", "99", "Paling banyak 50."),
        ("fkpm_meetings_12m", "dua", "Harus berupa bilangan bulat."),
    ],
)
def test_invalid_codes_and_ranges_are_refused(client, questionnaire, question, value, message):
    answers = complete_answers(questionnaire, {"know_fkpm": "yes", question: value})
    response = form_pages(client, URL, answers)
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert _responses() == []


def test_back_keeps_answers_and_goes_to_the_previous_section(client, questionnaire):
    answers = complete_answers(questionnaire)
    token = csrf_token(client, URL)
    data = {"csrf_token": token, "_key": str(uuid.uuid4()), "_consent": CONSENT,
            "_page": "1", "_nav": "back", **answers}
    page = client.post(URL, data=data).get_data(as_text=True)
    assert '<section class="page" data-index="0">' in page
    assert "Bagian 1 dari" in page


def test_language_switch_keeps_the_answers(client, questionnaire):
    token = csrf_token(client, URL)
    data = {"csrf_token": token, "_key": str(uuid.uuid4()), "_consent": CONSENT,
            "_page": "0", "_nav": "lang-en", "trust_police": "2"}
    page = client.post(URL, data=data).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Section 1 of" in page and "Next" in page
    assert re.search(r'value="2"[^>]*checked|checked[^>]*value="2"', page)
    assert "Seberapa besar" not in page


def test_language_link_on_a_get_page(client, questionnaire):
    client.get("/lang/en?next=" + URL)
    assert '<html lang="en">' in client.get(URL).get_data(as_text=True)


@pytest.mark.parametrize(
    ("setup", "url", "status", "text"),
    [
        ("closed", URL, 410, "Survei ini sudah ditutup"),
        ("draft", URL, 403, "Survei ini belum dibuka"),
        ("future", URL, 403, "Survei ini belum dibuka"),
        ("past", URL, 410, "Survei ini sudah ditutup"),
        ("open", "/s/nope/32.73.01.1001", 404, "Survei tidak ditemukan"),
        ("open", "/s/round-1/99.99.99.9999", 404, "Survei tidak ditemukan"),
        ("open", "/s/round-1/32.73.02.1001", 404, "Survei tidak ditemukan"),  # outside the round's scope
    ],
)
def test_unavailable_forms_say_why_and_store_nothing(client, app, setup, url, status, text):
    make_villages()
    round_ = make_round("Round 1", "trust-safety@2", opened=setup != "draft", scope=["32.73.01"])
    if setup == "closed":
        round_.status = RoundStatus.CLOSED
    if setup == "future":
        round_.opens_on = date.today() + timedelta(days=3)
    if setup == "past":
        round_.opens_on, round_.closes_on = date.today() - timedelta(days=30), date.today() - timedelta(days=1)
    db.session.commit()
    response = client.get(url)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)
    posted = client.post(url + "/submit", json={"submission_key": str(uuid.uuid4()), "answers": {}})
    assert posted.status_code in (400, status)  # no CSRF token, or refused first
    assert _responses() == []


def test_retry_with_the_same_key_and_answers_stores_nothing_new(client, questionnaire):
    answers = complete_answers(questionnaire)
    key = str(uuid.uuid4())
    first = _json_submit(client, answers, key)
    assert first.status_code == 201 and first.json["status"] == "created"
    again = _json_submit(client, answers, key)
    assert again.status_code == 200 and again.json["status"] == "replayed"
    assert again.json["thanks_url"] == first.json["thanks_url"]
    assert len(_responses()) == 1


def test_same_key_with_other_answers_is_refused_and_the_first_kept(client, questionnaire):
    answers = complete_answers(questionnaire)
    key = str(uuid.uuid4())
    assert _json_submit(client, answers, key).status_code == 201
    changed = {**answers, "trust_police": "1"}
    conflict = _json_submit(client, changed, key)
    assert conflict.status_code == 409 and conflict.json["error"] == "conflict"
    [stored] = _responses()
    assert stored.answers["trust_police"] == answers["trust_police"]


def test_pressing_back_and_sending_the_last_page_again_does_not_double_count(client, questionnaire):
    answers = complete_answers(questionnaire)
    assert form_pages(client, URL, answers).status_code == 303
    # The browser's back button shows the last page again, with the same hidden key.
    key = _responses()[0].submission_key
    token = csrf_token(client, URL)
    last = str(len(questionnaire.sections) - 1)
    again = client.post(URL, data={"csrf_token": token, "_key": key, "_consent": CONSENT,
                                   "_page": last, "_nav": "submit", **answers})
    assert again.status_code == 303
    assert len(_responses()) == 1


def _close(round_) -> None:
    round_.status = RoundStatus.CLOSED
    db.session.commit()
    db.session.close()  # the requests below share this session: leave no transaction open


def test_a_round_closed_after_its_form_was_used_takes_no_new_answers(client, open_round, questionnaire):
    # The first post makes the process remember the round and village; what it remembers
    # must not keep a closed round open (the INSERT itself checks the round's state).
    answers = complete_answers(questionnaire)
    token = csrf_token(client, URL)
    assert _json_submit(client, answers, token=token).status_code == 201
    _close(open_round)
    refused = _json_submit(client, answers, token=token)
    assert refused.status_code == 410 and refused.json["error"] == "closed"
    invalid = _json_submit(client, {**answers, "trust_police": "7"}, token=token)
    assert invalid.status_code == 410  # that the round is closed comes before what is wrong
    assert len(_responses()) == 1


def test_a_phone_retrying_after_the_round_closed_still_gets_its_confirmation(client, open_round, questionnaire):
    # The answers landed before the close but the reply was lost on the way to the phone:
    # its outbox sends them again and must hear they are safe, not that the survey closed.
    answers = complete_answers(questionnaire)
    key = str(uuid.uuid4())
    token = csrf_token(client, URL)
    assert _json_submit(client, answers, key, token=token).status_code == 201
    _close(open_round)
    again = _json_submit(client, answers, key, token=token)
    assert again.status_code == 200 and again.json["status"] == "replayed"
    assert len(_responses()) == 1


def test_json_submit_reports_invalid_answers_by_question(client, questionnaire):
    answers = complete_answers(questionnaire, {"trust_police": "7"})
    del answers["trust_help"]
    response = _json_submit(client, answers)
    assert response.status_code == 422
    assert response.json["errors"]["trust_police"] == "'7' bukan pilihan yang sah."
    assert response.json["errors"]["trust_help"] == "Jawaban ini wajib diisi."
    assert _responses() == []


def test_json_submit_rejects_a_malformed_key_or_body(client, questionnaire):
    token = csrf_token(client, URL)
    bad_key = client.post(URL + "/submit", json={"submission_key": "abc", "answers": {}},
                          headers={"X-CSRFToken": token})
    assert bad_key.status_code == 400 and bad_key.json["error"] == "bad_key"
    no_body = client.post(URL + "/submit", json=["x"], headers={"X-CSRFToken": token})
    assert no_body.status_code == 400


def test_csrf_is_required_on_both_doors(client, questionnaire):
    answers = complete_answers(questionnaire)
    page = client.post(URL, data={"_consent": CONSENT, "_page": "0", "_nav": "next", **answers})
    assert page.status_code == 400
    json_post = client.post(URL + "/submit", json={"submission_key": str(uuid.uuid4()), "answers": answers})
    assert json_post.status_code == 400 and json_post.json["error"] == "csrf"
    fresh = client.get("/s/csrf")
    assert fresh.headers["Cache-Control"] == "no-store"
    assert _json_submit(client, answers, token=fresh.json["csrf_token"]).status_code == 201


def test_honeypot_submissions_look_accepted_but_store_nothing(client, questionnaire):
    answers = complete_answers(questionnaire)
    token = csrf_token(client, URL)
    response = client.post(URL, data={"csrf_token": token, "_website": "http://spam", "_nav": "next", **answers})
    assert response.status_code == 303
    posted = client.post(URL + "/submit", headers={"X-CSRFToken": token},
                         json={"submission_key": str(uuid.uuid4()), "answers": answers, "_website": "x"})
    assert posted.status_code == 201
    assert _responses() == []


def test_submissions_are_rate_limited_per_client(client, app, questionnaire):
    app.config["RESPOND_RATE_LIMIT"] = "3 per minute"
    answers = complete_answers(questionnaire)
    token = csrf_token(client, URL)
    codes = [_json_submit(client, answers, token=token).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]


def test_no_address_or_identity_is_stored_with_answers(client, questionnaire):
    answers = complete_answers(questionnaire)
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    assert _json_submit(client, answers).status_code == 201
    row = db.session.execute(sa.select(Response.__table__)).one()
    assert "203.0.113.77" not in repr(tuple(row))
    assert not {"ip", "ip_address", "remote_addr", "phone", "name"} & set(Response.__table__.columns.keys())


def test_pages_are_gzip_compressed_for_slow_connections(client, questionnaire):
    response = client.get(URL, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"


def test_the_page_that_asks_to_check_answers_is_compressed_too(client, questionnaire):
    """A 422 page (Flask-Compress leaves non-2xx alone) is gzipped like a 200 one."""
    import gzip

    token = csrf_token(client, URL)
    data = {"csrf_token": token, "_key": str(uuid.uuid4()), "_consent": CONSENT,
            "_page": "0", "_nav": "next", "trust_police": "3"}
    response = client.post(URL, data=data, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 422 and response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    html = gzip.decompress(response.data).decode()
    assert "Jawaban ini wajib diisi." in html and len(response.data) < len(html) / 2
    plain = client.post(URL, data={**data, "_key": str(uuid.uuid4())})  # a client that asks for none
    assert plain.status_code == 422 and "Content-Encoding" not in plain.headers


def test_static_urls_carry_a_content_version_and_are_cached_for_a_year(client, questionnaire):
    import hashlib
    from pathlib import Path

    html = open_form(client, URL)
    found = dict(re.findall(r'/static/(respond\.(?:css|js))\?v=([0-9a-f]+)"', html))
    assert set(found) == {"respond.css", "respond.js"}
    static = Path(__file__).resolve().parents[1] / "survey_app" / "static"
    for name, version in found.items():
        assert hashlib.sha256((static / name).read_bytes()).hexdigest().startswith(version)
        cached = client.get(f"/static/{name}?v={version}")
        assert cached.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        cached.close()
        for stale in (f"/static/{name}", f"/static/{name}?v=0000"):  # unversioned, or an old version
            checked = client.get(stale)
            assert checked.status_code == 200 and "max-age=31536000" not in checked.headers["Cache-Control"]
            checked.close()


def test_service_worker_is_served_for_the_form_scope(client):
    response = client.get("/s/sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == "/s/"
    assert "caches" in response.get_data(as_text=True)


def test_printed_links_open_the_form(client, runner, open_round):
    result = runner.invoke(args=["rounds", "links", "Round 1"])
    assert result.exit_code == 0, result.output
    urls = [line.split("\t")[2] for line in result.output.splitlines() if line.count("\t") == 2]
    assert len(urls) == 3
    for url in urls:
        path = url.split("://", 1)[1].split("/", 1)[1]
        assert client.get("/" + path).status_code == 200


def test_static_files_are_gzip_compressed_too(client):
    for name in ("respond.css", "respond.js"):
        response = client.get(f"/static/{name}", headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip", name
        import gzip

        assert b"{" in gzip.decompress(response.data)
        response.close()


def test_a_residents_submit_does_not_rewrite_their_session_cookie(client, questionnaire):
    """Signed-in staff's session protection must not touch anonymous residents: no cookie
    churn on a weak connection, and nothing that looks like a login cookie."""
    token = csrf_token(client, URL)
    response = _json_submit(client, complete_answers(questionnaire), token=token)
    assert response.status_code == 201
    cookies = response.headers.getlist("Set-Cookie")
    assert not any("remember_token" in cookie for cookie in cookies)
    assert not any(cookie.startswith("session=") for cookie in cookies)


def test_the_first_submission_of_a_fresh_process_reads_the_pin_without_blocking_itself(app, client, questionnaire):
    # A new worker knows neither the pair nor the questionnaire's pinned hash, and its first
    # request may be a replay from a phone's outbox (token from /s/csrf, no page loaded).
    # The pin is read through the session, which on SQLite must not take the write lock
    # that the insert, on the view's own connection, then waits for.
    token = client.get("/s/csrf").json["csrf_token"]
    app.extensions["questionnaire_pins"].clear()
    app.extensions["respond_destinations"] = Destinations()
    db.session.close()
    response = _json_submit(client, complete_answers(questionnaire), token=token)
    assert response.status_code == 201
    db.session.close()  # the request shared this test's session: drop its snapshot
    assert len(_responses()) == 1


def test_an_uptime_monitor_may_ask_with_head(client, questionnaire):
    response = client.head(URL)
    assert response.status_code == 200 and response.data == b""


def test_the_resident_door_refuses_large_bodies_in_the_residents_language(client, questionnaire, app):
    token = csrf_token(client, URL)
    padding = "x" * (app.config["PUBLIC_MAX_CONTENT_LENGTH"] + 1)
    json_door = client.post(URL + "/submit", json={"submission_key": str(uuid.uuid4()), "answers": {},
                                                   "padding": padding}, headers={"X-CSRFToken": token})
    assert json_door.status_code == 413
    page = client.post(URL, data={"csrf_token": token, "_consent": CONSENT, "_page": "0", "note": padding})
    assert page.status_code == 413
    assert "Yang dikirim terlalu besar." in page.get_data(as_text=True)  # Indonesian by default
    assert _responses() == []
    small = _json_submit(client, complete_answers(questionnaire))
    assert small.status_code == 201  # a real submission is far below the limit


@pytest.mark.parametrize("depth", [450, 5000])
def test_deeply_nested_json_is_refused_not_crashed(client, questionnaire, depth):
    """A few hundred brackets (under 1 KB up to 10 KB) once made a RecursionError and a 500."""
    token = csrf_token(client, URL)
    nested = "[" * depth + "]" * depth
    body = f'{{"submission_key": "{uuid.uuid4()}", "answers": {{"trust_police": {nested}}}}}'.encode()
    response = client.post(URL + "/submit", data=body, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code in (400, 422), response.status_code
    whole = client.post(URL + "/submit", data=nested.encode(), content_type="application/json",
                        headers={"X-CSRFToken": token})
    assert whole.status_code == 400
    assert _responses() == []


def test_a_storage_failure_is_a_503_and_the_typed_answers_stay(client, questionnaire, monkeypatch):
    import sqlite3

    import survey_app.respond.routes as routes

    def read_only(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise sa.exc.OperationalError("INSERT INTO responses", {}, sqlite3.OperationalError(
            "attempt to write a readonly database"))

    real_insert = routes.insert_response
    monkeypatch.setattr(routes, "insert_response", read_only)
    answers = complete_answers(questionnaire, {"work_together": "Ronda malam bersama."})
    key = str(uuid.uuid4())
    json_door = _json_submit(client, answers, key=key)
    assert json_door.status_code == 503 and json_door.get_json() == {"error": "unavailable"}
    last_page = form_pages(client, URL, answers)
    assert last_page.status_code == 503
    html = last_page.get_data(as_text=True)
    assert "Ronda malam bersama." in html and "belum bisa disimpan" in html
    assert _responses() == []
    monkeypatch.setattr(routes, "insert_response", real_insert)  # the disk is back
    assert _json_submit(client, answers, key=key).status_code == 201  # the outbox's retry


def _checked(page_html: str, question: str) -> list[str]:
    tags = re.findall(r"<input[^>]*>", page_html)
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in tags  # type: ignore[union-attr]
            if f'name="{question}"' in tag and " checked" in tag]


def _token_in(page_html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page_html)
    assert match
    return match.group(1)


def _resident_layout(page_html: str) -> bool:
    return 'class="bar"' in page_html and "/auth/login" not in page_html


def test_an_expired_page_without_js_comes_back_with_its_answers_and_a_fresh_token(client, questionnaire):
    key = str(uuid.uuid4())
    data = {**complete_answers(questionnaire), "_key": key, "_consent": CONSENT,
            "_page": "0", "_nav": "next", "trust_police": "3"}
    client.get(URL)
    client.delete_cookie("session")  # the phone lost its session: the page's token is stale
    expired = client.post(URL, data={"csrf_token": "stale", **data})
    page_html = expired.get_data(as_text=True)
    assert expired.status_code == 400
    assert _resident_layout(page_html)
    assert "Jawaban Anda masih ada" in page_html
    assert _checked(page_html, "trust_police") == ["3"]
    assert f'name="_key" value="{key}"' in page_html
    following = client.post(URL, data={"csrf_token": _token_in(page_html), **data})
    assert following.status_code == 200
    assert 'name="_page" value="1"' in following.get_data(as_text=True)  # on to the next section


def test_a_rate_limited_page_without_js_keeps_its_answers_in_the_resident_layout(client, app, questionnaire):
    app.config["RESPOND_RATE_LIMIT"] = "2 per minute"
    token = csrf_token(client, URL)
    data = {**complete_answers(questionnaire), "csrf_token": token, "_key": str(uuid.uuid4()), "_consent": CONSENT,
            "_page": "0",
            "_nav": "next", "trust_police": "2"}
    codes = [client.post(URL, data=data).status_code for _ in range(2)]
    limited = client.post(URL, data=data)
    page_html = limited.get_data(as_text=True)
    assert codes == [200, 200] and limited.status_code == 429
    assert _resident_layout(page_html)
    assert "tunggu sebentar" in page_html
    assert _checked(page_html, "trust_police") == ["2"]
    answers = complete_answers(questionnaire)
    replies = [_json_submit(client, answers, token=token) for _ in range(3)]
    assert [r.status_code for r in replies] == [201, 201, 429]
    assert replies[-1].json == {"error": "rate_limited"}  # the JSON door answers JSON (the outbox keeps them)


def test_other_refusals_on_resident_pages_use_the_resident_layout(client, questionnaire):
    missing = client.get("/s/round-1/32.73.01.1001/terima-kasih".replace("1001", "9999"))
    assert missing.status_code == 404
    assert _resident_layout(missing.get_data(as_text=True))
    assert "Halaman ini tidak ada." in missing.get_data(as_text=True)


def test_a_no_js_step_carries_one_section_and_the_other_answers_hidden(client, questionnaire):
    answers = complete_answers(questionnaire)
    full = open_form(client, URL)
    assert full.count('<section class="page"') == len(questionnaire.sections)  # the first page: every section
    token = csrf_token(client, URL)
    first = [q.id for q in questionnaire.sections[0].questions]
    data = {"csrf_token": token, "_key": str(uuid.uuid4()), "_consent": CONSENT, "_page": "0", "_nav": "next",
            **{k: v for k, v in answers.items() if k in first}}
    step = client.post(URL, data=data).get_data(as_text=True)
    assert step.count('<section class="page"') == 1 and 'data-index="1"' in step
    assert "data-partial" in step
    assert len(step) < len(full) / 3
    hidden = dict(re.findall(r'<input type="hidden" name="([^"_][^"]*)" value="([^"]*)">', step))
    assert hidden["trust_police"] == str(answers["trust_police"])  # carried from the first section
    back = client.post(URL, data={**data, "_consent": CONSENT,
                                  "_page": "1", "_nav": "back", **hidden}).get_data(as_text=True)
    assert 'data-index="0"' in back and back.count('<section class="page"') == 1
    assert _checked(back, "trust_police") == [str(answers["trust_police"])]
    english = client.post(URL, data={**data, "_nav": "lang-en"}).get_data(as_text=True)
    assert english.count('<section class="page"') == len(questionnaire.sections)  # the enhanced form may ask this

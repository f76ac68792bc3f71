"""Printed questionnaires: the PDF read back (pypdf) and rendered (pdftoppm), serials reserved
in the database, the console and the CLI doors, and the entry screen keying what the paper says."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from survey_app import questionnaires
from survey_app.extensions import db
from survey_app.models import AuditEvent, PrintedSerial, Role, Round
from survey_app.questionnaire import Catalog, text_in
from survey_app.questionnaire.types import takes_answer
from tests.factories import csrf_token, make_round, make_user, make_villages, sign_in
from tests.factories import login as sign_in_as

ROOT = Path(__file__).resolve().parents[1] / "questionnaires"
VILLAGE = "32.73.01.1001"


def _forms(data: bytes) -> list[str]:
    """The text of each form in a PDF, its pages joined; a form starts where its page 1 does."""
    forms: list[list[str]] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        text = page.extract_text() or ""
        if re.search(r"(Halaman|Page) 1/\d+", text):
            forms.append([])
        forms[-1].append(text)
    return [" ".join(" ".join(pages).split()) for pages in forms]


def _in_order(text: str, pieces: list[str]) -> None:
    """Every piece appears in ``text``, each after the one before."""
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        assert found >= 0, (piece, text[at:at + 300])
        at = found + len(piece)


def _expected(questionnaire_key: str, version: int, lang: str = "id") -> list[str]:
    """What a form must say, in order, written out from the questionnaire: each question's
    P-number (counting the questions that take an answer) and text, then its codes."""
    questionnaire = Catalog(ROOT).get(questionnaire_key, version)
    pieces, number = [], 0
    for question in questionnaire.questions():
        text = " ".join(text_in(question.text, lang, "id").split())
        if not takes_answer(question):
            pieces.append(text[:40])
            continue
        number += 1
        pieces.append(f"P{number}. {text[:60]}")
        pieces += [option.code for option in question.options]
    return pieces


def _print(runner, *args: str, out: Path) -> str:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["responses", "print", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result.output


def test_numbered_forms_for_a_village_carry_every_question_in_keying_order_and_reserved_serials(runner, tmp_path):
    make_villages()
    make_round("Putaran Cetak", "trust-safety@3", opened=True, scope=["32.73"])
    out = tmp_path / "forms.pdf"
    said = _print(runner, "--round", "putaran-cetak", "--village", VILLAGE, "--count", "3", out=out)
    assert "3 form(s)" in said and f"{VILLAGE}-0001 .. {VILLAGE}-0003 reserved" in said
    forms = _forms(out.read_bytes())
    assert len(forms) == 3
    expected = _expected("trust-safety", 3)
    for number, text in enumerate(forms, start=1):
        serial = f"{VILLAGE}-{number:04d}"
        assert text.count(f"Nomor seri: {serial}") >= 2  # in the header and on every page's footer
        assert "Sukarasa (32.73.01.1001)" in text and "Putaran: Putaran Cetak" in text
        _in_order(text, expected)
    reserved = db.session.scalars(sa.select(PrintedSerial.serial).order_by(PrintedSerial.id)).all()
    assert reserved == [f"{VILLAGE}-{n:04d}" for n in (1, 2, 3)]
    # A second run continues the numbering; nothing is handed out twice.
    _print(runner, "--round", "putaran-cetak", "--village", VILLAGE, "--count", "2", out=tmp_path / "more.pdf")
    reserved = db.session.scalars(sa.select(PrintedSerial.serial).order_by(PrintedSerial.id)).all()
    assert reserved[3:] == [f"{VILLAGE}-0004", f"{VILLAGE}-0005"] and len(set(reserved)) == 5
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "paper.printed")).all()
    assert [e.details["forms"] for e in events] == [3, 2]


def test_every_page_says_which_form_and_page_it_is(runner, tmp_path):
    make_villages()
    make_round("Putaran Cetak", "trust-safety@3", opened=True, scope=["32.73"])
    out = tmp_path / "forms.pdf"
    _print(runner, "--round", "putaran-cetak", "--village", VILLAGE, "--count", "2", out=out)
    pages = [page.extract_text() or "" for page in PdfReader(out).pages]
    per_form = len(pages) // 2
    assert per_form > 1
    for number, text in enumerate(pages):
        serial = f"{VILLAGE}-{number // per_form + 1:04d}"
        assert f"Nomor seri: {serial}" in text and f"Halaman {number % per_form + 1}/{per_form}" in text


def test_skip_instructions_name_the_question_to_go_to(runner, tmp_path):
    """In v3, not having raised a problem skips the question on solving it: the "no" box says
    where to go and the skipped question says when it is asked. No contact with the police
    skips the last questions: the "no" box ends the interview."""
    make_villages()
    make_round("Putaran Cetak", "trust-safety@3", opened=True, scope=["32.73"])
    out = tmp_path / "forms.pdf"
    _print(runner, "--round", "putaran-cetak", "--village", VILLAGE, out=out)
    (text,) = _forms(out.read_bytes())
    questionnaire = Catalog(ROOT).get("trust-safety", 3)
    asked = [q for q in questionnaire.questions() if takes_answer(q)]
    number = {q.id: n for n, q in enumerate(asked, start=1)}

    def skipped_by(filter_id: str) -> list[str]:
        start = number[filter_id]
        run = []
        for question in asked[start:]:
            if not (question.show_if is not None and question.show_if.names == {filter_id}):
                break
            run.append(question.id)
        return run

    raised = number["problem_raised"]
    skipped = skipped_by("problem_raised")
    assert skipped == ["problem_solved"]
    _in_order(text, [f"P{raised}.", f"no Tidak » lanjut ke P{raised + len(skipped) + 1}",
                     f"P{raised + 1}.", f"(Hanya jika P{raised} = Ya)"])
    contact = number["contact_12m"]
    assert contact + len(skipped_by("contact_12m")) == len(asked)  # the last questions
    _in_order(text, [f"P{contact}.", "no Tidak » lanjut ke selesai"])
    for question_id in skipped_by("contact_12m"):
        _in_order(text, [f"P{number[question_id]}.", f"(Hanya jika P{contact} = Ya"])
    # A condition on a ticked option, said in words.
    _in_order(text, [f"P{number['local_problems_other']}.",
                     f"(Hanya jika P{number['local_problems']}: 'Lainnya' dicentang)"])


@pytest.mark.parametrize("ref", sorted(f"{k}@{v}" for k, v in Catalog(ROOT).refs()))
def test_the_entry_screen_keys_what_the_paper_says(app, ref, tmp_path):
    """For every questionnaire: the entry screen's P-numbers, questions and codes, in its
    order, are the printed form's."""
    make_villages()
    round_ = make_round("Putaran Uji", ref, opened=True, scope=["32.73"])
    round_id = round_.id
    email = make_user(Role.VOLUNTEER, "cetak@example.org", ["32.73.01"]).email
    db.session.remove()
    client = app.test_client()
    assert sign_in_as(client, email).status_code == 302
    screen = html.unescape(client.get(f"/entry/{round_id}/key").get_data(as_text=True))
    keyed = []
    for block in re.findall(r'<li class="eq[^"]*".*?</li>', screen, flags=re.S):
        number = re.search(r'<b class="pnum">(P\d+)</b>', block)[1]  # type: ignore[index]
        codes = re.findall(r"<span><b>([^<]+)</b>", block)[:-1]  # the last is the blank code
        keyed.append((number, codes))
    runner = app.test_cli_runner()
    out = tmp_path / "form.pdf"
    _print(runner, "--round", "putaran-uji", "--village", VILLAGE, out=out)
    (text,) = _forms(out.read_bytes())
    key, version = ref.split("@")
    questionnaire = questionnaires.load(key, int(version))
    asked = [q for q in questionnaire.questions() if takes_answer(q)]
    assert [n for n, _c in keyed] == [f"P{i}" for i in range(1, len(asked) + 1)]
    pieces = []
    for (number, codes), question in zip(keyed, asked, strict=True):
        assert codes == [o.code for o in question.options]
        pieces += [f"{number}. " + " ".join(text_in(question.text, "id", "id").split())[:50], *codes]
    _in_order(text, pieces)


def test_a_bilingual_form_and_blank_forms_without_serials(runner, tmp_path):
    make_villages()
    make_round("Kemitraan Cetak", "partnership@1", opened=True, scope=["32.73"])
    out = tmp_path / "blank.pdf"
    said = _print(runner, "--round", "kemitraan-cetak", "--count", "2", "--lang", "en", "--second-lang", "id", out=out)
    assert "2 form(s)" in said and "blank, no serials" in said
    forms = _forms(out.read_bytes())
    assert len(forms) == 2 and "Serial number: ____" in forms[0]
    questionnaire = Catalog(ROOT).get("partnership", 1)
    role = questionnaire.question("role")
    _in_order(forms[0], ["P1. " + role.text["en"][:40], role.text["id"][:40], "forum",
                         role.options[0].label["en"] + " / " + role.options[0].label["id"]])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PrintedSerial)) == 0
    bad = runner.invoke(args=["responses", "print", "--round", "kemitraan-cetak", "--lang", "jv",
                              "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 1 and "has no language 'jv'; choose one of id, en" in bad.output
    assert not (tmp_path / "x.pdf").exists()


def test_rendered_pages_keep_inside_the_printable_area_and_no_page_is_only_a_header(runner, tmp_path):
    from PIL import Image

    assert shutil.which("pdftoppm"), "poppler-utils' pdftoppm is missing: `make test` installs it"
    make_villages()
    make_round("Putaran Cetak", "trust-safety@3", opened=True, scope=["32.73"])
    out = tmp_path / "form.pdf"
    _print(runner, "--round", "putaran-cetak", "--village", VILLAGE, out=out)
    subprocess.run(["pdftoppm", "-r", "50", "-gray", "-png", str(out), str(tmp_path / "page")], check=True)  # noqa: S603, S607
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(out).pages) > 1
    for path in pages:
        image = Image.open(path).convert("L")
        width, height = image.size
        edge = round(width * 10 / 210)  # 10 mm of 210: where cheap printers stop printing
        dark = [(x, y) for y in range(height) for x in range(width) if image.getpixel((x, y)) < 128]
        assert dark, path.name
        assert all(edge <= x < width - edge and edge <= y < height - edge for x, y in dark), path.name
        body = [y for _x, y in dark if y < height - round(height * 28 / 297)]  # above the footer band
        assert len(body) > 200, path.name  # every page holds questions, not only a header or footer


def test_the_console_prints_numbered_forms_for_a_coordinators_area(client, tmp_path):
    make_villages()
    make_round("Putaran Cetak", "trust-safety@3", opened=True, scope=["32.73"])
    sign_in(client, Role.COORDINATOR, scope=["32.73.01"])
    client.get("/lang/en")
    page_url = "/admin/rounds/putaran-cetak"
    page = client.get(page_url).get_data(as_text=True)
    assert "Printed: 0 forms, of which keyed: 0." in page
    token = csrf_token(client, page_url)
    response = client.post(f"{page_url}/print", data={"csrf_token": token, "area": VILLAGE, "count": "2",
                                                       "lang": "en", "second_lang": ""})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    forms = _forms(response.data)
    assert len(forms) == 2 and f"Serial number: {VILLAGE}-0002" in forms[1]
    assert "Printed: 2 forms, of which keyed: 0." in client.get(page_url).get_data(as_text=True)
    round_id = db.session.scalar(sa.select(Round.id).where(Round.slug == "putaran-cetak"))
    assert "Printed: 2 forms, of which keyed: 0." in client.get(f"/entry/{round_id}/queue").get_data(as_text=True)
    progress = client.get("/admin/rounds/putaran-cetak/progress")
    assert "Printed: 2 forms, of which keyed: 0." in progress.get_data(as_text=True)
    outside = client.post(f"{page_url}/print", data={"csrf_token": token, "area": "32.73.02", "count": "1",
                                                      "lang": "id", "second_lang": ""})
    assert outside.status_code == 403
    too_many = client.post(f"{page_url}/print", data={"csrf_token": token, "area": "32.73.01", "count": "500",
                                                       "lang": "id", "second_lang": ""}, follow_redirects=True)
    assert "print at most 300 at once here" in html.unescape(too_many.get_data(as_text=True))
    no_token = client.post(f"{page_url}/print", data={"area": VILLAGE, "count": "1", "lang": "id"})
    assert no_token.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PrintedSerial)) == 2


def test_a_pre_printed_serial_fills_in_its_village_and_is_told_from_an_unknown_one(app, runner, tmp_path):
    make_villages()
    round_ = make_round("Putaran Cetak", "trust-safety@3", opened=True, scope=["32.73"])
    round_id = round_.id
    _print(runner, "--round", "putaran-cetak", "--village", VILLAGE, "--count", "1", out=tmp_path / "f.pdf")
    email = make_user(Role.VOLUNTEER, "kunci@example.org", ["32.73.01"]).email
    db.session.remove()
    client = app.test_client()
    client.get("/lang/en")
    assert sign_in_as(client, email).status_code == 302
    check = client.get(f"/entry/{round_id}/serial?serial={VILLAGE}-0001&village=").get_json()
    assert check["village"] == VILLAGE and check["state"] == "new"
    assert check["message"].startswith("Printed for Sukarasa on ") and "not keyed yet" in check["message"]
    unknown = client.get(f"/entry/{round_id}/serial?serial=X-17&village={VILLAGE}").get_json()
    assert unknown["village"] is None and "was not printed for this round" in unknown["message"]
    # Saved with no village typed: the printed serial names it. Typed for another village: refused.
    url = f"/entry/{round_id}/key"
    other = client.post(url, data={"csrf_token": csrf_token(client, url), "_village": "32.73.01.1002",
                                   "_serial": f"{VILLAGE}-0001", "_date": "2026-11-01", "_interviewer": "",
                                   "_consent": "1"})
    assert other.status_code == 422
    assert f"Serial {VILLAGE}-0001 was printed for Sukarasa ({VILLAGE})" in html.unescape(other.get_data(as_text=True))
    answers = _answers(round_id)
    saved = client.post(url, data={"csrf_token": csrf_token(client, url), "_village": "",
                                   "_serial": f"{VILLAGE}-0001", "_date": "2026-11-01", "_interviewer": "",
                                   "_consent": "1", **answers})
    assert saved.status_code == 303, html.unescape(saved.get_data(as_text=True))[:3000]
    from survey_app.models import PaperForm

    form = db.session.scalars(sa.select(PaperForm)).one()
    assert form.village.code == VILLAGE and form.serial == f"{VILLAGE}-0001"
    db.session.remove()
    round_ = db.session.get(Round, round_id)
    from survey_app.operations.printing import printed_and_keyed

    assert printed_and_keyed(round_) == (1, 1)
    # A file of many rows reads the printed serials once; each row is judged the same way.
    from survey_app.models import User
    from survey_app.operations.paper import check_header, printed_villages

    user = db.session.scalar(sa.select(User).where(User.email == email))
    assert set(printed_villages(round_)) == {f"{VILLAGE}-0001"}
    for typed_village in ("", "32.73.01.1002", VILLAGE):
        typed = {"_village": typed_village, "_serial": f"{VILLAGE}-0001", "_date": "2026-11-01", "_interviewer": "",
                 "_consent": "1"}
        one_by_one = check_header(user, round_, typed)
        at_once = check_header(user, round_, typed, printed_for=printed_villages(round_))
        assert (one_by_one[0] is None, one_by_one[1]) == (at_once[0] is None, at_once[1])
    assert "_serial" in check_header(user, round_, {**typed, "_village": "32.73.01.1002"},
                                     printed_for=printed_villages(round_))[1]


def _answers(round_id: int) -> dict[str, str]:
    """Typed codes for a complete v3 form: the first option everywhere, numbers and dates valid."""
    from survey_app.operations.keying import BLANK

    questionnaire = questionnaires.load("trust-safety", 3)
    typed = {}
    for question in questionnaire.questions():
        if not takes_answer(question):
            continue
        if question.options:
            typed[question.id] = next(o.code for o in question.options if o.special is None)
        elif question.type == "integer":
            typed[question.id] = str(question.min or 0)
        else:
            typed[question.id] = BLANK
    return typed


@pytest.fixture
def app_config(tmp_path):  # type: ignore[no-untyped-def]
    from tests.factories import questionnaires_with_test_ones

    return questionnaires_with_test_ones(tmp_path)


def test_the_format_additions_on_paper(runner, tmp_path):
    """The test questionnaire's additions, printed: a note without a number, the shuffled
    section in the file's order, "none of these" marked as standing alone, a date's boxes, a
    constraint's message where it is checked, and a section's condition in words; in Javanese."""
    from tests.factories import TEST_QUESTIONNAIRES

    make_villages()
    make_round("Putaran Tiga", "tiga-bahasa@1", opened=True, scope=["32.73"])
    out = tmp_path / "form.pdf"
    _print(runner, "--round", "putaran-tiga", "--village", VILLAGE, out=out)
    (text,) = _forms(out.read_bytes())
    questionnaire = questionnaires.load("tiga-bahasa", 1)
    assert questionnaire.path.is_relative_to(tmp_path) and (TEST_QUESTIONNAIRES / "tiga-bahasa").is_dir()
    asked = [q for q in questionnaire.questions() if takes_answer(q)]
    number = {q.id: n for n, q in enumerate(asked, start=1)}
    note = questionnaire.question("trust_intro").text["id"]
    _in_order(text, [note[:40], "P1. " + questionnaire.question("trust_police").text["id"][:30]])
    assert f"P0. {note[:20]}" not in text and not re.search(r"P\d+\. " + re.escape(note[:20]), text)
    _in_order(text, [f"P{number[q.id]}. " + q.text["id"][:30] for q in asked])  # the file's order
    none = questionnaire.question("local_problems").option("none")
    assert none is not None
    _in_order(text, [f"P{number['local_problems']}.", f"none {none.label['id']} (hanya sendiri)"])
    _in_order(text, [f"P{number['last_incident']}.", "hari - bulan - tahun"])
    (constraint,) = questionnaire.constraints
    _in_order(text, [f"P{number['years_here']}.", f"Periksa: {constraint.message['id']}"])
    distrust = questionnaire.question("trust_police").option("1")
    assert distrust is not None
    _in_order(text, [f"P{number['local_problems']}.",
                     f"(Hanya jika P{number['trust_police']} ≠ {distrust.label['id']})"])
    javanese = tmp_path / "jv.pdf"
    _print(runner, "--round", "putaran-tiga", "--village", VILLAGE, "--lang", "jv", out=javanese)
    (jv,) = _forms(javanese.read_bytes())
    assert "P1. " + questionnaire.question("trust_police").text["jv"][:30] in jv and "Nomor seri" in jv


def test_no_question_is_split_across_pages(runner, tmp_path):
    make_villages()
    make_round("Putaran Cetak", "trust-safety@3", opened=True, scope=["32.73"])
    out = tmp_path / "form.pdf"
    _print(runner, "--round", "putaran-cetak", "--village", VILLAGE, out=out)
    pages = [" ".join((page.extract_text() or "").split()) for page in PdfReader(out).pages]
    questionnaire = Catalog(ROOT).get("trust-safety", 3)
    asked = [q for q in questionnaire.questions() if takes_answer(q)]
    for n, question in enumerate(asked, start=1):
        (page,) = [p for p in pages if f"P{n}. " in p]
        if question.options:  # its last answer is on the page its number is on
            last = question.options[-1]
            assert f"{last.code} {last.label['id']}"[:25] in page or last.label["id"][:15] in page, (n, page[-300:])


def test_a_volunteer_prints_numbered_forms_for_their_own_villages(app):
    make_villages()
    round_ = make_round("Putaran Cetak", "trust-safety@3", opened=True, scope=["32.73"])
    round_id = round_.id
    email = make_user(Role.VOLUNTEER, "cetak2@example.org", [VILLAGE]).email
    db.session.remove()
    client = app.test_client()
    client.get("/lang/en")
    assert sign_in_as(client, email).status_code == 302
    assert f"/entry/{round_id}/print" in client.get("/entry/").get_data(as_text=True)
    url = f"/entry/{round_id}/print"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "area": VILLAGE, "count": "2",
                                      "lang": "id", "second_lang": "en"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    forms = _forms(response.data)
    assert len(forms) == 2 and f"Nomor seri: {VILLAGE}-0002" in forms[1]
    other = client.post(url, data={"csrf_token": csrf_token(client, url), "area": "32.73.01.1002", "count": "1",
                                   "lang": "id", "second_lang": ""})
    assert other.status_code == 422
    assert "32.73.01.1002 holds none of your villages in this round." in html.unescape(other.get_data(as_text=True))
    assert "Printed: 2 forms, of which keyed: 0." in client.get(url).get_data(as_text=True)


def test_a_long_village_name_is_cut_to_one_line_so_every_form_has_the_same_pages(runner, tmp_path):
    from survey_app.models import Village

    make_villages()
    make_round("Putaran Cetak", "trust-safety@3", opened=True, scope=["32.73"])
    long_name = "Kelurahan Sukamaju Kidul Wetan Lor Sampai Batas Kota Yang Sangat Panjang Sekali"
    db.session.execute(sa.update(Village).where(Village.code == "32.73.01.1002").values(name=long_name))
    db.session.commit()
    out = tmp_path / "forms.pdf"
    _print(runner, "--round", "putaran-cetak", "--area", "32.73.01", "--count", "1", out=out)
    pages = [page.extract_text() or "" for page in PdfReader(out).pages]
    per_form = int(re.search(r"Halaman 1/(\d+)", pages[0])[1])  # type: ignore[index]
    assert len(pages) % per_form == 0 and len(pages) // per_form >= 2
    for number, text in enumerate(pages):
        assert f"Halaman {number % per_form + 1}/{per_form}" in text
    assert any("Kelurahan Sukamaju Kidul" in text and "… (32.73.01.1002)" in text for text in pages)

"""Bulk upload: the Excel template, the upload page and the CLI import; all or nothing,
idempotent by serial, every refusal with a clear message and nothing stored."""

import csv
import io
from datetime import date

import openpyxl
import pytest

from survey_app.models import DoubleEntry, EntrySource, FormStatus
from survey_app.operations.spreadsheets import MAX_UPLOAD_BYTES
from tests.entry.conftest import VILLAGE, actions, forms, key, responses, set_double_entry, text, typed
from tests.factories import csrf_token, make_round


def _template(client, round_) -> openpyxl.Workbook:  # type: ignore[no-untyped-def]
    answer = client.get(f"/entry/{round_.id}/template.xlsx")
    assert answer.status_code == 200
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(answer.data))


def _filled(client, round_, questionnaire, rows: list[dict]) -> bytes:  # type: ignore[no-untyped-def]
    """The downloaded template with rows typed in from row 3, as a volunteer would."""
    wb = _template(client, round_)
    sheet = wb["forms"]
    headers = [cell.value for cell in sheet[1]]
    for offset, values in enumerate(rows):
        for column, name in enumerate(headers, start=1):
            if name in values:
                sheet.cell(row=3 + offset, column=column, value=values[name])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _row(questionnaire, serial: str, overrides: dict | None = None, **header) -> dict:  # type: ignore[no-untyped-def]
    values = typed(questionnaire, overrides, _serial=serial, **header)
    # Spreadsheets give numbers and dates, not text: the importer must take them.
    values["trust_police"] = int(values["trust_police"])
    values["_date"] = date(2026, 11, 2)
    return values


def _upload(client, round_, data: bytes, filename: str = "forms.xlsx"):  # type: ignore[no-untyped-def]
    url = f"/entry/{round_.id}/upload"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_the_template_has_codes_dropdowns_and_only_the_volunteers_villages(round_, questionnaire, as_user):
    wb = _template(as_user("vol1"), round_)
    assert wb.sheetnames == ["forms", "codes", "villages", "about"]
    forms_sheet = wb["forms"]
    headers = [cell.value for cell in forms_sheet[1]]
    assert headers[:5] == ["_village", "_serial", "_date", "_interviewer", "_consent"]
    assert headers[5:] == [q.id for q in questionnaire.questions()]
    labels = [cell.value for cell in forms_sheet[2]]
    assert labels[headers.index("trust_police")].startswith("How much do you trust the police")  # the user's language
    validations = {str(dv.sqref): dv for dv in forms_sheet.data_validations.dataValidation}
    column = openpyxl.utils.get_column_letter(headers.index("trust_police") + 1)
    trust = validations[f"{column}3:{column}1002"]
    assert trust.type == "list" and trust.formula1.startswith("codes!$B$")
    codes = [(r[0], r[1]) for r in wb["codes"].iter_rows(min_row=2, values_only=True)]
    assert ("trust_police", "4") in codes and ("trust_police", "-") in codes
    villages = [r[0] for r in wb["villages"].iter_rows(min_row=2, values_only=True)]
    assert villages == ["32.73.01.1001", "32.73.01.1002", "32.73.01.1003"]
    about = dict(wb["about"].iter_rows(max_col=2, values_only=True))
    assert (about["round"], about["questionnaire"]) == ("round-1", "trust-safety@2")


def test_upload_round_trip_stores_first_entries_and_a_second_upload_changes_nothing(round_, questionnaire, as_user):
    client = as_user("vol1")
    data = _filled(client, round_, questionnaire, [_row(questionnaire, "U1"), _row(questionnaire, "U2",
                                                                                    {"sex": "2"})])
    answer = _upload(client, round_, data)
    assert answer.status_code == 303
    confirmation = text(client.get(answer.headers["Location"]))
    assert "2 paper forms stored as first entries; 0 were already stored" in confirmation
    stored = forms()
    assert [f.serial for f in stored] == ["U1", "U2"]
    assert all(f.entries[0].source is EntrySource.UPLOAD for f in stored)
    assert stored[0].entries[0].interview_date == date(2026, 11, 2)
    assert stored[1].entries[0].answers["sex"] == "2"
    assert len(responses()) == 2  # double entry is off: single entries count
    again = _upload(client, round_, data)
    assert "0 paper forms stored as first entries; 2 were already stored" in text(client.get(again.headers["Location"]))
    assert len(forms()) == 2 and len(responses()) == 2
    assert actions().count("paper.imported") == 2


def test_uploaded_rows_are_first_entries_so_double_entry_applies(round_, questionnaire, as_user):
    set_double_entry(round_, DoubleEntry.ALL, 100)
    _upload(as_user("vol1"), round_, _filled(as_user("vol1"), round_, questionnaire, [_row(questionnaire, "U1")]))
    [form] = forms()
    assert form.status is FormStatus.AWAITING_SECOND and responses() == []
    second = typed(questionnaire, _serial="U1", _date="2026-11-02")
    assert key(as_user("vol1"), round_, second).status_code == 403  # the uploader keyed the first entry
    assert key(as_user("vol2"), round_, second).status_code == 303
    assert forms()[0].status is FormStatus.VERIFIED and len(responses()) == 1


def test_one_bad_row_and_nothing_is_stored(round_, questionnaire, as_user):
    client = as_user("vol1")
    rows = [_row(questionnaire, "U1"), _row(questionnaire, "U2", {"trust_help": "7"}),
            _row(questionnaire, "U3", {"know_fkpm": "yes", "fkpm_meetings_12m": ""})]
    answer = _upload(client, round_, _filled(client, round_, questionnaire, rows))
    page = text(answer)
    assert answer.status_code == 422
    assert "Nothing was stored." in page
    assert "row 4, column trust_help: &#39;7&#39; is not a valid option." in page
    assert "row 5, column fkpm_meetings_12m: Type the code from the paper, or - if it was left blank." in page
    assert forms() == [] and responses() == []


@pytest.mark.parametrize(("change", "message"), [
    ({"_village": "32.73.02.1001"}, "row 3, column _village: Village 32.73.02.1001 is not one of your villages"),
    ({"_village": "99.99"}, "row 3, column _village: Village 99.99 is not one of your villages"),
    ({"trust_police": "=1+3"}, "row 3, column trust_police: Formulas are not accepted"),
    ({"work_together": "=HYPERLINK(\"http://x\")"}, "Formulas are not accepted"),
    ({"work_together": "@SUM(A1)"}, "row 3, column work_together: Text may not start with =, +, - or @"),
    ({"local_problems_other": "+62 811"}, "Text may not start with =, +, - or @"),
])
def test_hostile_or_out_of_scope_cells_are_refused(round_, questionnaire, as_user, change, message):
    client = as_user("vol1")
    row = {**_row(questionnaire, "U1", {"local_problems": "other"}), "local_problems_other": "pencurian ternak",
           **change}
    answer = _upload(client, round_, _filled(client, round_, questionnaire, [row]))
    assert answer.status_code == 422
    assert message in text(answer).replace("&#39;", "'")
    assert forms() == []


def test_duplicate_serials_in_a_file_are_refused(round_, questionnaire, as_user):
    client = as_user("vol1")
    data = _filled(client, round_, questionnaire, [_row(questionnaire, "U1"), _row(questionnaire, "u1")])
    answer = _upload(client, round_, data)
    assert "row 4, column _serial: Serial U1 is also on row 3." in text(answer)
    assert forms() == []


def test_villages_numbering_their_own_forms_may_share_serials_in_a_file(round_, questionnaire, as_user):
    client = as_user("vol1")
    rows = [_row(questionnaire, "001"), _row(questionnaire, "001", _village="32.73.01.1002")]
    answer = _upload(client, round_, _filled(client, round_, questionnaire, rows))
    assert answer.status_code == 303, text(answer)[:300]
    assert sorted((f.village.code, f.serial) for f in forms()) == [("32.73.01.1001", "001"), ("32.73.01.1002", "001")]
    again = _upload(client, round_, _filled(client, round_, questionnaire, rows))  # the same file again: unchanged
    assert again.status_code == 303 and len(forms()) == 2


def test_a_serial_stored_with_other_values_is_refused(round_, questionnaire, as_user):
    client = as_user("vol1")
    key(client, round_, typed(questionnaire, _serial="U1"))
    answer = _upload(client, round_, _filled(client, round_, questionnaire, [_row(questionnaire, "U1")]))
    assert "Serial U1 is already keyed in this round with other values" in text(answer)
    assert len(forms()) == 1


def test_the_template_of_another_round_or_version_is_refused(round_, questionnaire, as_user):
    other = make_round("Round 2", "trust-safety@1", opened=True, scope=["32.73"])
    client = as_user("vol1")
    data = _filled(client, other, questionnaire, [])
    answer = _upload(client, round_, data)
    page = text(answer)
    assert "This file is the template of round round-2, not of round round-1." in page
    assert "This file is for questionnaire trust-safety@1; round round-1 uses trust-safety@2." in page
    assert "column fkpm_active: Not a column of questionnaire trust-safety@2" in page
    assert forms() == []


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "forms.xlsx", "This is not a spreadsheet we can read"),
    (b"PK\x03\x04 not really a zip", "forms.xlsx", "could not be read as an Excel workbook"),
    (b"hello", "forms.txt", "This is not a spreadsheet we can read"),
    (b"", "forms.csv", "The file is empty."),
    (b"_village,_serial\n\xff\xfe", "forms.csv", "must be saved as UTF-8"),
])
def test_files_that_are_not_spreadsheets_are_refused(round_, as_user, data, filename, message):
    answer = _upload(as_user("vol1"), round_, data, filename)
    assert answer.status_code == 422
    assert message in text(answer)
    assert forms() == []


def test_a_too_large_file_is_refused(round_, as_user):
    # The multipart body built by hand: werkzeug's test client spools a large one to a
    # temporary file that it never closes.
    client, url = as_user("vol1"), f"/entry/{round_.id}/upload"
    boundary = "----entry-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{csrf_token(client, url)}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"forms.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    body += b"a" * (MAX_UPLOAD_BYTES + 1) + f"\r\n--{boundary}--\r\n".encode()
    answer = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert answer.status_code in (413, 422)
    assert "The file is larger than 5 MB." in text(answer)
    assert forms() == []


def _csv(questionnaire, rows: list[dict]) -> bytes:  # type: ignore[no-untyped-def]
    headers = ["_village", "_serial", "_date", "_interviewer", "_consent", *(q.id for q in questionnaire.questions())]
    out = io.StringIO()
    writer = csv.DictWriter(out, headers)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in headers})
    return out.getvalue().encode("utf-8")


def test_an_equivalent_csv_is_accepted(round_, questionnaire, as_user):
    data = _csv(questionnaire, [typed(questionnaire, _serial="C1"), typed(questionnaire, _serial="C2")])
    answer = _upload(as_user("vol1"), round_, data, "forms.csv")
    assert answer.status_code == 303
    assert [f.serial for f in forms()] == ["C1", "C2"]


def test_the_command_line_import(round_, questionnaire, as_user, person, runner, tmp_path):
    person("vol1")
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(questionnaire, [typed(questionnaire, _serial="C1")]))
    result = runner.invoke(args=["responses", "import", str(good), "--round", "Round 1", "--as", "vol1@example.org"])
    assert result.exit_code == 0, result.output
    assert "Imported 1 paper form(s) into 'Round 1' as first entries; 0 already stored" in result.output
    assert forms()[0].entries[0].keyed_by == "vol1@example.org"
    again = runner.invoke(args=["responses", "import", str(good), "--round", "round-1", "--as", "vol1@example.org"])
    assert "Imported 0 paper form(s)" in again.output and "1 already stored and unchanged" in again.output

    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv(questionnaire, [typed(questionnaire, _serial="C2"),
                                         typed(questionnaire, {"sex": "5"}, _serial="C3",
                                               _village="32.73.02.1001")]))
    failed = runner.invoke(args=["responses", "import", str(bad), "--round", "Round 1", "--as", "vol1@example.org"])
    assert failed.exit_code == 1
    assert "Nothing was imported from bad.csv" in failed.output
    assert "row 3, column _village: Village 32.73.02.1001 is not one of your villages in this round." in failed.output
    assert "row 3, column sex: '5' is not a valid option." in failed.output
    assert [f.serial for f in forms()] == ["C1"]

    anyone = runner.invoke(args=["responses", "import", str(bad), "--round", "Round 1"])  # no --as: every village
    assert anyone.exit_code == 1 and "column _village" not in anyone.output

    person("viewer")
    viewer = runner.invoke(args=["responses", "import", str(good), "--round", "Round 1", "--as", "viewer@example.org"])
    assert viewer.exit_code == 1 and "viewers do not key paper forms" in viewer.output


def test_template_and_upload_refuse_villages_and_rounds_outside_scope(round_, questionnaire, as_user):
    other = make_round("Coblong only", "trust-safety@2", opened=True, scope=["32.73.02"])
    client = as_user("vol1")
    assert client.get(f"/entry/{other.id}/template.xlsx").status_code == 403
    assert client.get(f"/entry/{other.id}/upload").status_code == 403
    assert as_user("viewer").get(f"/entry/{round_.id}/template.xlsx").status_code == 403


def test_the_cli_writes_the_template(round_, runner, tmp_path):
    out = tmp_path / "t.xlsx"
    result = runner.invoke(args=["responses", "template", "Round 1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert len(list(wb["villages"].iter_rows(min_row=2))) == 6
    assert VILLAGE in [r[0] for r in wb["villages"].iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("path", ["/entry/{id}/upload", "/entry/{id}/settings", "/entry/{id}/key"])
def test_every_form_needs_its_csrf_token(round_, as_user, path):
    answer = as_user("admin").post(path.format(id=round_.id), data={"mode": "all", "_serial": "X1"})
    assert answer.status_code == 400
    assert forms() == []


def test_a_csv_the_csv_module_cannot_read_is_refused_not_a_server_error(round_, questionnaire, as_user):
    data = _csv(questionnaire, [typed(questionnaire, _serial="C1", _interviewer="x" * 200_000)])
    answer = _upload(as_user("vol1"), round_, data, "forms.csv")
    assert answer.status_code == 422
    assert "The CSV file could not be read" in text(answer)
    assert forms() == []


def test_the_template_saved_as_csv_keeps_its_label_row_and_is_accepted(round_, questionnaire, as_user):
    client = as_user("vol1")
    sheet = _template(client, round_)["forms"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([cell.value for cell in sheet[1]])
    writer.writerow([cell.value for cell in sheet[2]])  # the labels: not a paper form
    row = typed(questionnaire, _serial="L1")
    writer.writerow([row.get(cell.value, "") for cell in sheet[1]])
    answer = _upload(client, round_, out.getvalue().encode(), "forms.csv")
    assert answer.status_code == 303, text(answer)
    assert [f.serial for f in forms()] == ["L1"]


def test_a_value_under_no_heading_is_refused_rather_than_dropped(round_, questionnaire, as_user):
    data = _csv(questionnaire, [typed(questionnaire, _serial="C1")]).decode()
    head, body = data.splitlines()[:2]
    answer = _upload(as_user("vol1"), round_, f"{head}\r\n{body},4\r\n".encode(), "forms.csv")
    assert answer.status_code == 422
    assert "row 2, column " in text(answer) and "A value in a column without a heading on row 1." in text(answer)
    assert forms() == []


def test_a_serial_keyed_on_the_screen_during_the_upload_refuses_the_file(round_, questionnaire, as_user,
                                                                          monkeypatch):
    """The check for stored serials ran before another volunteer saved one of them."""
    from survey_app.operations import paper_import

    client = as_user("vol1")
    data = _csv(questionnaire, [typed(questionnaire, _serial="C1"), typed(questionnaire, _serial="C2")])
    assert key(as_user("vol2"), round_, typed(questionnaire, _serial="C2")).status_code == 303
    monkeypatch.setattr(paper_import, "_forms_by_serial", lambda round_, serials: {})
    answer = _upload(client, round_, data, "forms.csv")
    assert answer.status_code == 422
    assert "row 3, column _serial: Serial C2 was saved by someone else just now." in text(answer)
    assert [f.serial for f in forms()] == ["C2"]  # C1 was not kept: all or nothing
    assert "paper.imported" not in actions()

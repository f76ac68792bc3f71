"""Report downloads on the web: who may download what, the files themselves, and the audit log."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEvent, Role
from tests.factories import prepared_download, sign_in, start_job

ROUND = "putaran-2-2025"
BASE = f"/downloads/{ROUND}"
VILLAGE = "32.73.01.1001"  # Sukarasa, district 32.73.01 Sukasari
OTHER_VILLAGE = "32.73.02.1002"  # Lebak Gede, district 32.73.02 Coblong


@pytest.fixture
def demo(demo_data):
    """The demo installation."""


def _events() -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "report.downloaded")
                                   .order_by(AuditEvent.id)))


def _attachment(response, name: str) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and name in disposition


def _start(client, **fields):  # type: ignore[no-untyped-def]
    return start_job(client, ROUND, **fields)


def _prepared(app, client, **fields):  # type: ignore[no-untyped-def]
    return prepared_download(app, client, ROUND, **fields)


def test_anonymous_is_sent_to_login(client, demo):
    for path in (f"{BASE}/", f"{BASE}/village/{VILLAGE}.xlsx", f"{BASE}/area/32.73/overview.xlsx",
                 "/downloads/jobs/"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], path
    assert _events() == []


def test_volunteer_is_refused(client, demo):
    sign_in(client, Role.VOLUNTEER)
    for path in ("/downloads/", f"{BASE}/", f"{BASE}/village/{VILLAGE}.xlsx", f"{BASE}/area/32.73/overview.xlsx"):
        assert client.get(path).status_code == 403, path


def test_admin_downloads_a_village_report_in_both_languages(client, demo):
    sign_in(client, Role.ADMIN)
    client.get("/lang/en")
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "Sukarasa" in page and "Lebak Gede" in page and "with free-text answers" in page
    response = client.get(f"{BASE}/village/{VILLAGE}.xlsx")
    _attachment(response, f"{ROUND}-{VILLAGE}-sukarasa.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Cache-Control"] == "private, no-store"
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames[:2] == ["Sekilas", "Ringkasan"] and "Jawaban terbuka" not in workbook.sheetnames
    english = client.get(f"{BASE}/village/{VILLAGE}.xlsx?lang=en")
    assert openpyxl.load_workbook(io.BytesIO(english.data)).sheetnames[:2] == ["At a glance", "Summary"]
    summary = pd.read_excel(io.BytesIO(english.data), sheet_name="Summary", header=None)
    assert "Sukarasa" in summary.to_string()
    free = client.get(f"{BASE}/village/{VILLAGE}.xlsx?free_text=1&lang=en")
    assert "Free text" in openpyxl.load_workbook(io.BytesIO(free.data)).sheetnames
    assert client.get(f"{BASE}/village/{VILLAGE}.xlsx?lang=fr").status_code == 400
    events = _events()
    assert [(e.object_type, e.object_id) for e in events] == [("village", VILLAGE)] * 3
    assert [e.details["lang"] for e in events] == ["id", "en", "en"]
    assert [e.details["free_text"] for e in events] == [False, False, True]
    assert events[0].actor == "admin@example.org" and events[0].actor_id is not None


def test_village_report_matches_the_cli_build(client, demo, runner, tmp_path):
    """The web path (cached round figures, one village's rows) and the bulk path agree."""
    sign_in(client, Role.ADMIN)
    web = openpyxl.load_workbook(io.BytesIO(client.get(f"{BASE}/village/{VILLAGE}.xlsx").data))
    result = runner.invoke(args=["reports", "build", "--round", "Putaran 2 2025", "--village", VILLAGE,
                                 "--out", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "out").glob("*.xlsx")
    cli = openpyxl.load_workbook(path)
    assert web.sheetnames == cli.sheetnames
    for name in web.sheetnames:
        if name == "Metode":
            continue  # the generation time differs
        web_values = [[c.value for c in row] for row in web[name].iter_rows()]
        cli_values = [[c.value for c in row] for row in cli[name].iter_rows()]
        assert web_values == cli_values, name


def test_coordinator_within_scope(client, demo):
    sign_in(client, Role.COORDINATOR, scope=["32.73.01"])
    page = client.get(f"{BASE}/")
    html = page.get_data(as_text=True)
    assert "Sukarasa" in html and "Lebak Gede" not in html
    _attachment(client.get(f"{BASE}/village/{VILLAGE}.xlsx"), VILLAGE)
    assert client.get(f"{BASE}/village/{OTHER_VILLAGE}.xlsx").status_code == 403
    assert client.get(f"{BASE}/village/{VILLAGE}.xlsx?free_text=1").status_code == 403  # admins only
    assert _start(client, kind="area_zip", area_code="32.73.02").status_code == 403
    assert _start(client, kind="overview", area_code="32.73").status_code == 403  # wider than the scope
    assert client.get(f"{BASE}/area/32.73/overview.xlsx").status_code == 403
    assert [e.object_id for e in _events()] == [VILLAGE]


def test_zip_of_a_district_has_one_workbook_per_village(app, client, demo):
    sign_in(client, Role.COORDINATOR, scope=["32.73.01"])
    with _prepared(app, client, kind="area_zip", area_code="32.73.01", lang="en") as response:
        _attachment(response, f"{ROUND}-reports-32.73.01-sukasari.zip")
        data = response.data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == [
            "32.73.01.1001-sukarasa.xlsx",
            "32.73.01.1002-gegerkalong.xlsx",
            "32.73.01.1003-isola.xlsx",
            "32.73.01.1004-sarijadi.xlsx",
        ]
        for name in names:
            workbook = openpyxl.load_workbook(io.BytesIO(archive.read(name)))
            assert workbook.sheetnames[:2] == ["At a glance", "Summary"]
    (event,) = _events()
    assert (event.object_type, event.object_id, event.details["villages"]) == ("area", "32.73.01", 4)


def test_zip_of_a_regency_and_overview_for_admin(app, client, demo):
    sign_in(client, Role.ADMIN)
    with _prepared(app, client, kind="area_zip", area_code="32.73") as response:
        data = response.data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len(archive.namelist()) == 10
        assert all(name.endswith(".xlsx") for name in archive.namelist())
    overview = client.get(f"{BASE}/area/32.73/overview.xlsx?lang=en")
    _attachment(overview, f"{ROUND}-overview-32.73-kota-bandung.xlsx")
    frame = pd.read_excel(io.BytesIO(overview.data), header=6)
    assert len(frame) == 10 and "After BH correction" in frame.columns
    assert client.get(f"{BASE}/area/99.99/overview.xlsx").status_code == 404
    assert [e.details["what"] for e in _events()] == ["village_reports_zip", "overview"]


def test_raw_export_is_for_staff_and_scoped(app, client, demo):
    sign_in(client, Role.COORDINATOR, scope=["32.73.02"])
    with _prepared(app, client, kind="responses", fmt="csv") as response:  # closes the file it was sent from
        _attachment(response, f"{ROUND}-responses.csv")
        frame = pd.read_csv(io.BytesIO(response.data), dtype=str, encoding="utf-8-sig")
    assert len(frame) > 0 and frame["district_code"].eq("32.73.02").all()
    with _prepared(app, client, kind="responses", fmt="xlsx", labels="y") as labels:
        _attachment(labels, f"{ROUND}-responses-labels.xlsx")
    assert _start(client, kind="responses", fmt="pdf").status_code == 400
    assert _start(client, kind="responses", fmt="csv", free_text="y").status_code == 403  # admins only
    assert [e.details["what"] for e in _events()] == ["responses", "responses"]


@pytest.mark.parametrize("scope", [[VILLAGE], ["32.73.01"]])
def test_viewer_gets_only_their_own_villages(client, demo, scope):
    sign_in(client, Role.VIEWER, scope=scope)
    client.get("/lang/en")
    html = client.get(f"{BASE}/").get_data(as_text=True)
    assert "Sukarasa" in html and "Lebak Gede" not in html and "Raw data" not in html
    _attachment(client.get(f"{BASE}/village/{VILLAGE}.xlsx"), VILLAGE)
    assert client.get(f"{BASE}/village/{OTHER_VILLAGE}.xlsx").status_code == 403
    assert _start(client, kind="area_zip", area_code="32.73.01").status_code == 403
    assert client.get(f"{BASE}/area/32.73.01/overview.xlsx").status_code == 403
    assert _start(client, kind="responses", fmt="csv").status_code == 403
    assert client.get("/downloads/jobs/").status_code == 403
    assert len(_events()) == 1


def test_viewer_without_scope_gets_nothing(client, demo):
    sign_in(client, Role.VIEWER)
    assert client.get(f"{BASE}/").status_code == 403
    assert client.get(f"{BASE}/village/{VILLAGE}.xlsx").status_code == 403


def test_unknown_round_and_village(client, demo):
    sign_in(client, Role.ADMIN)
    assert client.get("/downloads/no-such-round/").status_code == 404
    assert client.get(f"{BASE}/village/32.73.09.9999.xlsx").status_code == 404
    assert "Putaran 2 2025" in client.get("/downloads/").get_data(as_text=True)

"""/admin/villages: browsing within scope, targets one by one and by area, and the web import."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Area, AuditEvent, Role, Village
from survey_app.operations.village_upload import MAX_UPLOAD_BYTES
from tests.factories import csrf_token, make_villages, sign_in

DATA = Path(__file__).parent.parent / "data" / "villages"
OFFICIAL = DATA / "official"
OFFICIAL_NAMES = ("provinces.csv", "regencies.csv", "districts.csv", "villages.csv")


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def target_of(code: str) -> int | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Village.target_n).where(Village.code == code))


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html.replace("&amp;", "&")))


# --- browsing ---------------------------------------------------------------------------------


def test_browse_walks_the_hierarchy_with_village_counts(client):
    make_villages()
    sign_in(client)
    html = client.get("/admin/villages").get_data(as_text=True)
    assert "/admin/villages?code=32" in links(html) and "Jawa Barat" in html
    html = client.get("/admin/villages?code=32.73").get_data(as_text=True)
    rows = re.findall(r"<code>(32\.73\.0\d)</code>.*?<td class=\"num\">(\d+)</td>", html, re.S)
    assert rows == [("32.73.01", "3"), ("32.73.02", "3")]
    html = client.get("/admin/villages?code=32.73.01").get_data(as_text=True)
    assert "Sukarasa" in html and "Isola" in html and "Cipaganti" not in html
    # Breadcrumbs lead back up.
    assert {"/admin/villages?code=32", "/admin/villages?code=32.73"} <= links(html)


def test_counts_come_from_one_grouped_query(client, app):
    make_villages()
    sign_in(client)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if "villages" in statement and "count" in statement.lower():
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/admin/villages?code=32.73").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    grouped = [s for s in statements if "GROUP BY" in s]
    assert len(grouped) == 1


def test_browse_pages_villages_fifty_at_a_time(client):
    make_villages()
    db.session.add_all(Village(code=f"32.73.01.2{n:03d}", name=f"Extra {n}", district_code="32.73.01")
                       for n in range(60))
    db.session.commit()
    sign_in(client)
    first = client.get("/admin/villages?code=32.73.01").get_data(as_text=True)
    second = client.get("/admin/villages?code=32.73.01&page=2").get_data(as_text=True)
    assert first.count('name="target"') == 50
    assert second.count('name="target"') == 13
    assert "/admin/villages?code=32.73.01&page=2" in links(first)


def test_search_finds_villages_by_name_code_and_area_name(client):
    make_villages()
    sign_in(client)
    by_name = client.get("/admin/villages?q=gegerk").get_data(as_text=True)
    assert "32.73.01.1002" in by_name and "32.73.01.1001" not in by_name
    by_code = client.get("/admin/villages?q=32.73.02.100").get_data(as_text=True)
    assert by_code.count('name="target"') == 3
    by_district = client.get("/admin/villages?q=coblong").get_data(as_text=True)
    assert by_district.count('name="target"') == 3 and "Cipaganti" in by_district
    # A LIKE wildcard is searched as itself.
    assert client.get("/admin/villages?q=%25").get_data(as_text=True).count('name="target"') == 0


def test_coordinator_sees_only_their_scope_and_the_way_to_it(client):
    make_villages()
    sign_in(client, Role.COORDINATOR, ["32.73.01"])
    html = client.get("/admin/villages?code=32.73").get_data(as_text=True)
    assert "Sukasari" in html and "Coblong" not in html
    assert client.get("/admin/villages?code=32").status_code == 200
    assert client.get("/admin/villages?code=32.73.02").status_code == 403
    found = client.get("/admin/villages?q=a").get_data(as_text=True)
    assert "32.73.01.1001" in found and "32.73.02" not in found
    # Counts on the way down are of the villages the coordinator can see.
    top = client.get("/admin/villages?code=32").get_data(as_text=True)
    assert re.findall(r"<code>32\.73</code>.*?<td class=\"num\">(\d+)</td>", top, re.S) == ["3"]


def test_browse_refusals(client):
    make_villages()
    assert client.get("/admin/villages").status_code == 302
    sign_in(client, Role.VOLUNTEER)
    assert client.get("/admin/villages").status_code == 403


def test_unknown_area_is_404(client):
    make_villages()
    sign_in(client)
    assert client.get("/admin/villages?code=99").status_code == 404


# --- one village's target ---------------------------------------------------------------------


def post_target(client, code: str, value: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/admin/villages/{code}/target")
    return client.post(f"/admin/villages/{code}/target", data={"target": value, "csrf_token": token})


def test_setting_a_target_is_audited_with_old_and_new(client):
    make_villages()
    user = sign_in(client, Role.COORDINATOR, ["32.73.01"])
    response = post_target(client, "32.73.01.1001", "120")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/villages?code=32.73.01")
    assert target_of("32.73.01.1001") == 120
    assert post_target(client, "32.73.01.1001", "").status_code == 303
    assert target_of("32.73.01.1001") is None
    changes = events("village.target_changed")
    assert [(e.object_id, e.details, e.actor_id) for e in changes] == [
        ("32.73.01.1001", {"old": None, "new": 120}, user.id),
        ("32.73.01.1001", {"old": 120, "new": None}, user.id),
    ]
    # The same value again changes nothing and records nothing.
    post_target(client, "32.73.01.1001", "")
    assert len(events("village.target_changed")) == 2


@pytest.mark.parametrize("value", ["0", "-5", "abc", "12.5", "100001"])
def test_bad_targets_are_refused(client, value):
    make_villages()
    sign_in(client)
    assert post_target(client, "32.73.01.1001", value).status_code == 422
    assert target_of("32.73.01.1001") is None
    assert events("village.target_changed") == []


def test_target_refusals(client):
    make_villages()
    response = client.get("/admin/villages/32.73.01.1001/target")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    sign_in(client, Role.COORDINATOR, ["32.73.01"])
    assert client.get("/admin/villages/32.73.02.1001/target").status_code == 403
    token = csrf_token(client, "/admin/villages/32.73.01.1001/target")
    response = client.post("/admin/villages/32.73.02.1001/target", data={"target": "5", "csrf_token": token})
    assert response.status_code == 403
    assert target_of("32.73.02.1001") is None
    assert client.get("/admin/villages/32.73.09.9999/target").status_code == 404


def test_viewer_cannot_set_targets(client):
    make_villages()
    sign_in(client, Role.VIEWER)
    assert client.get("/admin/villages/32.73.01.1001/target").status_code == 403


# --- every village of an area -----------------------------------------------------------------


def test_area_target_asks_for_confirmation_then_sets_all_and_audits_once(client):
    make_villages()
    sign_in(client)
    post_target(client, "32.73.01.1002", "80")
    path = "/admin/villages/areas/32.73.01/target"
    token = csrf_token(client, path)
    asked = client.post(path, data={"target": "80", "csrf_token": token})
    assert asked.status_code == 200 and 'name="confirmed" value="yes"' in asked.get_data(as_text=True)
    assert target_of("32.73.01.1001") is None  # nothing yet
    done = client.post(path, data={"target": "80", "confirmed": "yes", "csrf_token": token})
    assert done.status_code == 303
    assert [target_of(f"32.73.01.100{n}") for n in (1, 2, 3)] == [80, 80, 80]
    assert [target_of(f"32.73.02.100{n}") for n in (1, 2, 3)] == [None, None, None]
    (event,) = events("villages.target_set")
    assert (event.object_type, event.object_id) == ("area", "32.73.01")
    assert event.details == {"target": 80, "villages": 3, "changed": 2}


def test_area_target_can_clear_all_targets(client):
    make_villages()
    sign_in(client)
    db.session.execute(sa.update(Village).values(target_n=50))
    db.session.commit()
    path = "/admin/villages/areas/32.73/target"
    token = csrf_token(client, path)
    assert client.post(path, data={"target": "", "confirmed": "yes", "csrf_token": token}).status_code == 303
    assert {target_of(code) for code in db.session.scalars(sa.select(Village.code))} == {None}
    assert events("villages.target_set")[0].details["villages"] == 6


def test_area_target_refusals(client):
    make_villages()
    path = "/admin/villages/areas/32.73/target"
    assert client.get(path).status_code == 302
    sign_in(client, Role.COORDINATOR, ["32.73.01"])
    assert client.get("/admin/villages/areas/32.73.01/target").status_code == 200
    assert client.get(path).status_code == 403  # the regency is wider than the scope
    token = csrf_token(client, "/admin/villages/areas/32.73.01/target")
    response = client.post(path, data={"target": "9", "confirmed": "yes", "csrf_token": token})
    assert response.status_code == 403
    assert target_of("32.73.02.1001") is None
    assert events("villages.target_set") == []
    invalid = client.post("/admin/villages/areas/32.73.01/target",
                          data={"target": "0", "confirmed": "yes", "csrf_token": token})
    assert invalid.status_code == 422 and target_of("32.73.01.1001") is None


# --- import -----------------------------------------------------------------------------------


def import_post(client, **files):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/admin/villages/import")
    data = {"csrf_token": token, **{name: (io.BytesIO(content), filename) for name, (filename, content) in
                                     files.items()}}
    return client.post("/admin/villages/import", data=data, content_type="multipart/form-data")


def official_zip(entries: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in (entries if entries is not None else
                              {n: (OFFICIAL / n).read_bytes() for n in OFFICIAL_NAMES}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def counts() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Area)) or 0,
            db.session.scalar(sa.select(sa.func.count()).select_from(Village)) or 0)


def test_import_flat_csv_like_the_cli_and_audits_once(client):
    user = sign_in(client)
    response = import_post(client, file=("flat.csv", (DATA / "flat.csv").read_bytes()))
    assert response.status_code == 303
    areas, villages = counts()
    assert villages > 0 and areas > 0
    (event,) = events("villages.imported")
    assert event.actor_id == user.id and event.details["layout"] == "flat CSV"
    assert event.details["source"] == "flat.csv"
    # Again: idempotent, a second event saying nothing changed.
    assert import_post(client, file=("flat.csv", (DATA / "flat.csv").read_bytes())).status_code == 303
    assert counts() == (areas, villages)
    assert events("villages.imported")[1].details["counts"]["village"]["added"] == 0


def test_import_official_zip(client):
    sign_in(client)
    response = import_post(client, file=("official.zip", official_zip()))
    assert response.status_code == 303
    assert counts()[1] == len((OFFICIAL / "villages.csv").read_text().strip().splitlines()) - 1
    assert events("villages.imported")[0].details["layout"] == "folder"


def test_import_four_files(client):
    sign_in(client)
    files = {name.removesuffix(".csv"): (name, (OFFICIAL / name).read_bytes()) for name in OFFICIAL_NAMES}
    assert import_post(client, **files).status_code == 303
    assert counts()[1] > 0


def test_import_lists_every_problem_and_writes_nothing(client):
    sign_in(client)
    bad = ("code,name,district,regency,province,target\n"
           "32.73.01.1001,Sukarasa,Sukasari,Kota Bandung,Jawa Barat,abc\n"
           "32.73.01,Broken,Sukasari,Kota Bandung,Jawa Barat,\n")
    response = import_post(client, file=("bad.csv", bad.encode()))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "bad.csv, row 2, column target" in html and "bad.csv, row 3, column code" in html
    assert counts() == (0, 0) and events("villages.imported") == []


def test_import_four_files_reports_the_missing_ones(client):
    sign_in(client)
    response = import_post(client, provinces=("provinces.csv", (OFFICIAL / "provinces.csv").read_bytes()))
    assert response.status_code == 422
    assert "villages.csv" in response.get_data(as_text=True) and counts() == (0, 0)


@pytest.mark.parametrize("entries", [
    {"../villages.csv": b"x", "provinces.csv": b"code,name\n"},
    {"official/provinces.csv": b"code,name\n"},
    {"provinces.csv": b"code,name\n", "notes.txt": b"hello"},
])
def test_zip_with_paths_or_unexpected_names_is_refused(client, entries):
    sign_in(client)
    response = import_post(client, file=("evil.zip", official_zip(entries)))
    assert response.status_code == 422
    assert counts() == (0, 0)


def test_not_a_zip_and_wrong_extension_are_refused(client):
    sign_in(client)
    assert import_post(client, file=("broken.zip", b"not a zip")).status_code == 422
    assert import_post(client, file=("villages.xlsx", b"PK")).status_code == 422
    assert import_post(client).status_code == 422
    assert counts() == (0, 0)


def test_one_file_and_four_files_together_are_refused(client):
    sign_in(client)
    response = import_post(client, file=("flat.csv", (DATA / "flat.csv").read_bytes()),
                           provinces=("provinces.csv", (OFFICIAL / "provinces.csv").read_bytes()))
    assert response.status_code == 422 and counts() == (0, 0)


def test_oversized_upload_is_refused_with_413(client):
    sign_in(client)
    token = csrf_token(client, "/admin/villages/import")
    # Built by hand: the test client would spool a large body to a file it never closes.
    body = (b"--B\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + token.encode()
            + b"\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n"
            + b"x" * (MAX_UPLOAD_BYTES + 100 * 1024) + b"\r\n--B--\r\n")
    response = client.post("/admin/villages/import", data=body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 413
    assert counts() == (0, 0)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.VOLUNTEER, Role.VIEWER])
def test_import_is_for_admins_only(client, role):
    assert client.get("/admin/villages/import").status_code == 302
    sign_in(client, role)
    assert client.get("/admin/villages/import").status_code == 403
    token = csrf_token(client, "/admin/")  # the sign-out form's
    response = client.post("/admin/villages/import", data={"file": (io.BytesIO(b"x"), "a.csv"), "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert counts() == (0, 0)

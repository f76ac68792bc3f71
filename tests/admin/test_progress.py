"""The progress dashboard: counts, totals, filters, sort, pages, CSV, quality flags and who may see what."""

from __future__ import annotations

import ast
import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app import quality, questionnaires
from survey_app.extensions import db
from survey_app.models import Area, AreaLevel, AuditEvent, FormStatus, Mode, PaperForm, Response, Role, Village
from survey_app.operations.rounds import open_round
from tests.factories import make_response, make_round, make_villages, sign_in
from tests.html_pages import Node, parse

T0 = datetime(2027, 3, 2, 8, 0, tzinfo=UTC)
PLAIN = {"trust_police": "3", "trust_help": "2", "fair_respect": "4", "fair_equal": "3", "fair_listen": "5"}
STRAIGHT = {"trust_help": "4", "fair_respect": "4", "fair_equal": "4", "fair_listen": "4", "eff_good_job": "4"}


# --- helpers -----------------------------------------------------------------------------------------


def _respond(round_, village, mode=Mode.WEB, *, duration=600, at=T0, answers=None, deleted=False) -> Response:
    return make_response(round_, village.id, mode=mode, answers=PLAIN if answers is None else answers,
                         duration_s=duration if mode is Mode.WEB else None, submitted_at=at,
                         deleted_at=at if deleted else None)


def _paper_form(round_, village, status: FormStatus, serial: str) -> None:
    db.session.add(PaperForm(round_id=round_.id, village_id=village.id, serial=serial, status=status,
                             needs_second=status is FormStatus.AWAITING_SECOND))


def _village_rows(page: Node) -> list[Node]:
    return page.all("tr", **{"data-village": True})


def _rows(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Village code -> the texts of its cells."""
    return {tr["data-village"]: [td.text() for td in tr.all("td")] for tr in _village_rows(parse(response))}


def _order(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [tr["data-village"] for tr in _village_rows(parse(response))]


def _attr(page: Node, tag: str, name: str, value: str, wanted: str) -> str | None:
    node = page.one(tag, **{name: value})
    return None if node is None else node.attrs.get(wanted)


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.fixture
def world():
    """Six villages in two districts, an open round on v2 with a target of 4 per village."""
    villages = {v.code: v for v in make_villages()}
    round_ = make_round("Round 1", "trust-safety@2", opened=True)
    round_.target_per_village = 4
    villages["32.73.01.1002"].target_n = 2
    a, b, c = villages["32.73.01.1001"], villages["32.73.01.1002"], villages["32.73.02.1001"]
    for minutes in (0, 30):
        _respond(round_, a, at=T0 + timedelta(minutes=minutes))
    _respond(round_, a, Mode.PAPER, at=T0 + timedelta(hours=5))
    _respond(round_, a, at=T0 + timedelta(days=3), deleted=True)  # soft-deleted: never counted
    _respond(round_, b, Mode.PAPER, at=T0 + timedelta(hours=1))
    _respond(round_, b, Mode.PAPER, at=T0 + timedelta(hours=2))
    _respond(round_, c, at=T0 + timedelta(days=1))
    _paper_form(round_, a, FormStatus.AWAITING_SECOND, "A1")
    _paper_form(round_, a, FormStatus.AWAITING_SECOND, "A2")
    _paper_form(round_, a, FormStatus.RECONCILIATION, "A3")
    _paper_form(round_, a, FormStatus.VERIFIED, "A4")
    _paper_form(round_, c, FormStatus.RECONCILIATION, "C1")
    db.session.commit()
    return round_, villages


# --- counts, totals --------------------------------------------------------------------------------


def test_counts_by_mode_paper_backlog_target_and_last_response(client, world):
    round_, _villages = world
    sign_in(client)
    rows = _rows(client.get(f"/admin/rounds/{round_.slug}/progress"))
    assert len(rows) == 6
    # regency, district, code, name, web, paper, total, awaiting 2nd, reconciliation, target, %, last, fast, quality
    assert rows["32.73.01.1001"][4:12] == ["2", "1", "3", "2", "1", "4", "75%", "2027-03-02 20:00 WIB"]
    assert rows["32.73.01.1002"][4:12] == ["0", "2", "2", "0", "0", "2", "100%", "2027-03-02 17:00 WIB"]
    assert rows["32.73.02.1001"][4:12] == ["1", "0", "1", "0", "1", "4", "25%", "2027-03-03 15:00 WIB"]
    assert rows["32.73.02.1003"][4:12] == ["0", "0", "0", "0", "0", "4", "0%", "–"]
    assert rows["32.73.01.1001"][:4] == ["Kota Bandung", "Sukasari", "32.73.01.1001", "Sukarasa"]


def test_totals_per_district_regency_and_grand_total(client, world):
    round_, _villages = world
    sign_in(client)
    page = parse(client.get(f"/admin/rounds/{round_.slug}/progress"))
    assert _attr(page, "tr", "data-district", "32.73.01", "data-total") == "5"
    assert _attr(page, "tr", "data-district", "32.73.02", "data-total") == "1"
    assert _attr(page, "tr", "data-regency", "32.73", "data-total") == "6"
    grand = [td.text() for td in page.one("tr", id="grand-total").all("td")]
    # web 3, paper 3, total 6, awaiting 2, reconciliation 2, target 4+2+4*4=22, 6 of 22 reached
    assert grand[:7] == ["3", "3", "6", "2", "2", "22", "27%"]
    assert page.one("dd", **{"data-villages": True})["data-villages"] == "6"


def test_totals_cover_every_filtered_village_not_just_the_page(client, world, monkeypatch):
    round_, _villages = world
    monkeypatch.setattr("survey_app.admin.progress_data.PAGE_SIZE", 2)
    sign_in(client)
    page = parse(client.get(f"/admin/rounds/{round_.slug}/progress?page=3"))
    assert [tr["data-village"] for tr in _village_rows(page)] == ["32.73.02.1002", "32.73.02.1003"]
    assert _attr(page, "tr", "id", "grand-total", "data-total") == "6"
    # The page shows district 32.73.02 only, with the totals of all its villages.
    assert _attr(page, "tr", "data-district", "32.73.02", "data-total") == "1"
    assert page.one("tr", **{"data-district": "32.73.01"}) is None
    assert "page=2" in _attr(page, "a", "rel", "prev", "href") and page.one("a", rel="next") is None
    assert _order(client.get(f"/admin/rounds/{round_.slug}/progress?page=1")) == ["32.73.01.1001", "32.73.01.1002"]
    # Out-of-range pages are clamped, nonsense is the first page.
    assert _order(client.get(f"/admin/rounds/{round_.slug}/progress?page=99"))[0] \
        == "32.73.02.1002"
    assert client.get(f"/admin/rounds/{round_.slug}/progress?page=x").status_code == 200
    assert _order(client.get(f"/admin/rounds/{round_.slug}/progress?page={10**30}"))[0] == "32.73.02.1002"


def test_the_area_selects_offer_the_same_districts_filtered_or_not(client, world):
    """The unfiltered page names its districts from its own totals; a filtered page asks."""
    round_, _villages = world
    sign_in(client, Role.COORDINATOR, scope=["32.73.01", "32.73.02.1001"])

    def options(query: str) -> list[tuple[str, list[str]]]:
        page = parse(client.get(f"/admin/rounds/{round_.slug}/progress{query}"))
        return [(select["name"], [o["value"] for o in select.all("option") if o["value"]])
                for select in page.all("select")]

    unfiltered = options("")
    assert ("district", ["32.73.01", "32.73.02"]) in unfiltered
    assert options("?q=Sukarasa") == unfiltered
    assert options("?sort=total&dir=desc") == unfiltered


def test_with_several_regencies_districts_are_offered_once_one_is_chosen(client, world):
    round_, _villages = world
    db.session.add_all([Area(code="32.74", level=AreaLevel.REGENCY, name="Kota Cimahi", parent_code="32"),
                        Area(code="32.74.01", level=AreaLevel.DISTRICT, name="Cimahi Selatan", parent_code="32.74")])
    db.session.add(Village(code="32.74.01.1001", name="Melong", district_code="32.74.01"))
    db.session.commit()
    _respond(round_, db.session.scalar(sa.select(Village).where(Village.code == "32.74.01.1001")))
    db.session.commit()
    sign_in(client)
    base = f"/admin/rounds/{round_.slug}/progress"

    def options(page: Node, name: str) -> list[str]:
        select = page.one("select", name=name)
        assert select is not None
        return [o["value"] for o in select.all("option") if o["value"]]

    everything = parse(client.get(base))
    assert options(everything, "regency") == ["32.73", "32.74"]
    assert options(everything, "district") == []
    assert [tr["data-area"] for tr in everything.all("tr", **{"data-area": True})] == ["32.73", "32.74"]
    assert _attr(everything, "tr", "data-area", "32.74", "data-total") == "1"
    chosen = parse(client.get(f"{base}?regency=32.73"))
    assert options(chosen, "regency") == ["32.73", "32.74"]
    assert options(chosen, "district") == ["32.73.01", "32.73.02"]


def test_a_village_target_without_a_round_target(client, world):
    round_, _villages = world
    round_.target_per_village = None
    db.session.commit()
    sign_in(client)
    rows = _rows(client.get(f"/admin/rounds/{round_.slug}/progress"))
    assert rows["32.73.01.1002"][9:11] == ["2", "100%"]
    assert rows["32.73.01.1001"][9:11] == ["–", "–"]


# --- filters, search, sort ---------------------------------------------------------------------------


def test_filters_by_district_and_regency_and_search(client, world):
    round_, _villages = world
    sign_in(client)
    base = f"/admin/rounds/{round_.slug}/progress"
    assert set(_order(client.get(f"{base}?district=32.73.02"))) == {
        "32.73.02.1001", "32.73.02.1002", "32.73.02.1003"}
    assert len(_order(client.get(f"{base}?regency=32.73"))) == 6
    assert _order(client.get(f"{base}?regency=32.7")) == []  # whole segments only
    assert _order(client.get(f"{base}?q=gegerKAL")) == ["32.73.01.1002"]
    assert _order(client.get(f"{base}?q=32.73.02.100")) == [
        "32.73.02.1001", "32.73.02.1002", "32.73.02.1003"]
    assert _order(client.get(f"{base}?q=%25")) == []  # LIKE wildcards are literal
    page = parse(client.get(f"{base}?district=32.73.02"))
    assert _attr(page, "tr", "id", "grand-total", "data-total") == "1"


def test_every_column_sorts_both_ways(client, world):
    round_, _villages = world
    sign_in(client)
    base = f"/admin/rounds/{round_.slug}/progress"
    totals = _order(client.get(f"{base}?sort=total&dir=desc"))
    assert totals[:3] == ["32.73.01.1001", "32.73.01.1002", "32.73.02.1001"]
    assert _order(client.get(f"{base}?sort=name"))[0] == "32.73.02.1001"  # Cipaganti
    assert _order(client.get(f"{base}?sort=name&dir=desc"))[0] == "32.73.01.1001"  # Sukarasa
    last = _order(client.get(f"{base}?sort=last_at&dir=desc"))
    assert last[:3] == ["32.73.02.1001", "32.73.01.1001", "32.73.01.1002"]  # no response: last either way
    assert _order(client.get(f"{base}?sort=last_at"))[:3] == [
        "32.73.01.1002", "32.73.01.1001", "32.73.02.1001"]
    assert _order(client.get(f"{base}?sort=reached"))[-1] == "32.73.01.1002"
    assert _order(client.get(f"{base}?sort=awaiting_second&dir=desc"))[0] == "32.73.01.1001"
    assert _order(client.get(f"{base}?sort=district&dir=desc"))[0] == "32.73.01.1003"
    for key in ("regency", "district", "code", "name", "web", "paper", "total", "awaiting_second",
                "reconciliation", "target", "reached", "last_at", "fast"):
        for direction in ("", "desc"):
            assert len(_order(client.get(f"{base}?sort={key}&dir={direction}"))) == 6
    # An unknown sort key is the default order, not an error (and never reaches SQL).
    assert _order(client.get(f"{base}?sort=id;drop"))[0] == "32.73.01.1001"


def test_pages_walked_one_by_one_give_the_whole_sorted_table(client, world, monkeypatch):
    """Pages of two, in each kind of sort and direction, add up to the CSV's one sorted table
    (a page's villages are picked first: from the villages, from the counts, or from the
    whole table with area names)."""
    round_, _villages = world
    sign_in(client)
    monkeypatch.setattr("survey_app.admin.progress_data.PAGE_SIZE", 2)
    base = f"/admin/rounds/{round_.slug}/progress"
    for key in ("code", "name", "total", "reached", "last_at", "fast", "awaiting_second", "district"):
        for direction in ("", "desc"):
            query = f"sort={key}&dir={direction}"
            whole = [row["village_code"] for row in _csv(client.get(f"{base}.csv?{query}"))]
            walked = [code for number in (1, 2, 3) for code in _order(client.get(f"{base}?{query}&page={number}"))]
            assert walked == whole and len(whole) == 6, query
    # The same village counted on a page picked first (code) and on one counted whole (total).
    assert _rows(client.get(f"{base}?sort=code&page=1"))["32.73.01.1001"] == \
        _rows(client.get(f"{base}?sort=total&dir=desc&page=1"))["32.73.01.1001"]


def test_headers_link_the_sorts_with_aria_sort(client, world):
    round_, _villages = world
    sign_in(client)
    page = parse(client.get(f"/admin/rounds/{round_.slug}/progress?sort=web&q=a"))
    active = page.all("th", **{"aria-sort": True})
    assert len(active) == 1 and active[0]["aria-sort"] == "ascending"
    link = active[0].one("a")["href"]
    assert "sort=web" in link and "dir=desc" in link and "q=a" in link
    page = parse(client.get(f"/admin/rounds/{round_.slug}/progress?sort=web&dir=desc"))
    assert page.one("th", **{"aria-sort": True})["aria-sort"] == "descending"


# --- CSV ---------------------------------------------------------------------------------------------


def test_csv_has_every_filtered_row_in_the_same_order_and_is_audited(client, world, monkeypatch):
    round_, _villages = world
    sign_in(client)
    response = client.get(f"/admin/rounds/{round_.slug}/progress.csv?sort=total&dir=desc&district=32.73.01")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = _csv(response)
    assert [r["village_code"] for r in rows] == ["32.73.01.1001", "32.73.01.1002", "32.73.01.1003"]
    first = rows[0]
    assert (first["web"], first["paper"], first["total"], first["paper_awaiting_second"],
            first["paper_in_reconciliation"], first["target"], first["reached_percent"]) == (
        "2", "1", "3", "2", "1", "4", "75.0")
    assert first["last_response_wib"] == "2027-03-02 20:00:00"  # 13:00 UTC, in Jakarta
    assert first["regency"] == "Kota Bandung" and first["district"] == "Sukasari"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "report.downloaded")).one()
    assert event.object_id == str(round_.id) and event.details["what"] == "progress"
    assert event.details["rows"] == 3 and event.details["district"] == "32.73.01"


def test_csv_neutralises_formulas(client, world):
    round_, villages = world
    villages["32.73.01.1001"].name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    sign_in(client)
    rows = _csv(client.get(f"/admin/rounds/{round_.slug}/progress.csv"))
    assert rows[0]["village"] == "'=HYPERLINK(\"http://x\")"


# --- quality -----------------------------------------------------------------------------------------


def test_quality_flags_on_crafted_data(client, world):
    round_, villages = world
    fast, straight, burst = villages["32.73.02.1002"], villages["32.73.02.1003"], villages["32.73.01.1003"]
    for number in range(10):  # 2 of 10 faster than 90 s: 20% >= 10%
        _respond(round_, fast, duration=30 if number < 2 else 900, at=T0 + timedelta(days=1, hours=number))
    for number in range(5):  # 2 of 5 straight-lined: 40% >= 20%
        _respond(round_, straight, Mode.PAPER, answers=STRAIGHT if number < 2 else PLAIN,
                 at=T0 + timedelta(hours=number))
    for number in range(10):  # ten web forms within nine minutes
        _respond(round_, burst, at=T0 + timedelta(minutes=number))
    db.session.commit()
    sign_in(client)
    page = parse(client.get(f"/admin/rounds/{round_.slug}/progress"))
    flags = {tr["data-village"]: tr["data-flags"] for tr in _village_rows(page)}
    assert flags == {"32.73.01.1001": "", "32.73.01.1002": "", "32.73.01.1003": "burst",
                     "32.73.02.1001": "", "32.73.02.1002": "fast", "32.73.02.1003": "straight"}
    marker = page.one("tr", **{"data-village": "32.73.02.1002"}).one("span", **{"class": "flag"}).text()
    assert marker.startswith("⚑") and len(marker) > 2  # a text label, not colour alone
    rows = {r["village_code"]: r for r in _csv(client.get(f"/admin/rounds/{round_.slug}/progress.csv"))}
    assert (rows["32.73.02.1002"]["web_fast"], rows["32.73.02.1002"]["web_fast_percent"]) == ("2", "20.0")
    assert (rows["32.73.02.1003"]["straightlined"], rows["32.73.02.1003"]["straightlined_percent"]) == ("2", "40.0")
    assert rows["32.73.01.1003"]["largest_burst"] == "10" and rows["32.73.01.1003"]["flags"] == "burst"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 32  # nothing removed


def test_straight_lining_rules(app):
    batteries = quality.batteries(questionnaires.load("trust-safety", 2))
    assert batteries and all(len(b.question_ids) >= quality.STRAIGHT_MIN_ITEMS for b in batteries)
    assert quality.is_straightlined(STRAIGHT, batteries)
    assert not quality.is_straightlined(PLAIN, batteries)
    three = {"trust_help": "4", "fair_respect": "4", "fair_equal": "4"}
    assert not quality.is_straightlined(three, batteries)  # too few items to say
    with_specials = {**three, "fair_listen": "8", "eff_good_job": "9"}
    assert not quality.is_straightlined(with_specials, batteries)  # don't know/refused are left out
    assert quality.is_straightlined({**with_specials, "eff_respond_quick": "4"}, batteries)


def test_burst_and_fast_thresholds():
    times = [T0 + timedelta(minutes=m) for m in (0, 1, 2, 30, 31)]
    assert quality.largest_burst(times) == 3
    assert quality.largest_burst([T0, T0 + quality.BURST_WINDOW]) == 2
    assert quality.largest_burst([]) == 0
    assert quality.VillageQuality(responses=4, web_timed=4, fast=4).flags == ()  # too few to judge
    assert quality.VillageQuality(responses=10, web_timed=10, fast=1).flags == (quality.FAST,)
    assert quality.VillageQuality(responses=10, web_timed=10, fast=0, straightlined=2).flags == (quality.STRAIGHT,)


def test_quality_module_imports_no_web_framework():
    source = Path(quality.__file__).read_text(encoding="utf-8")
    imported = [node.module or "" for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import)
                 for alias in node.names]
    assert not [name for name in imported if name.split(".")[0] in ("flask", "flask_sqlalchemy", "sqlalchemy")]


# --- who may see what ----------------------------------------------------------------------------------


def test_a_coordinator_sees_only_the_villages_of_their_scope(client, world):
    round_, _villages = world
    sign_in(client, Role.COORDINATOR, scope=["32.73.02"])
    page = parse(client.get(f"/admin/rounds/{round_.slug}/progress"))
    assert {tr["data-village"] for tr in _village_rows(page)} == {"32.73.02.1001", "32.73.02.1002", "32.73.02.1003"}
    assert _attr(page, "tr", "id", "grand-total", "data-total") == "1"
    # Asking for another district gives nothing, not its data.
    assert _order(client.get(f"/admin/rounds/{round_.slug}/progress?district=32.73.01")) == []
    rows = _csv(client.get(f"/admin/rounds/{round_.slug}/progress.csv?regency=32.73"))
    assert {r["village_code"] for r in rows} == {"32.73.02.1001", "32.73.02.1002", "32.73.02.1003"}


def test_rounds_outside_the_users_scope_are_refused(client, world):
    round_, _villages = world
    db.session.add(Area(code="33", level=AreaLevel.PROVINCE, name="Jawa Tengah"))
    db.session.add(Area(code="33.74", level=AreaLevel.REGENCY, name="Kota Semarang", parent_code="33"))
    db.session.add(Area(code="33.74.01", level=AreaLevel.DISTRICT, name="Semarang Tengah", parent_code="33.74"))
    db.session.add(Village(code="33.74.01.1001", name="Miroto", district_code="33.74.01"))
    db.session.commit()
    other = make_round("Round Semarang", "trust-safety@2", opened=True, scope=["33"])
    sign_in(client, Role.COORDINATOR, scope=["32.73.01"])
    assert client.get(f"/admin/rounds/{other.slug}/progress").status_code == 403
    assert client.get(f"/admin/rounds/{other.slug}/progress.csv").status_code == 403
    assert client.get("/admin/rounds/no-such-round/progress").status_code == 404
    # Only the first round is open in their area: the index goes straight to it.
    response = client.get("/admin/progress")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/rounds/{round_.slug}/progress")


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.VIEWER])
def test_volunteers_and_viewers_are_refused(client, world, role):
    round_, _villages = world
    sign_in(client, role)
    for path in ("/admin/progress", f"/admin/rounds/{round_.slug}/progress",
                 f"/admin/rounds/{round_.slug}/progress.csv"):
        assert client.get(path).status_code == 403, path
    assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "report.downloaded")).all() == []


def test_anonymous_is_sent_to_login(client, world):
    round_, _villages = world
    for path in ("/admin/progress", f"/admin/rounds/{round_.slug}/progress",
                 f"/admin/rounds/{round_.slug}/progress.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], path


def test_index_lists_rounds_when_not_exactly_one_is_open(client, world):
    round_, _villages = world
    second = make_round("Round 2", "trust-safety@2")
    draft = make_round("Draft", "trust-safety@2")
    open_round(second)
    db.session.commit()
    sign_in(client)
    page = parse(client.get("/admin/progress"))
    assert {tr["data-round"] for tr in page.all("tr", **{"data-round": True})} == {round_.slug, second.slug, draft.slug}
    assert client.get(f"/admin/rounds/{draft.slug}/progress").status_code == 200


# --- the query count does not grow with the villages --------------------------------------------------


def _statements(client, path: str) -> int:
    """SQL statements one request runs (transaction control left out: it depends on the test's session)."""
    count = 0

    def listener(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        nonlocal count
        count += not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return count


def test_statements_per_page_do_not_grow_with_villages(client, world):
    round_, villages = world
    sign_in(client)
    path = f"/admin/rounds/{round_.slug}/progress"
    few = _statements(client, path)
    few_csv = _statements(client, path + ".csv")
    district = villages["32.73.01.1001"].district_code
    extra = [Village(code=f"32.73.01.2{n:03d}", name=f"Desa {n}", district_code=district) for n in range(30)]
    db.session.add_all(extra)
    db.session.flush()
    for village in extra:
        _respond(round_, village)
        _respond(round_, village, Mode.PAPER)
    db.session.commit()
    assert 0 < _statements(client, path) == few
    assert _statements(client, path + ".csv") == few_csv

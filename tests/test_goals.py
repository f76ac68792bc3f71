"""Intermediate goals set (and superseded) through the CLI, and shown with their status on the
village workbook's Summary (the judgement itself: tests/reports/test_goal_status.py)."""

from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEvent, Goal, Role
from tests.factories import sign_in

VILLAGE = "32.73.01.1001"


def test_goals_are_set_superseded_listed_and_shown_on_the_summary(runner, client, demo_data):
    result = runner.invoke(args=["goals", "set", "--round", "putaran-2-2025", "--area", "32.73.01",
                                 "--indicator", "trust", "--level", "40"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["goals", "set", "--round", "putaran-2-2025", "--area", "32.73.01",
                                "--indicator", "trust", "--level", "45"])
    assert again.exit_code == 0, again.output
    goals = db.session.scalars(sa.select(Goal).order_by(Goal.id)).all()
    assert [(g.target, g.superseded_at is None) for g in goals] == [(40, False), (45, True)]
    listed = runner.invoke(args=["goals", "list", "--round", "putaran-2-2025", "--history"]).output
    assert "\ttrust\t32.73.01\tlevel\t45\t" in listed and "superseded" in listed
    assert len(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "goal.set")).all()) == 2
    for args, message in ((["--indicator", "nope", "--level", "40"], "reports no indicator 'nope'"),
                          (["--indicator", "trust"], "Give --level or --change"),
                          (["--indicator", "trust", "--level", "140"], "between 0 and 100")):
        bad = runner.invoke(args=["goals", "set", "--round", "putaran-2-2025", "--area", "32.73.01", *args])
        assert bad.exit_code == 1 and message in bad.output
    # The village's workbook judges the current goal (45) on the trust index's own interval.
    sign_in(client, Role.ADMIN)
    data = client.get(f"/downloads/putaran-2-2025/village/{VILLAGE}.xlsx").data
    ws = openpyxl.load_workbook(io.BytesIO(data))["Ringkasan"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    heading = next(i for i, row in enumerate(cells) if row[0] == "Sasaran antara")
    goal_row = cells[heading + 2]
    assert goal_row[:4] == ["Indeks kepercayaan", "paling sedikit 45", "32.73.01", "Putaran 2 2025"]
    index_row = next(row for row in cells if row[0] == "Indeks kepercayaan")
    low, high = (float(x.replace(",", ".")) for x in index_row[7].split("–"))  # the round's "lo–hi" text
    expected = "tercapai" if low > 45 else "tidak tercapai" if high < 45 else "belum"
    assert goal_row[5] == expected


def test_a_coordinator_sets_a_goal_in_the_console_and_the_village_page_judges_it(client, demo_data):
    import html

    from tests.factories import csrf_token

    sign_in(client, Role.COORDINATOR, scope=["32.73.01"])
    client.get("/lang/en")
    page_url = "/admin/rounds/putaran-2-2025"
    token = csrf_token(client, page_url)
    db.session.remove()  # the test's app context keeps one session; a request's own would have ended
    sent = client.post(f"{page_url}/goals", data={"csrf_token": token, "indicator": "trust", "area": "32.73.01",
                                                   "kind": "level", "target": "40"}, follow_redirects=True)
    assert "Goal set: trust in 32.73.01." in html.unescape(sent.get_data(as_text=True))
    assert 'data-goal="trust"' in client.get(page_url).get_data(as_text=True)
    db.session.remove()
    outside = client.post(f"{page_url}/goals", data={"csrf_token": token, "indicator": "trust", "area": "32.73.02",
                                                      "kind": "level", "target": "40"})
    assert outside.status_code == 403
    unknown = client.post(f"{page_url}/goals", data={"csrf_token": token, "indicator": "nope", "area": "32.73.01",
                                                      "kind": "level", "target": "40"}, follow_redirects=True)
    assert "Not a valid choice" in html.unescape(unknown.get_data(as_text=True))
    goal = db.session.scalars(sa.select(Goal)).one()
    assert (goal.area_code, goal.indicator, goal.target) == ("32.73.01", "trust", 40)
    assert goal.created_by == "coordinator@example.org"
    # The village's results page shows it with the status its workbook gives.
    village_page = client.get(f"/downloads/putaran-2-2025/village/{VILLAGE}/").get_data(as_text=True)
    row = village_page[village_page.index('data-goal="trust"'):]
    status = row[row.index('data-status="') + 13:].split('"')[0]
    ws = openpyxl.load_workbook(io.BytesIO(client.get(f"/downloads/putaran-2-2025/village/{VILLAGE}.xlsx").data))
    summary = [[c.value for c in r] for r in ws["Ringkasan"].iter_rows()]
    heading = next(i for i, r in enumerate(summary) if r[0] == "Sasaran antara")
    words = {"reached": "tercapai", "not_yet": "belum", "missed": "tidak tercapai",
             "too_few": "jawaban terlalu sedikit"}
    assert summary[heading + 2][5] == words[status]
    assert "Intermediate goals" in village_page and "at least 40" in village_page

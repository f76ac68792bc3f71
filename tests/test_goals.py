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


STATUS_WORDS = {"reached": "tercapai", "not_yet": "belum", "missed": "tidak tercapai",
                "too_few": "jawaban terlalu sedikit", "not_comparable": "tidak dapat dinilai: deret terputus"}


def _summary_goals(client, round_slug: str, village: str) -> dict[str, list]:
    """The Summary's goal rows of a village's workbook, by goal text."""
    ws = openpyxl.load_workbook(io.BytesIO(client.get(f"/downloads/{round_slug}/village/{village}.xlsx").data))
    cells = [[c.value for c in row] for row in ws["Ringkasan"].iter_rows()]
    heading = next(i for i, row in enumerate(cells) if row[0] == "Sasaran antara")
    rows = {}
    for row in cells[heading + 2:]:
        if not row[1]:
            break
        rows[row[1]] = row
    return rows


def test_a_rise_over_two_rounds_and_the_overview_counts_villages_in_each_status(runner, client, demo_data):
    # A rise measured from two rounds back, on an item that v1..v3 all ask comparably.
    cli = runner.invoke(args=["goals", "set", "--round", "putaran-1-2026", "--area", "32.73", "--indicator",
                              "trust_help", "--change", "5", "--from", "putaran-1-2025"])
    assert cli.exit_code == 0 and "since 'Putaran 1 2025'" in cli.output, cli.output
    level = runner.invoke(args=["goals", "set", "--round", "putaran-1-2026", "--area", "32.73.01", "--indicator",
                                "safety", "--level", "50"])
    assert level.exit_code == 0, level.output
    for args, message in ((["--from", "putaran-1-2026"], "not an earlier round"),  # itself
                          (["--from", "kemitraan-2026"], "not an earlier round"),  # another questionnaire
                          (["--level", "5", "--from", "putaran-1-2025"], "Only a change goal")):
        change = [] if "--level" in args else ["--change", "5"]
        bad = runner.invoke(args=["goals", "set", "--round", "putaran-1-2026", "--area", "32.73", "--indicator",
                                  "trust_help", *change, *args])
        assert bad.exit_code == 1 and message in bad.output, bad.output
    listed = runner.invoke(args=["goals", "list", "--round", "putaran-1-2026"]).output
    assert "\ttrust_help\t32.73\tchange\t5\tPutaran 1 2025\t" in listed
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "goal.set")).first()
    assert event.details["baseline"] == "Putaran 1 2025"
    db.session.remove()  # end the test's read, so the download may refresh the stored sums

    sign_in(client, Role.ADMIN)
    data = client.get("/downloads/putaran-1-2026/area/32.73/overview.xlsx").data
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Ikhtisar", "Untuk dicetak", "Sasaran antara"]
    cells = [[c.value for c in row] for row in workbook["Sasaran antara"].iter_rows()]
    assert "Benjamini–Hochberg" in cells[1][0] and "1 dari 40" in cells[1][0]
    header = cells[3]
    statuses = header[4:9]
    assert statuses == [STATUS_WORDS[s] for s in ("reached", "not_yet", "missed", "too_few", "not_comparable")]
    counts = {row[1]: row for row in cells[4:6]}
    village_header = next(i for i, row in enumerate(cells) if row[0] == "Kode" and i > 3)
    villages = [row for row in cells[village_header + 1:] if row[0]]
    assert villages and all(row[0].startswith("32.73.") for row in villages)
    for column, text in ((2, "naik 5 poin sejak Putaran 1 2025"), (3, "paling sedikit 50")):
        assert cells[village_header][column].endswith(text)
        judged = [row for row in villages if row[column]]
        tally = counts[text]
        assert tally[3] == len(judged)
        assert tally[4:9] == [sum(row[column] == word for row in judged) for word in statuses]
        # Each village's status is the one its own workbook gives.
        for row in judged[:4]:
            assert _summary_goals(client, "putaran-1-2026", row[0])[text][5] == row[column]
    # The one-page summary lists the same goals with the same status, without a doubled stop.
    village = villages[0][0]
    glance = openpyxl.load_workbook(io.BytesIO(client.get(f"/downloads/putaran-1-2026/village/{village}.xlsx").data))
    lines = {row[0]: row[4] for row in ([c.value for c in r] for r in glance["Sekilas"].iter_rows()) if row[0]}
    rise = next(text for text in lines if str(text).endswith(": naik 5 poin sejak Putaran 1 2025 (32.73)"))
    assert ".:" not in rise and lines[rise] == villages[0][2]
    assert all(row[3] for row in villages if row[0].startswith("32.73.01."))  # the district's level goal
    assert not any(row[3] for row in villages if not row[0].startswith("32.73.01."))


def test_the_console_sets_a_rise_from_a_chosen_round(client, demo_data):
    import html

    from tests.factories import csrf_token

    sign_in(client, Role.ADMIN)
    client.get("/lang/en")
    page_url = "/admin/rounds/putaran-1-2026"
    page = client.get(page_url).get_data(as_text=True)
    assert '<option value="putaran-1-2025">Putaran 1 2025</option>' in page
    token = csrf_token(client, page_url)
    db.session.remove()
    sent = client.post(f"{page_url}/goals", data={"csrf_token": token, "indicator": "trust_help", "area": "32.73",
                                                   "kind": "change", "target": "5", "baseline": "putaran-1-2025"},
                       follow_redirects=True)
    assert "Goal set: trust_help in 32.73." in html.unescape(sent.get_data(as_text=True))
    assert "up 5 points since Putaran 1 2025" in client.get(page_url).get_data(as_text=True)
    db.session.remove()
    level = client.post(f"{page_url}/goals", data={"csrf_token": token, "indicator": "trust_help", "area": "32.73",
                                                    "kind": "level", "target": "5", "baseline": "putaran-1-2025"},
                        follow_redirects=True)
    assert "Only a change goal is measured from a baseline round." in html.unescape(level.get_data(as_text=True))
    client.get("/lang/id")  # the console's refusals speak the user's language
    db.session.remove()
    refused = client.post(f"{page_url}/goals", data={"csrf_token": token, "indicator": "trust_help", "area": "32.73",
                                                      "kind": "level", "target": "5", "baseline": "putaran-1-2025"},
                          follow_redirects=True)
    assert "Hanya sasaran kenaikan yang diukur sejak putaran awal." in html.unescape(refused.get_data(as_text=True))
    client.get("/lang/en")
    goal = db.session.scalars(sa.select(Goal).where(Goal.superseded_at.is_(None))).one()
    assert goal.baseline_round.name == "Putaran 1 2025"
    village_page = client.get(f"/downloads/putaran-1-2026/village/{VILLAGE}/").get_data(as_text=True)
    assert "up 5 points since Putaran 1 2025" in village_page

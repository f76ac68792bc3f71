"""An administrator runs a round from the browser: sign in, create, open, watch a resident's
answer arrive on the progress dashboard, download the village's report."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

from survey_app.questionnaires import load
from tests.browser.resident import BROWSER_TEST, THANKS, fill_form, open_form, screenshot, stored_responses
from tests.factories import PASSWORD, complete_answers, make_user, make_villages

pytestmark = BROWSER_TEST

LAPTOP = {"width": 1280, "height": 800}
VILLAGE = "32.73.01.1001"


def test_an_admin_creates_opens_follows_and_downloads_a_round(app, live_server, new_context):
    from survey_app.extensions import db
    from survey_app.models import Role

    make_villages()
    email = make_user(Role.ADMIN, "admin@example.org").email
    plan = complete_answers(load("trust-safety", 2), {"contact_12m": "no"})
    db.session.remove()  # the live server needs the SQLite write lock

    console = new_context(viewport=LAPTOP).new_page()
    console.goto(live_server.url + "/auth/login")
    console.fill("input[name=email]", email)
    console.fill("input[name=password]", PASSWORD)
    console.locator("form button[type=submit]").last.click()
    console.wait_for_url("**/admin/")

    # Create the round: a draft on trust-safety v2 for one district.
    console.click("a[href='/admin/rounds/new']")
    console.fill("input[name=name]", "Putaran Uji Browser")
    console.select_option("select[name=questionnaire]", "trust-safety@2")
    console.fill("textarea[name=scope]", "32.73.01")
    console.fill("input[name=target_per_village]", "40")
    console.locator("main form button[type=submit]").click()
    console.wait_for_url("**/admin/rounds/putaran-uji-browser")
    assert console.locator("h1 [data-status]").get_attribute("data-status") == "draft"

    # Open it, through the confirmation page that says what will happen.
    console.click("a[href$='/putaran-uji-browser/open']")
    assert console.locator(".confirm li").count() >= 3
    console.locator(".confirm button[type=submit]").click()
    console.wait_for_url("**/admin/rounds/putaran-uji-browser")
    assert console.locator("h1 [data-status]").get_attribute("data-status") == "open"
    screenshot(console, "console-round-open")

    # A resident answers on a phone.
    phone = new_context().new_page()
    open_form(phone, f"{live_server.url}/s/putaran-uji-browser/{VILLAGE}")
    fill_form(phone, plan, stop_before_send=False)
    phone.wait_for_url(THANKS)
    assert len(stored_responses()) == 1

    # The answer shows on the progress dashboard.
    console.click("a[href='/admin/rounds/putaran-uji-browser/progress']")
    row = console.locator(f"tr[data-village='{VILLAGE}']")
    assert row.get_attribute("data-total") == "1"
    screenshot(console, "console-progress")

    # The village's report downloads and opens as a workbook.
    console.goto(live_server.url + "/downloads/putaran-uji-browser/")
    with console.expect_download() as download:
        console.click(f"a[href*='/village/{VILLAGE}.xlsx']")
    workbook = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    assert workbook.sheetnames[:2] == ["Sekilas", "Ringkasan"]
    cells = [str(c) for row in workbook["Ringkasan"].iter_rows(values_only=True) for c in row if c is not None]
    assert any("Putaran Uji Browser" in c for c in cells)

    # Its results page draws the charts; one answer is far under min_n, so no point is drawn
    # and the figures table says why.
    problems: list[str] = []
    console.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    console.click(f"a[href='/downloads/putaran-uji-browser/village/{VILLAGE}/']")
    charts = console.locator("figure.chart svg[role=img]")
    assert charts.count() >= 2 and charts.first.bounding_box()["width"] > 300  # type: ignore[index]
    assert console.locator("figure.chart circle[data-value]").count() == 0
    console.locator("figure.chart details summary").first.click()
    assert "n = 1" in console.locator("figure.chart td[data-suppressed]").first.inner_text()
    assert problems == []  # nothing refused by the content security policy
    screenshot(console, "console-village-results")

"""The Content-Security-Policy in a real browser: every browser test fails on a violation
(``new_context`` listens for them); here, that the listener hears one, and that a page of
the console cannot be framed by another site."""

from __future__ import annotations

from survey_app.access import public
from tests.browser.resident import BROWSER_TEST

pytestmark = BROWSER_TEST


def test_an_inline_script_is_blocked_and_heard(app, live_server, new_context):
    app.add_url_rule("/inline-script-probe", "inline_probe",
                     public(lambda: "<!doctype html><title>x</title><script>document.title = 'ran'</script>"))
    page = new_context().new_page()
    page.goto(live_server.url + "/inline-script-probe")
    page.wait_for_load_state("load")
    assert page.title() == "x"  # the inline script never ran
    assert any("inline script" in line for line in new_context.violations), new_context.violations
    new_context.violations.clear()  # heard, as it should be: not a failure of this test


def test_a_console_page_cannot_be_framed_by_another_site(app, live_server, new_context):
    page = new_context().new_page()
    page.set_content(f'<iframe src="{live_server.url}/auth/login" width="600" height="400"></iframe>')
    page.wait_for_timeout(1000)
    assert all(frame.locator("input[name=email]").count() == 0 for frame in page.frames)  # nothing shown
    assert any("frame-ancestors" in line for line in new_context.violations), new_context.violations
    new_context.violations.clear()

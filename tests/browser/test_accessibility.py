"""Accessibility measured in the browser, page by page: width, touch targets, labels,
contrast, and a doubled font size."""

from __future__ import annotations

from tests.browser.resident import BROWSER_TEST, THANKS, fill_page, open_form, screenshot

pytestmark = BROWSER_TEST

NARROW = {"width": 320, "height": 640}
PHONE = {"width": 360, "height": 640}
MIN_TARGET_PX = 44
MIN_CONTRAST = 4.5  # WCAG AA for body-size text

# One function evaluated in the page; returns the problems it finds, so a failure names them.
AUDIT = """(minContrast) => {
  const problems = [];
  const shown = el => el.offsetParent !== null || getComputedStyle(el).position === "fixed";
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
    " '" + (el.textContent || el.value || "").trim().slice(0, 30) + "'";
  const rgba = text => { const m = text.match(/[\\d.]+/g).map(Number); return m.length === 3 ? [...m, 1] : m; };
  const luminance = ([r, g, b]) => {
    const lin = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = el => {
    for (let node = el; node; node = node.parentElement) {
      const c = rgba(getComputedStyle(node).backgroundColor);
      if (c[3] > 0) return c;  // our CSS uses opaque backgrounds only
    }
    return [255, 255, 255, 1];
  };
  const contrast = el => {
    const a = luminance(rgba(getComputedStyle(el).color)), b = luminance(background(el));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };

  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth) problems.push(`scrolls sideways: ${doc.scrollWidth} > ${doc.clientWidth}`);

  for (const el of document.querySelectorAll(".choice, button, a")) {
    if (!shown(el) || el.closest(".hp")) continue;
    const box = el.getBoundingClientRect();
    if (box.height < 44 || box.width < 44) {
      problems.push(`small target ${Math.round(box.width)}x${Math.round(box.height)}: ${name(el)}`);
    }
  }

  for (const input of document.querySelectorAll("input:not([type=hidden]), textarea, select")) {
    if (input.closest(".hp")) continue;  // the honeypot is labelled, but hidden from people
    const fieldset = input.closest("fieldset");
    const labelled = input.labels.length > 0 || (fieldset && fieldset.querySelector(":scope > legend"));
    if (!labelled) problems.push(`no label: ${input.name}`);
  }

  const texts = "body, p, legend, label, .help, .error, .where, .progress, .opt-note, .choice span, " +
    "h1, h2, #status, button, .brand, .lang";
  let checked = 0;
  for (const el of document.querySelectorAll(texts)) {
    if (!shown(el) || !el.textContent.trim() || el.closest(".hp")) continue;
    checked++;
    const ratio = contrast(el);
    if (ratio < minContrast) problems.push(`contrast ${ratio.toFixed(2)}: ${name(el)}`);
  }
  if (!checked) problems.push("no text checked");
  return problems;
}"""

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def _audit(page) -> list[str]:  # type: ignore[no-untyped-def]
    problems = page.evaluate(AUDIT, MIN_CONTRAST)
    # Browsers let people enlarge text: at twice the root size the page must still fit.
    page.set_viewport_size(PHONE)
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    if not page.evaluate(NO_SIDEWAYS_SCROLL):
        problems.append("scrolls sideways at 360 px with the font doubled")
    page.evaluate("() => { document.documentElement.style.fontSize = ''; }")
    page.set_viewport_size(NARROW)
    return problems


def test_every_page_fits_320px_with_big_targets_labels_and_aa_contrast(live_server, new_context, plan):
    page = new_context(viewport=NARROW).new_page()
    open_form(page, live_server.form_url)
    # A first "Next" with nothing answered shows the error messages, so they are audited too.
    page.locator("#next").click()
    assert page.locator(".error").count() > 0
    report: dict[str, list[str]] = {"page 1 with errors": _audit(page)}
    screenshot(page, "320-errors")
    for number in range(1, 20):
        fill_page(page, plan)
        report[f"page {number}"] = _audit(page)
        if page.locator("#next").inner_text() == "Kirim jawaban":
            break
        page.locator("#next").click()
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    page.set_viewport_size(PHONE)
    screenshot(page, "360-font200")
    page.evaluate("() => { document.documentElement.style.fontSize = ''; }")
    page.set_viewport_size(NARROW)
    page.locator("#next").click()
    page.wait_for_url(THANKS)
    report["thank-you page"] = _audit(page)
    assert number == 9, "the walk should cover the nine sections"
    assert {where: found for where, found in report.items() if found} == {}


def test_the_header_is_one_line_with_48px_language_links(live_server, new_context, questionnaire):
    """At 360x640 the brand and the language switch share one row, so the header leaves the
    screen to the questions; the language links are 48 px square at least."""
    page = new_context(viewport=PHONE).new_page()
    for url in (live_server.form_url, live_server.form_url + "/terima-kasih"):
        response = page.goto(url)
        assert response is not None and response.ok, (url, response.status if response else None, page.content()[:500])
        header = page.locator("header.bar").bounding_box()
        assert header is not None and header["height"] <= 64, (url, header)
        brand = page.locator(".brand").bounding_box()
        for link in page.locator(".lang").all():
            box = link.bounding_box()
            assert box is not None and box["width"] >= 48 and box["height"] >= 48, (url, box)
            assert brand is not None and box["y"] < brand["y"] + brand["height"], "the switch wrapped below"

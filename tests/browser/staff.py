"""Staff in the browser: signing in through the real form."""

from __future__ import annotations

from tests.factories import PASSWORD


def sign_in(page, base_url: str, email: str, lang: str = "en") -> None:  # type: ignore[no-untyped-def]
    """Sign in on ``page`` as ``email`` (the factories' password), the interface in ``lang``."""
    page.goto(f"{base_url}/lang/{lang}")
    page.goto(f"{base_url}/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("button[type=submit]").click()

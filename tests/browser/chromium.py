"""One Chromium per test process, however many conftest files offer the ``browser`` fixture.

Other test folders re-export the fixtures of tests/browser/conftest.py; each copy is a
session fixture of its own, and Playwright's sync API cannot start twice in one process.
So the copies share this module's browser and the last one to finish closes it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

_shared: dict[str, Any] = {"users": 0, "playwright": None, "browser": None}


def acquire() -> Any:
    """The process's Chromium, launched on first use; fails (never skips) when it is missing."""
    if _shared["browser"] is None:
        if not Path(CHROMIUM).exists():
            pytest.fail(
                f"Chromium is not installed at {CHROMIUM}, so the browser tests cannot run. Install it with "
                "`sudo apt-get update && sudo apt-get install -y chromium` (Debian/Ubuntu; `make test` does this), "
                "or point CHROMIUM=/path/to/chromium at another build.",
                pytrace=False,
            )
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            _shared["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception:
            playwright.stop()
            raise
        _shared["playwright"] = playwright
    _shared["users"] += 1
    return _shared["browser"]


def release() -> None:
    """Give the browser back; the last user closes it and stops Playwright."""
    _shared["users"] -= 1
    if _shared["users"] == 0:
        _shared["browser"].close()
        _shared["playwright"].stop()
        _shared.update(browser=None, playwright=None)

"""Static files under versioned URLs, cached by browsers for a year.

Every ``url_for("static", ...)`` gets ``?v=`` and the first characters of the file's sha256,
so a changed file has a new URL. A request that names the current version is answered with
``Cache-Control: public, max-age=31536000, immutable``: a resident's phone then draws the page
without first asking whether the render-blocking CSS changed (one round trip of up to a second
on 2G). A missing or outdated version keeps Flask's ``no-cache``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request

from survey_app.digests import file_hash

YEAR = 365 * 24 * 3600
DIGEST_CHARS = 12


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_cache_versioned)


def version(filename: str) -> str | None:
    """The current version of a static file (its hash's first characters), or None if there is
    no such file."""
    folder = current_app.static_folder
    if folder is None:
        return None
    try:
        return file_hash(Path(folder, filename))[:DIGEST_CHARS]
    except OSError:
        return None


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and "v" not in values and isinstance(values.get("filename"), str):
        found = version(values["filename"])
        if found is not None:
            values["v"] = found


def _cache_versioned(response: Response) -> Response:
    if request.endpoint == "static" and response.status_code == 200 and request.view_args:
        wanted = request.args.get("v")
        if wanted and wanted == version(str(request.view_args.get("filename", ""))):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
    return response

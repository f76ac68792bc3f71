"""The app's request class."""

from __future__ import annotations

from typing import Any

from flask import Request, current_app
from werkzeug.exceptions import BadRequest


class SurveyRequest(Request):
    """Flask's request, with limits on what a hostile body can make the app do."""

    @property
    def max_content_length(self) -> int | None:
        """A whole questionnaire's answers are a few KB, so the resident door refuses bodies far
        below the staff uploads' limit (``MAX_CONTENT_LENGTH``). Decided from the blueprint,
        known before any hook (CSRF included) reads the body."""
        if self.blueprint == "respond":
            return int(current_app.config["PUBLIC_MAX_CONTENT_LENGTH"])
        return super().max_content_length

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """JSON nested deeper than the parser's stack (a few hundred levels in under 1 KB) is a
        bad request like any other malformed body, not a crash."""
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            raise BadRequest("The JSON body is nested too deeply.") from None

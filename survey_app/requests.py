"""The app's request class."""

from __future__ import annotations

from flask import Request, current_app


class SurveyRequest(Request):
    """A whole questionnaire's answers are a few KB, so the resident door refuses bodies far
    below the staff uploads' limit (``MAX_CONTENT_LENGTH``). Decided per request from its
    blueprint, known before any hook (CSRF included) reads the body."""

    @property
    def max_content_length(self) -> int | None:
        if self.blueprint == "respond":
            return int(current_app.config["PUBLIC_MAX_CONTENT_LENGTH"])
        return super().max_content_length

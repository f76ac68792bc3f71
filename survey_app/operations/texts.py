"""Translated messages for operations that also run from the command line.

In a request the text is translated into the user's language; outside one (the CLI,
scripts) the English text is used, without asking Flask-Babel for a request's locale.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(text: str, **params: object) -> str:
    """``gettext`` in a request; the English text, filled in, elsewhere."""
    if has_request_context():
        return gettext(text, **params)
    return text % params if params else text

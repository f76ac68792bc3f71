"""gzip for every text response: residents are on 2G/3G links."""

from __future__ import annotations

from flask import Flask, Response, request

from survey_app.extensions import compress


def init_app(app: Flask) -> None:
    compress.init_app(app)
    # Registered after Flask-Compress, so it runs before it (after_request runs in reverse).
    # Flask-Compress streams passthrough files with its own algorithm list and leaves the file
    # for the garbage collector; our static files are small, so read them into memory and let
    # them be compressed like any other response.
    app.after_request(_buffer_static_files)


def _buffer_static_files(response: Response) -> Response:
    if request.endpoint == "static" and response.direct_passthrough:
        body = response.response
        response.direct_passthrough = False
        try:
            response.set_data(b"".join(body))
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
    return response

"""gzip for every text response: residents are on 2G/3G links."""

from __future__ import annotations

import gzip

from flask import Flask, Response, current_app, request

from survey_app.extensions import compress


def init_app(app: Flask) -> None:
    compress.init_app(app)
    # Registered after Flask-Compress, so it runs before it (after_request runs in reverse).
    # Flask-Compress streams passthrough files with its own algorithm list and leaves the file
    # for the garbage collector; our static files are small, so read them into memory and let
    # them be compressed like any other response.
    app.after_request(_buffer_static_files)
    # Flask-Compress leaves every non-2xx response alone, but a resident's "please check the
    # marked answers" page is a 422 of 32 KB: error pages are gzipped here instead.
    app.after_request(_compress_error_pages)


def _compress_error_pages(response: Response) -> Response:
    config = current_app.config
    if (
        400 <= response.status_code < 600
        and not response.direct_passthrough
        and not response.is_streamed
        and "Content-Encoding" not in response.headers
        and response.mimetype in config["COMPRESS_MIMETYPES"]
        and "gzip" in request.accept_encodings
        and (response.content_length or 0) >= config["COMPRESS_MIN_SIZE"]
    ):
        response.set_data(gzip.compress(response.get_data(), compresslevel=config["COMPRESS_LEVEL"]))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
    return response


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

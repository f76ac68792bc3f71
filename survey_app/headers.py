"""Security headers on every response, and the client's address behind a reverse proxy.

Flask-Talisman sets the headers: a Content-Security-Policy that allows only our own files (no
inline script or style anywhere, so none is allowed), no framing at all (the one-button
confirmation pages must not be clickjacked), ``nosniff``, a same-origin referrer, and in
production HTTPS only, with HSTS.

Behind ``TRUSTED_PROXIES`` reverse proxies (nginx in front of gunicorn), Werkzeug's ProxyFix
takes the client address and scheme from their ``X-Forwarded-*`` headers, so each village
hall keeps its own rate limit. With no proxy those headers are ignored: anyone can send them.
"""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "default-src": SELF,
    "script-src": SELF,
    "style-src": SELF,
    "img-src": [SELF, "data:"],  # QR codes on the posters are data: images
    "connect-src": SELF,  # the resident form's JSON submit and the service worker's fetches
    "worker-src": SELF,
    "manifest-src": SELF,
    "font-src": SELF,
    "object-src": "'none'",
    "base-uri": SELF,
    "form-action": SELF,
    "frame-ancestors": "'none'",
}
# Pages made to be saved and printed offline (the QR posters) carry their own <style>.
SELF_CONTAINED_PAGE = {**CONTENT_SECURITY_POLICY, "style-src": [SELF, "'unsafe-inline'"]}

talisman = Talisman()


def init_app(app: Flask) -> None:
    production = app.config["SURVEY_ENV"] == "production"
    talisman.init_app(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
        force_https=production,
        strict_transport_security=production,
        session_cookie_secure=production,
        session_cookie_samesite="Lax",
    )
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,  # type: ignore[method-assign]
                                x_port=proxies)

"""The console's navigation bar, derived from the routes' own access decisions.

A link shows when its endpoint exists and the signed-in user's role may open it, so the
menu can never offer a page the server would refuse, nor hide one it would serve.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# (endpoint of the link, label, endpoint prefixes of the pages that belong to its section)
NAV = [
    ("admin.index", _l("Rounds"), ("admin.index", "admin.round")),
    ("admin.progress_index", _l("Progress"), ("admin.progress",)),
    ("entry.index", _l("Paper entry"), ("entry.index", "entry.key", "entry.entry", "entry.serial",
                                        "entry.template", "entry.upload", "entry.settings")),
    ("entry.reconciliation", _l("Reconciliation"), ("entry.reconcil", "entry.queue", "entry.quality",
                                                    "entry.response")),
    ("downloads.index", _l("Reports"), ("downloads.",)),
    ("admin.villages", _l("Villages"), ("admin.village", "admin.area")),
    ("admin.users", _l("Users"), ("admin.user",)),
    ("admin.audit", _l("Audit"), ("admin.audit",)),
]


def nav_links() -> list[tuple[str, object, bool]]:
    """(endpoint, label, is the current section) for each link the current user may follow."""
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    here = request.endpoint or ""
    return [(endpoint, label, here.startswith(section)) for endpoint, label, section in NAV
            if endpoint in views and _allows(getattr(views[endpoint], "access", None), current_user.role)]


def _allows(access: object, role: object) -> bool:
    return isinstance(access, frozenset) and role in access


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"nav_links": nav_links})

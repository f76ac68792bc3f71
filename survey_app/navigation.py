"""The console's navigation bar, derived from the routes' own access decisions.

A link shows when its endpoint exists and the signed-in user's role may open it, so the
menu can never offer a page the server would refuse, nor hide one it would serve.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# (endpoint of the link, label, the endpoints of the pages in its section; "blueprint." names a
# whole blueprint). Exact names, not prefixes: "entry.response" must not claim "entry.responses".
NAV = [
    ("admin.index", _l("Rounds"), ("admin.index", "admin.round_new", "admin.round_page", "admin.round_links",
                                   "admin.round_posters", "admin.round_print", "admin.round_goal",
                                   "admin.round_weights", "admin.round_settings", "admin.round_step",
                                   "admin.round_retention", "admin.round_retention_confirm",
                                   "admin.round_free_text_mode", "admin.free_text_reviews", "admin.free_text_decide",
                                   "admin.preview_round", "admin.preview_version", "admin.preview_check")),
    ("admin.progress_index", _l("Progress"), ("admin.progress_index", "admin.progress", "admin.progress_csv")),
    ("entry.index", _l("Paper entry"), ("entry.index", "entry.key", "entry.entry", "entry.serial_check",
                                        "entry.print_page", "entry.template", "entry.upload", "entry.settings",
                                        "entry.responses", "entry.response", "entry.delete")),
    ("entry.reconciliation", _l("Reconciliation"), ("entry.reconciliation", "entry.reconcile_form", "entry.queue",
                                                    "entry.quality")),
    ("downloads.index", _l("Reports"), ("downloads.",)),
    ("admin.villages", _l("Villages"), ("admin.villages", "admin.villages_import", "admin.village_target",
                                        "admin.area_target")),
    ("admin.users", _l("Users"), ("admin.users", "admin.user_new", "admin.user_edit", "admin.user_access",
                                  "admin.user_deactivate", "admin.user_reactivate", "admin.user_data",
                                  "admin.user_anonymise")),
    ("admin.audit", _l("Audit"), ("admin.audit", "admin.audit_csv")),
]


def nav_links() -> list[tuple[str, object, bool]]:
    """(endpoint, label, is the current section) for each link the current user may follow."""
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    here = request.endpoint or ""
    return [(endpoint, label, _within(here, section)) for endpoint, label, section in NAV
            if endpoint in views and _allows(getattr(views[endpoint], "access", None), current_user.role)]


def _within(endpoint: str, section: tuple[str, ...]) -> bool:
    return any(endpoint == name or (name.endswith(".") and endpoint.startswith(name)) for name in section)


def _allows(access: object, role: object) -> bool:
    return isinstance(access, frozenset) and role in access


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"nav_links": nav_links})

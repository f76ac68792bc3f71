"""Administrators' and coordinators' console: one module per page family.

rounds (lifecycle, round page), free_text (redacting or reviewing free text), progress
(dashboard, quality signals), villages (import, browse, targets), users (accounts,
invitations), audit (the trail, read-only), preview (the residents' form, storing nothing).
"""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from survey_app.admin import audit, free_text, preview, progress, rounds, users, villages  # noqa: E402,F401

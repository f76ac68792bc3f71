"""Typed SQLAlchemy 2.0 models. Import them from here."""

from survey_app.models.audit import AuditEvent
from survey_app.models.geo import Area, AreaLevel, Village, code_in_scope, covers
from survey_app.models.responses import Mode, Response
from survey_app.models.rounds import QuestionnaireVersion, Round, RoundScope, RoundStatus
from survey_app.models.users import Role, User, UserScope

__all__ = [
    "Area",
    "AreaLevel",
    "AuditEvent",
    "Mode",
    "QuestionnaireVersion",
    "Response",
    "Role",
    "Round",
    "RoundScope",
    "RoundStatus",
    "User",
    "UserScope",
    "Village",
    "code_in_scope",
    "covers",
]

"""Typed SQLAlchemy 2.0 models. Import them from here."""

from survey_app.models.audit import AuditEvent
from survey_app.models.context import PopulationCount, RecordedCrime
from survey_app.models.geo import Area, AreaLevel, Village, code_in_scope, covers
from survey_app.models.goals import Goal
from survey_app.models.jobs import Job, JobKind, JobStatus
from survey_app.models.paper import (
    FINAL_STATUSES,
    Correction,
    DecisionSource,
    EntrySource,
    FormStatus,
    PaperEntry,
    PaperForm,
    PrintedSerial,
    ReconciliationDecision,
)
from survey_app.models.responses import ConsentText, FreeTextReview, Mode, Response
from survey_app.models.rounds import (
    DoubleEntry,
    FreeTextMode,
    QuestionnaireVersion,
    Round,
    RoundScope,
    RoundStatus,
    SerialScope,
)
from survey_app.models.summaries import PlaceSummary, RetainedSums, SummaryDirty, SummaryLevel, VillageCount
from survey_app.models.users import Role, User, UserScope

__all__ = [
    "FINAL_STATUSES",
    "Area",
    "AreaLevel",
    "AuditEvent",
    "ConsentText",
    "Correction",
    "DecisionSource",
    "DoubleEntry",
    "EntrySource",
    "FormStatus",
    "FreeTextMode",
    "FreeTextReview",
    "Goal",
    "Job",
    "JobKind",
    "JobStatus",
    "Mode",
    "PaperEntry",
    "PaperForm",
    "PlaceSummary",
    "PopulationCount",
    "PrintedSerial",
    "QuestionnaireVersion",
    "ReconciliationDecision",
    "RecordedCrime",
    "RetainedSums",
    "Response",
    "Role",
    "Round",
    "RoundScope",
    "RoundStatus",
    "SerialScope",
    "SummaryDirty",
    "SummaryLevel",
    "User",
    "UserScope",
    "Village",
    "VillageCount",
    "code_in_scope",
    "covers",
]

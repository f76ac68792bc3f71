"""Read side of the audit trail: filtering events, and writing them as CSV.

Dates in filters are calendar dates where the survey runs (``TIMEZONE``), both ends
inclusive; events are stored in UTC, so a day becomes a half-open UTC interval.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from reports.export import csv_text
from survey_app import clock
from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.reporting.service import DOWNLOADED

PER_PAGE = 50
DETAILS_SHOWN = 200  # characters of details in the table; the CSV has them whole
CSV_HEADER = ("actor", "actor_id", "action", "object_type", "object_id", "details")
"""After the time, whose column names its zone (``occurred_at_wib``)."""


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    individual: bool = False
    """Only downloads of individual-level data: what a breach report must list."""

    def as_dict(self) -> dict[str, str]:
        """The filters in use, for the export's own audit event."""
        values = {"actor": self.actor, "action": self.action,
                  "date_from": self.date_from.isoformat() if self.date_from else "",
                  "date_to": self.date_to.isoformat() if self.date_to else "",
                  "individual": "yes" if self.individual else ""}
        return {key: value for key, value in values.items() if value}


def events_query(filters: AuditFilters, zone: str) -> sa.Select[tuple[AuditEvent]]:
    """Matching events, newest first (id breaks ties within one transaction)."""
    query = sa.select(AuditEvent)
    if filters.actor:
        query = query.where(AuditEvent.actor.icontains(filters.actor.strip(), autoescape=True))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.individual:
        query = query.where(individual_level())
    if filters.date_from:
        query = query.where(AuditEvent.occurred_at >= clock.day_start(filters.date_from, zone))
    if filters.date_to:
        query = query.where(AuditEvent.occurred_at < clock.day_start(filters.date_to + timedelta(days=1), zone))
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def individual_level() -> sa.ColumnElement[bool]:
    """Downloads that handed out individual-level data: raw exports of responses, and any
    report or job with free-text answers (``record_download``'s details say which)."""
    return sa.and_(
        AuditEvent.action == DOWNLOADED,
        sa.or_(AuditEvent.details["what"].as_string() == "responses",
               AuditEvent.details["free_text"].as_boolean().is_(True)),
    )


def distinct_actions() -> list[str]:
    """Every action recorded so far, for the filter's select."""
    return list(db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def details_json(details: Any) -> str:
    """A stored value as one line of JSON, keys sorted so equal events read the same. False,
    0, empty lists and null are shown as stored, never as ``{}``."""
    return json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compact_details(details: dict[str, Any] | None) -> str:
    """``key=value`` pairs, cut for the table."""
    text = ", ".join(
        f"{key}={value if isinstance(value, str) else details_json(value)}"
        for key, value in sorted((details or {}).items())
    )
    return text if len(text) <= DETAILS_SHOWN else text[: DETAILS_SHOWN - 1] + "…"


def csv_row(event: AuditEvent) -> list[Any]:
    return [
        clock.local(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
        event.actor,
        event.actor_id,
        event.action,
        event.object_type,
        event.object_id,
        details_json(event.details if event.details is not None else {}),
    ]


def csv_chunks(events: Iterable[AuditEvent], chunk_rows: int = 500) -> Iterator[str]:
    """The CSV as text chunks (a BOM first, so Excel reads UTF-8); every text cell neutralised.

    Actor labels come from whatever was typed at the sign-in form, so ``=HYPERLINK(...)``
    is a real possibility: ``csv_text`` writes such a cell with a leading apostrophe.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([f"occurred_at_{clock.zone_label().lower()}", *CSV_HEADER])
    for number, event in enumerate(events, start=1):
        writer.writerow([csv_text(value) for value in csv_row(event)])
        if number % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

"""The installation's calendar date: rounds open and close by local dates, not UTC ones.

A round closing on the 30th must stop taking answers at midnight local time: in Jakarta
(UTC+7) that is 17:00 UTC on the 30th, in Papua (UTC+9) 15:00 UTC. ``TIMEZONE`` names
the zone (default Asia/Jakarta); pandas already brings the tzdata package, so the zone
database does not depend on the operating system. Times are stored in UTC and shown in
that zone, labelled (WIB, WITA, WIT), on every page and in the staff's CSVs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from survey_app.models._types import as_utc


def _zone(zone: str | None) -> ZoneInfo:
    """``zone``, or the installation's ``TIMEZONE``."""
    return ZoneInfo(zone or current_app.config["TIMEZONE"])


def today() -> date:
    """Today's date where the survey runs."""
    return datetime.now(UTC).astimezone(_zone(None)).date()


def day_start(day: date, zone: str | None = None) -> datetime:
    """The UTC instant local ``day`` begins: date filters are local dates, both ends inclusive."""
    return datetime.combine(day, time.min, tzinfo=_zone(zone)).astimezone(UTC)


def local(moment: datetime, zone: str | None = None) -> datetime:
    """``moment`` (aware, or naive UTC as SQLite hands it back) in the survey's zone."""
    return as_utc(moment).astimezone(_zone(zone))


def zone_label(zone: str | None = None) -> str:
    """The zone's short name as people say it: WIB, WITA or WIT in Indonesia."""
    return datetime.now(UTC).astimezone(_zone(zone)).strftime("%Z")


def shown(moment: datetime | None, seconds: bool = False) -> str:
    """A stored time as staff read it on a page: local, with the zone's name."""
    if moment is None:
        return ""
    return local(moment).strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def init_app(app: Flask) -> None:
    """``{{ moment|when }}`` in every template: one way to show a time, so no page shows UTC
    beside another's local time."""
    app.add_template_filter(shown, "when")

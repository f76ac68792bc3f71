"""The installation's calendar date: rounds open and close by local dates, not UTC ones.

A round closing on the 30th must stop taking answers at midnight local time: in Jakarta
(UTC+7) that is 17:00 UTC on the 30th, in Papua (UTC+9) 15:00 UTC. ``TIMEZONE`` names
the zone (default Asia/Jakarta); pandas already brings the tzdata package, so the zone
database does not depend on the operating system.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def today() -> date:
    """Today's date where the survey runs."""
    return datetime.now(UTC).astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()

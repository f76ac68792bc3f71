"""Report downloads behind login: village workbooks, zips of an area, the area overview and
the raw export (the long ones through queued jobs). Every download is written to the audit log."""

from flask import Blueprint

bp = Blueprint("downloads", __name__)

from survey_app.downloads import jobs, routes  # noqa: E402,F401

"""The few private parts of libraries the code relies on, each named with the one module that
uses it: an upgrade that moves one fails here, by name, instead of silently somewhere else.

Public APIs serve everywhere else. These stay because each buys a measured cost back (see the
module's docstring); if one of these tests fails after an upgrade, adapt that module, or drop
the optimisation and go back to the library's public behaviour.
"""

from __future__ import annotations

import io
import zipfile

import flask_limiter
import openpyxl
import pytest
from limits.storage import MemoryStorage
from openpyxl.cell import _writer as cell_writer
from openpyxl.worksheet import _writer as worksheet_writer


def test_limits_memory_storage_still_has_the_expiry_hooks_survey_app_ratelimit_overrides():
    """survey_app/ratelimit.py: ``InlineMemoryStorage`` replaces the per-request timer thread."""
    for name in ("_MemoryStorage__schedule_expiry", "_MemoryStorage__expire_events"):
        assert callable(getattr(MemoryStorage, name, None)), f"limits moved MemoryStorage.{name}"


def test_flask_limiter_still_installs_its_site_wide_pass_as_survey_app_ratelimit_expects(app):
    """survey_app/ratelimit.py takes ``Limiter._check_request_limit`` out of the before-request
    hooks when no site-wide limit exists; the route decorators call it themselves."""
    assert callable(getattr(flask_limiter.Limiter, "_check_request_limit", None))
    from survey_app.extensions import limiter

    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])
    probe = flask_limiter.Limiter(key_func=lambda: "probe", storage_uri="memory://")
    other = type(app)("probe")
    probe.init_app(other)
    assert probe._check_request_limit in other.before_request_funcs[None], "the hook is installed elsewhere now"


@pytest.mark.parametrize(
    ("module", "name"),
    [
        (worksheet_writer, "WorksheetWriter"),
        (cell_writer, "write_cell"),
    ],
)
def test_openpyxl_still_has_the_writers_reports_workbook_saving_builds_on(module, name):
    """reports/workbook/saving.py: sheets serialised in memory, cell rows written as text."""
    assert callable(getattr(module, name, None)), f"openpyxl moved {module.__name__}.{name}"


def test_openpyxl_writers_still_have_the_parts_saving_overrides_and_calls():
    from openpyxl.writer.excel import ExcelWriter

    for name in ("write_rows", "rows", "write", "read", "get_stream"):
        assert callable(getattr(worksheet_writer.WorksheetWriter, name, None)), f"openpyxl changed {name}"
    assert callable(getattr(ExcelWriter, "write_worksheet", None)), "openpyxl changed ExcelWriter.write_worksheet"
    ws = openpyxl.Workbook().active
    for name in ("_charts", "_images"):
        assert hasattr(ws, name), f"openpyxl's Worksheet has no {name} any more"
    excel = ExcelWriter(ws.parent, zipfile.ZipFile(io.BytesIO(), "w"))
    for name in ("_archive", "manifest"):
        assert hasattr(excel, name), f"openpyxl's ExcelWriter has no {name} any more"
    writer = worksheet_writer.WorksheetWriter(ws)
    assert hasattr(writer, "_rels"), "openpyxl's WorksheetWriter keeps its relationships elsewhere now"
    xf = writer.xf.send(True)
    assert hasattr(xf, "_file"), "et_xmlfile's xmlfile no longer exposes the text writer saving.py writes to"

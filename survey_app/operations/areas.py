"""Checks on area codes given by users (round and user scopes)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Area, Village
from survey_app.operations import OperationError
from survey_app.operations.texts import _


def parse_scope_text(text: str) -> list[str]:
    """Area codes typed in one box, separated by spaces, commas, semicolons or newlines."""
    return [code for code in re.split(r"[\s,;]+", text or "") if code]


def check_area_codes(codes: list[str]) -> list[str]:
    """Return the distinct codes, refusing any that is not a known area or village."""
    wanted = sorted({code.strip() for code in codes if code.strip()})
    if not wanted:
        return []
    known = set(db.session.scalars(sa.select(Area.code).where(Area.code.in_(wanted))))
    known |= set(db.session.scalars(sa.select(Village.code).where(Village.code.in_(wanted))))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise OperationError(_(
            "Unknown area or village code(s): %(codes)s. Import the villages first, "
            "or check the code (for example 32.73.01).", codes=", ".join(unknown)))
    return wanted


CODE_RE = re.compile(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?")
MAX_CODE_LIST_BYTES = 2_000_000


def parse_code_list(data: bytes, filename: str = "list") -> list[str]:
    """Area or village codes from an uploaded list: the first cell of each line, a header
    row (``code``/``kode``) skipped; a line that is not a code is refused by its number."""
    if len(data) > MAX_CODE_LIST_BYTES:
        raise OperationError(_("%(file)s is larger than 2 MB; upload a list of codes only.", file=filename))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OperationError(_("%(file)s is not UTF-8 text; save it as \"CSV UTF-8\".", file=filename)) from None
    codes, bad = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        cell = re.split(r"[,;\t]", line, maxsplit=1)[0].strip().strip('"').strip()
        if not cell or (number == 1 and cell.lower() in ("code", "kode")):
            continue
        if CODE_RE.fullmatch(cell):
            codes.append(cell)
        else:
            bad.append(str(number))
    if bad:
        raise OperationError(_("%(file)s, line(s) %(lines)s: not an area or village code (like 32.73.01.1001).",
                               file=filename, lines=", ".join(bad[:20]) + (" …" if len(bad) > 20 else "")))
    if not codes:
        raise OperationError(_("%(file)s holds no codes.", file=filename))
    return codes

"""Printing paper questionnaires: serials reserved for the forms of a print run, and the PDF.

A serial is "<village code>-<running number>" (``32.73.01.1001-0007``), numbered per village
and round, so a second run continues where the first stopped. Reserving flushes and audits;
the caller commits, after the PDF is written, so a run that fails reserves nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

import sqlalchemy as sa

from survey_app import audit, questionnaires
from survey_app.extensions import db
from survey_app.models import PaperForm, PrintedSerial, Round, User, Village, code_in_scope
from survey_app.operations import OperationError
from survey_app.operations.responses import keep_consent_text
from survey_app.printing.pdf import FormCopy, PrintOptions, write_forms
from survey_app.questionnaire.consent import Consent

MAX_FORMS_PER_VILLAGE = 2000
"""A village round is a few hundred forms at most; more in one run is a typo."""


@dataclass(frozen=True)
class PrintRun:
    """What was printed: the serials reserved (none for blank forms) and pages per form."""

    serials: tuple[str, ...]
    forms: int
    pages_per_form: int


def serial_of(village_code: str, number: int) -> str:
    """The serial printed on a village's ``number``-th form."""
    return f"{village_code}-{number:04d}"


def reserve_serials(round_: Round, villages: Sequence[Village], count: int, actor: User | str,
                    consent: Consent | None = None) -> list[FormCopy]:
    """``count`` new serials for each village, continuing each village's numbering; each
    remembers the ``consent`` text printed on it."""
    if not 1 <= count <= MAX_FORMS_PER_VILLAGE:
        raise OperationError(f"Print between 1 and {MAX_FORMS_PER_VILLAGE} forms per village.")
    # One print run at a time per round: PostgreSQL locks the round's row; SQLite's write
    # transaction (BEGIN IMMEDIATE) already is one at a time.
    db.session.execute(sa.select(Round.id).where(Round.id == round_.id).with_for_update())
    last = dict(db.session.execute(
        sa.select(PrintedSerial.village_id, sa.func.max(PrintedSerial.number))
        .where(PrintedSerial.round_id == round_.id).group_by(PrintedSerial.village_id)
    ).tuples().all())
    who = actor.email if isinstance(actor, User) else actor
    copies: list[FormCopy] = []
    rows = []
    for village in villages:
        start = last.get(village.id, 0) + 1
        for number in range(start, start + count):
            serial = serial_of(village.code, number)
            rows.append({"round_id": round_.id, "village_id": village.id, "number": number, "serial": serial,
                         "printed_by": who, "consent_hash": consent.hash if consent is not None else None})
            copies.append(FormCopy(serial, village.code, village.name))
    db.session.execute(sa.insert(PrintedSerial), rows)
    audit.record("paper.printed", actor=actor, object_type="round", object_id=round_.id,
                 forms=len(rows), villages=len(villages), first=rows[0]["serial"] if rows else None,
                 last=rows[-1]["serial"] if rows else None)
    return copies


def print_forms(round_: Round, villages: Sequence[Village], count: int, lang: str,
                out: BinaryIO | str | os.PathLike[str], actor: User | str, second_lang: str | None = None) -> PrintRun:
    """Print ``count`` numbered forms for each village (blank forms without villages) to ``out``."""
    questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    for language in (lang, second_lang):
        if language is not None and language not in questionnaire.languages:
            raise OperationError(f"The questionnaire {questionnaire.ref} has no language '{language}'; "
                                 f"choose one of {', '.join(questionnaire.languages)}.")
    if second_lang == lang:
        second_lang = None
    consent = questionnaires.catalog().consent(round_.questionnaire_key)
    if consent is not None:  # what a printed form's consent hash names stays readable
        keep_consent_text(db.session.connection(), round_.questionnaire_key, consent)
    if villages:
        copies = reserve_serials(round_, villages, count, actor, consent)
    else:
        if not 1 <= count <= MAX_FORMS_PER_VILLAGE:
            raise OperationError(f"Print between 1 and {MAX_FORMS_PER_VILLAGE} forms.")
        copies = [FormCopy(None)] * count
    pages = write_forms(questionnaire, copies, PrintOptions(lang, second_lang, round_.name, consent), out)
    return PrintRun(tuple(c.serial for c in copies if c.serial), len(copies), pages)


def printed_serial(round_: Round, serial: str) -> PrintedSerial | None:
    """The reservation of ``serial`` in ``round_``, if the platform printed it."""
    return db.session.scalar(sa.select(PrintedSerial).where(PrintedSerial.round_id == round_.id,
                                                            PrintedSerial.serial == serial))


def has_printed_serials(round_: Round) -> bool:
    """Whether the platform printed any form for the round (asked as a serial is typed)."""
    return bool(db.session.scalar(sa.select(sa.exists().where(PrintedSerial.round_id == round_.id))))


def printed_and_keyed(round_: Round, scope: Sequence[str] = ()) -> tuple[int, int]:
    """Forms printed for the round (in the villages under ``scope``, all when empty), and how
    many of those have been keyed."""
    where = [PrintedSerial.round_id == round_.id]
    if scope:
        where.append(PrintedSerial.village_id.in_(sa.select(Village.id).where(code_in_scope(Village.code, scope))))
    printed = db.session.scalar(sa.select(sa.func.count()).select_from(PrintedSerial).where(*where)) or 0
    keyed = db.session.scalar(
        sa.select(sa.func.count()).select_from(PrintedSerial)
        .join(PaperForm, sa.and_(PaperForm.round_id == PrintedSerial.round_id,
                                 PaperForm.serial == PrintedSerial.serial))
        .where(*where)
    ) or 0
    return printed, keyed

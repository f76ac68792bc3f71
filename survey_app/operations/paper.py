"""Paper forms keyed by volunteers: first and second entries, comparison, finalising.

A form becomes a ``Response`` (mode paper) only when final, so reports read verified
data only: a single entry when the round does not ask a second entry of this form; two
matching entries; or a coordinator's reconciliation (``operations.reconcile``).
Writes flush and audit; callers commit. Problems raise ``EntryInvalid`` (field ->
message, nothing written) or ``EntryForbidden`` (the server refuses, whatever the UI showed).
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.exc import IntegrityError

from survey_app import audit, clock, questionnaires
from survey_app.answer_messages import translate_errors
from survey_app.extensions import db
from survey_app.models import (
    DoubleEntry,
    EntrySource,
    FormStatus,
    FreeTextMode,
    Mode,
    PaperEntry,
    PaperForm,
    PrintedSerial,
    Round,
    SerialScope,
    User,
    Village,
    code_in_scope,
    covers,
)
from survey_app.operations import OperationError
from survey_app.operations.keying import BLANK, KEY_REQUIRED, KeyedResult, key_answers
from survey_app.operations.responses import StoreOutcome, keep_consent_text, store_response
from survey_app.operations.texts import _
from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.consent import Consent

# Header fields: names that can never be question ids (those start with a letter).
VILLAGE, SERIAL, DATE, INTERVIEWER, CONSENT = "_village", "_serial", "_date", "_interviewer", "_consent"
HEADER_FIELDS = (VILLAGE, SERIAL, DATE, INTERVIEWER, CONSENT)
# What a volunteer types when the paper's consent box is ticked. Only such forms are keyed
# (UU 27/2022: no answers without consent), so the two entries cannot differ on it.
CONSENT_GIVEN = "1"
# Header fields the two entries must agree on (village and serial identify the form).
COMPARED_HEADER = (DATE, INTERVIEWER)

SERIAL_RE = re.compile(r"[A-Z0-9][A-Z0-9./_-]{0,31}")
INTERVIEWER_RE = re.compile(r"[A-Za-z0-9./_-]{1,32}")
# Response.submission_key of a paper form: derived from the form, so finalising twice
# can never store two responses.
PAPER_NAMESPACE = uuid.UUID("6f0b7d3e-2a51-4c1e-9a7e-5d3c1b2a9f10")
_draw = random.SystemRandom()


class EntryInvalid(OperationError):
    """Keyed values that cannot be saved; ``errors`` maps a field name to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


class EntryForbidden(OperationError):
    """The user may not do this to this form (scope, or keying both entries)."""


# ---------------------------------------------------------------------------
# Who may key what


def may_key(user: User | None, round_: Round, village: Village) -> bool:
    """True when the village is in the round and in the user's scope (no user: the CLI)."""
    in_round = covers(round_.scope_prefixes, village.code)
    return in_round and (user is None or covers(user.scope_prefixes, village.code))


def entry_villages(user: User | None, round_: Round) -> list[Village]:
    """Villages of the round that the user may key, by code."""
    query = sa.select(Village).where(code_in_scope(Village.code, round_.scope_prefixes))
    if user is not None:
        query = query.where(code_in_scope(Village.code, user.scope_prefixes))
    return list(db.session.scalars(query.order_by(Village.code)))


def entry_rounds(user: User) -> list[Round]:
    """Rounds taking paper entry (open, or closed while paper may finish) with at least one
    village the user may key."""
    today = clock.today()
    rounds = db.session.scalars(sa.select(Round).order_by(Round.created_at, Round.id))
    return [round_ for round_ in rounds if round_.takes_paper(today) and entry_villages(user, round_)]


def scoped_forms(user: User, round_: Round) -> sa.Select[tuple[PaperForm]]:
    """The round's paper forms in villages within the user's scope."""
    return (
        sa.select(PaperForm).join(Village, PaperForm.village_id == Village.id)
        .where(PaperForm.round_id == round_.id, code_in_scope(Village.code, user.scope_prefixes))
    )


# ---------------------------------------------------------------------------
# The header


@dataclass(frozen=True)
class Header:
    """The block at the top of a paper form, as checked."""

    village: Village
    serial: str
    interview_date: date | None
    interviewer_code: str | None
    consent: Consent | None = None
    """The questionnaire's consent, ticked on the paper; None when it asks none."""


def normalise_serial(text: str) -> str:
    """Serials are compared without surrounding space and case: 'a-12 ' is 'A-12'."""
    return text.strip().upper()


def parse_date_text(text: str) -> date | None:
    """An interview date written YYYY-MM-DD; empty is allowed; raises ValueError."""
    text = text.strip()
    return date.fromisoformat(text) if text else None


def check_interview_date(text: str) -> tuple[date | None, str | None]:
    """(the date, None) or (None, why not): YYYY-MM-DD, not after today where the survey runs."""
    try:
        interview_date = parse_date_text(text)
    except ValueError:
        return None, _("Write the interview date as YYYY-MM-DD.")
    if interview_date and interview_date > clock.today():
        return None, _("The interview date is in the future.")
    return interview_date, None


def check_interviewer(text: str) -> tuple[str | None, str | None]:
    """(the code or None when empty, None) or (None, why not)."""
    interviewer = text.strip() or None
    if interviewer and not INTERVIEWER_RE.fullmatch(interviewer):
        return None, _("An interviewer code has at most 32 letters, digits and . / _ - characters.")
    return interviewer, None


def check_consent(consent: Consent | None, text: str) -> str | None:
    """Why a form cannot be keyed for want of consent, or None. A questionnaire that asks
    consent needs its box ticked on the paper: a form without it is put aside, never keyed."""
    if consent is None:
        return None
    text = text.strip()
    if text == CONSENT_GIVEN:
        return None
    if text:
        return _("The consent box is not ticked on this form: it cannot be keyed. Put it aside; its answers "
                 "may not be used.")
    return _("Type %(given)s if the consent box on the paper is ticked. A form without consent cannot be "
             "keyed.", given=CONSENT_GIVEN)


def keeps_redacted(round_: Round) -> bool:
    """Whether keyings of the round's free text are redacted as typed; a round that reviews
    free text keeps them as typed, and redacts the response made from them."""
    return round_.free_text_mode is FreeTextMode.REDACT


def round_consent(round_: Round) -> Consent | None:
    """The consent the round's questionnaire asks before its questions, on paper as on the web."""
    return questionnaires.catalog().consent(round_.questionnaire_key)


def find_village(code: str) -> Village | None:
    return db.session.scalar(sa.select(Village).where(Village.code == code)) if code else None


def check_header(user: User | None, round_: Round, typed: Mapping[str, Any],
                 villages: Mapping[str, Village] | None = None,
                 printed_for: Mapping[str, Village] | None = None) -> tuple[Header | None, dict[str, str]]:
    """The checked header, or the problems by field name. Scope is checked here, on the server.

    ``villages`` and ``printed_for`` (``printed_villages``) spare a file of many rows a query
    per row; without them the row's village and pre-printed serial are looked up."""
    errors: dict[str, str] = {}
    code = str(typed.get(VILLAGE) or "").strip()
    typed_serial = normalise_serial(str(typed.get(SERIAL) or ""))
    printed = (printed_for.get(typed_serial) if printed_for is not None
               else _printed_village(round_, typed_serial))
    if printed is not None and not code:
        code = printed.code  # a pre-printed serial names its village
    village = villages.get(code) if villages is not None else find_village(code)
    if not code:
        errors[VILLAGE] = _("Choose the village.")
    elif village is None or not may_key(user, round_, village):
        errors[VILLAGE] = _("Village %(code)s is not one of your villages in this round.", code=code)
    serial = normalise_serial(str(typed.get(SERIAL) or ""))
    if printed is not None and printed.code != code:
        errors[SERIAL] = _("Serial %(serial)s was printed for %(village)s (%(code)s). Check the serial and the "
                           "village on the paper.", serial=serial, village=printed.name, code=printed.code)
    if not serial:
        errors[SERIAL] = _("Type the serial number written on the paper form.")
    elif not SERIAL_RE.fullmatch(serial):
        errors[SERIAL] = _("A serial has at most 32 letters, digits and . / _ - characters.")
    interview_date, problem = check_interview_date(str(typed.get(DATE) or ""))
    if problem:
        errors[DATE] = problem
    interviewer, problem = check_interviewer(str(typed.get(INTERVIEWER) or ""))
    if problem:
        errors[INTERVIEWER] = problem
    consent = round_consent(round_)
    problem = check_consent(consent, str(typed.get(CONSENT) or ""))
    if problem:
        errors[CONSENT] = problem
    if errors or village is None:
        return None, errors
    return Header(village, serial, interview_date, interviewer, consent), {}


_PRINTED = sa.select(Village).join(PrintedSerial, PrintedSerial.village_id == Village.id)


def _printed_village(round_: Round, serial: str) -> Village | None:
    """The village a pre-printed serial was printed for; None for a serial written by hand."""
    if not serial:
        return None
    return db.session.scalar(_PRINTED.where(PrintedSerial.round_id == round_.id, PrintedSerial.serial == serial))


def printed_villages(round_: Round) -> dict[str, Village]:
    """Every pre-printed serial of the round -> its village, read once for a file of many rows."""
    return dict(db.session.execute(
        sa.select(PrintedSerial.serial, Village).join(Village, PrintedSerial.village_id == Village.id)
        .where(PrintedSerial.round_id == round_.id)).tuples().all())



def answer_errors(result: KeyedResult) -> dict[str, str]:
    """The keying errors in the interface language."""
    errors: dict[str, str] = {}
    for question_id, (template, params) in result.errors.items():
        if template == KEY_REQUIRED:
            errors[question_id] = _("Type the code from the paper, or %(blank)s if it was left blank.", blank=BLANK)
        elif has_request_context():
            errors.update(translate_errors({question_id: (template, params)}))
        else:  # the command line speaks English
            errors[question_id] = template.format(**params)
    return errors


# ---------------------------------------------------------------------------
# Saving an entry


class SaveOutcome:
    """What saving an entry did, for the volunteer's confirmation line."""

    FIRST = "first"  # awaiting a second entry
    SINGLE = "single"  # final at once: counted
    VERIFIED = "verified"  # second entry matched: counted
    RECONCILIATION = "reconciliation"  # second entry differed: a coordinator decides


@dataclass(frozen=True)
class Saved:
    form: PaperForm
    entry: PaperEntry
    outcome: str


def find_form(round_: Round, serial: str, village_id: int | None) -> PaperForm | None:
    """The form keyed under this serial (compared as ``normalise_serial`` does) where the
    round wants serials unique: in this village, or anywhere in the round. Without a village
    a per-village serial names no form yet."""
    if village_id is None and round_.serial_scope is SerialScope.VILLAGE:
        return None
    return db.session.scalar(
        sa.select(PaperForm).where(PaperForm.round_id == round_.id,
                                   PaperForm.serial_scope_id == round_.serial_scope_id(village_id or 0),
                                   PaperForm.serial == normalise_serial(serial))
    )


class SerialState:
    """What a typed serial means for the person keying it; only NEW and SECOND may be saved."""

    NEW = "new"  # no form yet: this is the first entry
    SECOND = "second"  # awaiting its second entry, and this person did not key the first
    TAKEN = "taken"  # the serial belongs to another village (or one outside the person's area)
    DONE = "done"  # the form needs no more entries
    OWN = "own"  # this person keyed the first entry; someone else must key the second


def serial_state(user: User | None, form: PaperForm | None, village_code: str) -> tuple[str, str]:
    """(state, message for the volunteer) of a serial keyed for ``village_code``. The entry
    screen asks it as the serial is typed; saving asks it again, on the server."""
    if form is None:
        return SerialState.NEW, _("New form: this is the first entry.")
    outside = user is not None and not covers(user.scope_prefixes, form.village.code)
    if outside or form.village.code != village_code:
        return SerialState.TAKEN, _("Serial %(serial)s is already used for another village in this round. "
                                    "Check the serial on the paper.", serial=form.serial)
    if form.status is not FormStatus.AWAITING_SECOND:
        return SerialState.DONE, _("Form %(serial)s has already been keyed and needs no more entries. "
                                   "Check the serial on the paper; if it is right, put the form aside.",
                                   serial=form.serial)
    first = form.entry(1)
    if user is not None and first is not None and first.user_id == user.id:
        return SerialState.OWN, _("You keyed the first entry of form %(serial)s; a different volunteer must key "
                                  "the second entry.", serial=form.serial)
    return SerialState.SECOND, _("Form %(serial)s awaits its second entry: key it from the paper.",
                                 serial=form.serial)


def needs_second_entry(round_: Round) -> bool:
    """Decide, once per form, whether a second entry is needed; "sample" draws at random."""
    if round_.double_entry is DoubleEntry.ALL:
        return True
    if round_.double_entry is DoubleEntry.SAMPLE:
        return _draw.random() * 100 < round_.double_entry_share
    return False


def _actor(user: User | None, label: str | None) -> str:
    return user.email if user is not None else (label or audit.SYSTEM_ACTOR)


def _new_entry(form: PaperForm, number: int, user: User | None, label: str | None, header: Header,
               result: KeyedResult, source: EntrySource) -> PaperEntry:
    return PaperEntry(
        form=form, number=number, user_id=user.id if user else None, keyed_by=_actor(user, label),
        source=source, interview_date=header.interview_date, interviewer_code=header.interviewer_code,
        answers=dict(result.answers), blank_fields=list(result.blank), keyed_fields=result.keyed_fields,
    )


def key_form(user: User | None, round_: Round, questionnaire: Questionnaire, typed: Mapping[str, Any],
             source: EntrySource = EntrySource.SCREEN, actor_label: str | None = None) -> Saved:
    """Save a volunteer's keying of one paper form as its first or second entry.

    The serial decides: a new serial is a first entry; one awaiting a second entry gets
    it, from someone else than the first keyer, compared field by field.
    """
    if not round_.takes_paper(clock.today()):
        raise EntryForbidden(_("Round %(name)s is not open for paper entry.", name=round_.name))
    code = str(typed.get(VILLAGE) or "").strip()
    village = find_village(code)
    if village is not None and not may_key(user, round_, village):
        raise EntryForbidden(_("Village %(code)s is not one of your villages in this round.", code=code))
    # No village typed: a pre-printed serial may name it (check_header looks it up then).
    header, errors = check_header(user, round_, typed, {code: village} if village is not None else None)
    result = key_answers(questionnaire, typed, header.interview_date if header else None,
                         redact=keeps_redacted(round_))
    errors.update(answer_errors(result))
    if errors or header is None:
        raise EntryInvalid(errors)
    form = find_form(round_, header.serial, header.village.id)
    if form is None:
        return save_first_entry(user, round_, questionnaire, header, result, source, actor_label)
    state, message = serial_state(user, form, header.village.code)
    if state == SerialState.OWN:
        raise EntryForbidden(message)
    if state != SerialState.SECOND:
        raise EntryInvalid({SERIAL: message})
    return _second_entry(user, form, questionnaire, header, result, source, actor_label)


def save_first_entry(user: User | None, round_: Round, questionnaire: Questionnaire, header: Header,
                     result: KeyedResult, source: EntrySource, label: str | None) -> Saved:
    """Create the form with its first entry (header and answers already checked)."""
    needs_second = needs_second_entry(round_)
    form = PaperForm(
        round_id=round_.id, village_id=header.village.id, serial=header.serial,
        serial_scope_id=round_.serial_scope_id(header.village.id),
        interview_date=header.interview_date, interviewer_code=header.interviewer_code,
        consent_hash=_consent_hash(round_, header),
        status=FormStatus.AWAITING_SECOND if needs_second else FormStatus.SINGLE, needs_second=needs_second,
    )
    try:
        with db.session.begin_nested():
            db.session.add(form)
            entry = _new_entry(form, 1, user, label, header, result, source)
            db.session.add(entry)
    except IntegrityError:  # the same serial saved a moment ago by someone else
        raise EntryInvalid({SERIAL: _("Serial %(serial)s was saved by someone else just now. Save again to key "
                                      "it as the second entry.", serial=header.serial)}) from None
    audit.record("paper.entry_saved", actor=user or label, object_type="paper_form", object_id=form.id,
                 round=round_.id, serial=form.serial, number=1, source=source.value,
                 needs_second=needs_second, keyed_fields=entry.keyed_fields)
    if needs_second:
        return Saved(form, entry, SaveOutcome.FIRST)
    finalise(form, questionnaire, result.answers, user or label)
    return Saved(form, entry, SaveOutcome.SINGLE)


def _consent_hash(round_: Round, header: Header) -> str | None:
    """The consent text printed on this form, else the questionnaire's now (a form copied by
    hand carries today's text); that text is kept by its hash like the web's."""
    if header.consent is None:
        return None
    printed = db.session.scalar(sa.select(PrintedSerial.consent_hash).where(
        PrintedSerial.round_id == round_.id, PrintedSerial.serial == header.serial))
    if printed is not None:
        return printed
    keep_consent_text(db.session.connection(), round_.questionnaire_key, header.consent)
    return header.consent.hash


def _second_entry(user: User | None, form: PaperForm, questionnaire: Questionnaire, header: Header,
                  result: KeyedResult, source: EntrySource, label: str | None) -> Saved:
    try:
        with db.session.begin_nested():
            entry = _new_entry(form, 2, user, label, header, result, source)
            db.session.add(entry)
    except IntegrityError:
        raise EntryInvalid({SERIAL: _("Form %(serial)s got its second entry from someone else just now.",
                                      serial=form.serial)}) from None
    first = form.entry(1)
    assert first is not None  # noqa: S101 - a form is created with its first entry
    differing, compared = compare_entries(first, entry)
    form.compared_fields, form.discrepancies = len(compared), len(differing)
    audit.record("paper.entry_saved", actor=user or label, object_type="paper_form", object_id=form.id,
                 round=form.round_id, serial=form.serial, number=2, source=source.value,
                 keyed_fields=entry.keyed_fields, discrepancies=len(differing))
    if differing:
        form.status = FormStatus.RECONCILIATION
        audit.record("paper.discrepancies", actor=user or label, object_type="paper_form", object_id=form.id,
                     fields=differing)
        return Saved(form, entry, SaveOutcome.RECONCILIATION)
    form.status = FormStatus.VERIFIED
    audit.record("paper.entries_matched", actor=user or label, object_type="paper_form", object_id=form.id,
                 serial=form.serial, compared=len(compared))
    finalise(form, questionnaire, first.answers, user or label)
    return Saved(form, entry, SaveOutcome.VERIFIED)


# ---------------------------------------------------------------------------
# Comparing entries


def field_value(entry: PaperEntry, name: str) -> object:
    """A field of an entry as compared: the answer, ``BLANK``, or None when not asked."""
    if name == DATE:
        return entry.interview_date.isoformat() if entry.interview_date else None
    if name == INTERVIEWER:
        return entry.interviewer_code
    if name in entry.answers:
        return entry.answers[name]
    return BLANK if name in entry.blank_fields else None


def entry_fields(questionnaire: Questionnaire | None, *entries: PaperEntry) -> list[str]:
    """Header fields, then every question either entry carries, in questionnaire order."""
    present = {name for e in entries for name in (*e.answers, *e.blank_fields)}
    if questionnaire is not None:
        ordered = [q.id for q in questionnaire.questions() if q.id in present]
    else:
        ordered = sorted(present)
    return [*COMPARED_HEADER, *ordered]


def compare_entries(first: PaperEntry, second: PaperEntry) -> tuple[list[str], list[str]]:
    """(fields that differ, fields compared). Lists compare as sets of codes."""
    names = entry_fields(None, first, second)
    differing = [n for n in names if not same_value(field_value(first, n), field_value(second, n))]
    return differing, names


def same_value(one: object, other: object) -> bool:
    """Do two keyings of a field agree? Several codes agree in any order."""
    def comparable(value: object) -> object:
        return tuple(sorted(map(str, value))) if isinstance(value, list) else value

    return comparable(one) == comparable(other)


# ---------------------------------------------------------------------------
# Final forms become responses


def finalise(form: PaperForm, questionnaire: Questionnaire, answers: Mapping[str, object],
             actor: User | str | None) -> None:
    """Store the form's agreed answers as a paper response, once."""
    key = str(uuid.uuid5(PAPER_NAMESPACE, f"paper-form:{form.id}"))
    outcome, response = store_response(form.round, form.village, questionnaire, answers, key, Mode.PAPER,
                                       consent_hash=form.consent_hash)
    if outcome is StoreOutcome.CONFLICT:  # pragma: no cover - the key is this form's alone
        raise OperationError(_("Paper form %(serial)s already has a different response.", serial=form.serial))
    form.response = response
    db.session.flush()
    audit.record("paper.finalised", actor=actor, object_type="paper_form", object_id=form.id,
                 serial=form.serial, status=form.status.value, response=response.id)


def set_serial_scope(round_: Round, scope: SerialScope, actor: User | str | None) -> None:
    """Choose where the round's serials must be unique; fixed once a paper form is keyed,
    since the forms' keys were made under the old rule."""
    if scope is round_.serial_scope:
        return
    keyed = db.session.scalar(sa.select(sa.func.count()).select_from(PaperForm)
                              .where(PaperForm.round_id == round_.id)) or 0
    if keyed:
        raise OperationError(_("Where serials must be unique is fixed once paper forms are keyed: %(n)s already "
                               "are in this round.", n=keyed))
    audit.record("round.serial_scope_set", actor=actor, object_type="round", object_id=round_.id,
                 old=round_.serial_scope.value, new=scope.value)
    round_.serial_scope = scope


def set_double_entry(round_: Round, mode: DoubleEntry, share: int | None, actor: User | str | None) -> None:
    """Set a round's double-entry rule; it applies to forms whose first entry comes later."""
    share = 0 if share is None else share
    if mode is DoubleEntry.SAMPLE and not 1 <= share <= 100:
        raise OperationError(_("For a random share, give a percentage between 1 and 100."))
    if mode is not DoubleEntry.SAMPLE:
        share = 100 if mode is DoubleEntry.ALL else 0
    old = (round_.double_entry.value, round_.double_entry_share)
    round_.double_entry, round_.double_entry_share = mode, share
    audit.record("round.double_entry_set", actor=actor, object_type="round", object_id=round_.id,
                 old={"mode": old[0], "share": old[1]}, new={"mode": mode.value, "share": share})

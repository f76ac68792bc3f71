"""Personal data in free-text answers: Indonesian phone numbers, NIK-like 16-digit numbers,
e-mail addresses and vehicle plates are replaced by a marker before an answer is stored, and
again wherever free text leaves the system (exports, reports), so an answer stored before
this existed cannot leak either.

The patterns lean towards catching real data while leaving the numbers residents write every
day alone: years ("2024"), prices ("Rp 50.000", "1,5 juta"), dates and times ("17-08-2024",
"08.00"), RT/RW numbers ("RT 03/RW 05") and house numbers. The tests hold them to a corpus of
realistic answers, traps included. Pure Python: storage and the report engine both use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from survey_app.questionnaire.model import Questionnaire
from survey_app.questionnaire.types import report_kind, takes_answer

MARKERS: Mapping[str, str] = {
    "email": "[email dihapus]",
    "nik": "[NIK dihapus]",
    "phone": "[nomor telepon dihapus]",
    "plate": "[nomor kendaraan dihapus]",
}
"""What replaces each kind of personal data (stored answers are in the residents' language)."""
KIND_NAMES: Mapping[str, str] = {
    "email": "e-mail addresses", "nik": "NIK numbers", "phone": "phone numbers", "plate": "number plates",
}

_SEP = r"[ .\-]?"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# Sixteen digits, in groups or not (3273 0101 0101 0001), starting with a province code
# (11-94), not inside a longer number.
_NIK = re.compile(r"(?<![\d+])[1-9]\d(?:" + _SEP + r"?\d){14}(?![\d])")
# Mobile: +62 / 62 / 0, then 8 and 8-11 more digits, separators allowed between groups.
# Landline: 0 (or +62) and a 2-3 digit area code starting 2-9, in brackets or not, then 5-8
# digits ((022) 250-1234, 021 5551234). A leading "Rp" is a price, never a phone.
_PHONE = re.compile(
    r"(?<![\w+(])(?<!Rp )(?<!Rp\. )(?<!Rp)"
    r"(?:(?:\+62|62|0)" + _SEP + r"8\d(?:" + _SEP + r"\d){6,10}"
    r"|(?:\(0[2-9]\d{1,2}\)|0[2-9]\d{1,2}|\+62" + _SEP + r"[2-9]\d{1,2})" + _SEP + r"\d(?:" + _SEP + r"\d){4,7})"
    r"(?![\d])"
)
# The region codes of Indonesian number plates (Polri), so "RT 3" or "no 12 ya" never match.
REGION_CODES = frozenset({
    "A", "B", "D", "E", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "W", "Z", "AA", "AB", "AD",
    "AE", "AG", "BA", "BB", "BD", "BE", "BG", "BH", "BK", "BL", "BM", "BN", "BP", "DA", "DB", "DC", "DD",
    "DE", "DG", "DH", "DK", "DL", "DM", "DN", "DR", "DS", "DT", "DW", "EA", "EB", "ED", "KB", "KH", "KT",
    "KU", "PA", "PB",
})
# Region code, 1-4 digits, 1-3 letters ("B 1234 XYZ", "D1234AB"). Capitals as on the plate;
# in lower case only with 3-4 digits ("b 1234 xyz"), where everyday words do not reach.
_PLATE_UPPER = re.compile(r"\b([A-Z]{1,2}) ?(\d{1,4}) ?([A-Z]{1,3})\b")
_PLATE_ANY = re.compile(r"\b([A-Za-z]{1,2}) ?(\d{3,4}) ?([A-Za-z]{1,3})\b")


@dataclass(frozen=True)
class Redacted:
    """A free-text answer with personal data replaced, and what was found (kind -> count)."""

    text: str
    found: Mapping[str, int]

    @property
    def changed(self) -> bool:
        return bool(self.found)


def redact(text: str) -> Redacted:
    """``text`` with e-mail addresses, NIK-like numbers, phone numbers and plates replaced by
    ``MARKERS``, in that order (an e-mail can hold digits, a NIK is longer than a phone)."""
    found: dict[str, int] = {}
    for kind, replace in _STEPS:
        text, count = replace(text)
        if count:
            found[kind] = count
    return Redacted(text, found)


def _substitute(kind: str, pattern: re.Pattern[str]) -> Callable[[str], tuple[str, int]]:
    return lambda text: pattern.subn(MARKERS[kind], text)


def _plates(text: str) -> tuple[str, int]:
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if match[1].upper() not in REGION_CODES:
            return match[0]
        count += 1
        return MARKERS["plate"]

    for pattern in (_PLATE_UPPER, _PLATE_ANY):
        text = pattern.sub(replace, text)
    return text, count


_STEPS: tuple[tuple[str, Callable[[str], tuple[str, int]]], ...] = (
    ("email", _substitute("email", _EMAIL)),
    ("nik", _substitute("nik", _NIK)),
    ("phone", _substitute("phone", _PHONE)),
    ("plate", _plates),
)


def free_text_ids(questionnaire: Questionnaire) -> frozenset[str]:
    """The questions whose answers are free text: the ones redaction applies to."""
    return frozenset(q.id for q in questionnaire.questions() if report_kind(q) == "text" and takes_answer(q))


def redact_answers(answers: Mapping[str, object],
                   text_ids: frozenset[str]) -> tuple[dict[str, object], dict[str, Redacted]]:
    """``answers`` with every free-text answer (``text_ids``) redacted, and for each answer
    that changed its original text with what was found (``Redacted(original, found)``); other
    answers are left as they are."""
    cleaned: dict[str, object] = dict(answers)
    changed: dict[str, Redacted] = {}
    for qid in text_ids:
        value = cleaned.get(qid)
        if isinstance(value, str):
            result = redact(value)
            if result.changed:
                cleaned[qid] = result.text
                changed[qid] = Redacted(value, result.found)
    return cleaned, changed

"""The consent a resident gives before the questions (UU 27/2022: explicit consent, recorded).

``<key>/consent.yaml`` holds it for every version of a questionnaire: who the controller is,
what the answers are for, what is kept and for how long, and whom to contact, in each
language. It sits beside the versions rather than in one: a published version never changes,
while a consent text must change when the contact or the retention does. The text's hash
(its "version") is stored with every response given under it, and the text itself is kept by
that hash (``consent_texts``), so what each resident agreed to stays known.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .schema import TextsIn, _Strict
from .yamlload import read_yaml

CONSENT_FILE = "consent.yaml"
PARTS = ("controller", "purpose", "kept", "contact")
"""What a consent text says, in this order: the law's minimum for an informed choice."""


class ConsentError(ValueError):
    """A consent file that cannot be shown to residents; the message names the file and field."""


class _ConsentIn(_Strict):
    controller: TextsIn
    purpose: TextsIn
    kept: TextsIn
    contact: TextsIn


@dataclass(frozen=True)
class Consent:
    """One consent text, each part in each language, and its hash."""

    parts: Mapping[str, Mapping[str, str]]
    hash: str

    def texts(self, lang: str, default: str = "id") -> list[tuple[str, str]]:
        """(part, text) in ``lang``, else in ``default``."""
        return [(part, self.parts[part].get(lang) or self.parts[part][default]) for part in PARTS]

    def as_json(self) -> dict[str, dict[str, str]]:
        return {part: dict(self.parts[part]) for part in PARTS}


def consent_hash(parts: Mapping[str, Mapping[str, str]]) -> str:
    """sha256 of the parts in canonical JSON: the same words, the same hash, whatever the layout."""
    canonical = json.dumps({part: dict(parts[part]) for part in PARTS}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_consent(folder: Path, default_language: str = "id") -> Consent | None:
    """``folder/consent.yaml``, or None when the questionnaire asks no consent."""
    path = folder / CONSENT_FILE
    if not path.is_file():
        return None
    doc = read_yaml(path.read_text(encoding="utf-8"))
    if doc.problems:
        raise ConsentError("; ".join(f"{path}:{line}: {message}" for _, line, message in doc.problems))
    try:
        spec = _ConsentIn.model_validate(doc.value)
    except ValidationError as exc:
        problems = (f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False))
        raise ConsentError(f"{path}: " + "; ".join(problems)) from None
    parts = {part: dict(getattr(spec, part)) for part in PARTS}
    for part, texts in parts.items():
        if not texts.get(default_language, "").strip():
            raise ConsentError(f"{path}: {part}: needs the text in '{default_language}'")
    return Consent(parts, consent_hash(parts))

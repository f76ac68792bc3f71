"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106), and the rules a
new password must meet (NIST SP 800-63B: a length, and no guessable password)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from survey_app.operations.texts import _

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
MIN_GUESS_SCORE = 3
"""zxcvbn's scale 0-4; 3 is "safely unguessable: moderate protection from an offline attack"."""
ESTIMATE_CHARS = 64


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises on a bad or foreign hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, context: Iterable[str] = ()) -> str | None:
    """Why a new password is refused, or None when it is acceptable. ``context``: the user's
    e-mail address and the like, which a password must not be built from."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must have at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
    if password.strip() != password:
        return _("The password must not start or end with spaces.")
    # zxcvbn knows tens of thousands of common and breached passwords, names and words, and
    # repeats and sequences; its time grows with the length, and a long password's first
    # characters decide anyway. Imported here: its lists take 13 MB, which only the few
    # processes that set a password need.
    from zxcvbn import zxcvbn

    if zxcvbn(password[:ESTIMATE_CHARS], user_inputs=_context_words(context))["score"] < MIN_GUESS_SCORE:
        return _("This password is too easy to guess: it is a common password, repeats or follows a pattern, "
                 "or is built from the e-mail address. A few unrelated words make a strong password.")
    return None


def _context_words(context: Iterable[str]) -> list[str]:
    """Each text and its parts: "ana.wijaya@desa.id" also gives "ana", "wijaya" and "desa"."""
    words: set[str] = set()
    for text in context:
        lowered = text.lower()
        words.add(lowered)
        words.update(part for part in re.split(r"[^a-z]+", lowered) if len(part) >= 3)
        words.add(lowered.split("@")[0])
    return sorted(words)

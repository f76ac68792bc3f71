"""Storing responses."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping


def answers_digest(answers: Mapping[str, object]) -> str:
    """sha256 of the answers in canonical JSON: equal answers, equal digest, whatever the order."""
    canonical = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

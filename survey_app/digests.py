"""sha256 of files the app checks often, remembered per app (``app.extensions``).

A digest is computed again only when the file's size or modification time changes: the
resident form checks its questionnaire's hash on every request, and every page names its
static files by their hash.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app


def file_hash(path: Path) -> str:
    """The file's sha256 in hex; raises OSError if it cannot be read."""
    hashes: dict[Path, tuple[int, int, str]] = current_app.extensions.setdefault("file_hashes", {})
    stat = path.stat()
    cached = hashes.get(path)
    if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
        return cached[2]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    hashes[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest

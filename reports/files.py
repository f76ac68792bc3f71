"""Files that are either complete or absent: a reader (a person, a download, a later run) must
never take a half-written workbook or export for a finished one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL_SUFFIX = ".partial"


def partial_path(target: Path) -> Path:
    """Where ``target`` is written before it is complete: hidden, in the same folder (so the
    final rename stays on one file system), and never under the final name."""
    return target.with_name(f".{target.name}{PARTIAL_SUFFIX}")


@contextmanager
def written_whole(target: Path) -> Iterator[Path]:
    """Yield the path to write; on success it is renamed to ``target`` in one step, on any
    failure (or a stop) it is removed. A process killed halfway leaves only the hidden partial."""
    partial = partial_path(target)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)

"""Uploaded village files, laid out on disk the way the command-line import reads them.

The web import runs ``import_villages`` exactly as ``flask villages import`` does, so an
upload is first written to a temporary directory: one flat CSV file, or a folder with the
four official files (from a .zip or from four file inputs). A zip is untrusted: only the
four expected names at its top level are accepted (no paths, so no "zip slip" out of the
folder), each is read with a size cap (no zip bombs), and nothing else is extracted.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from werkzeug.utils import secure_filename

from survey_app.operations import OperationError
from survey_app.operations.villages import LEVELS

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""Per upload: the full official list is about 4 MB as CSV, well under 1 MB zipped."""
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
"""Per file inside a zip: generous for real data, small enough to stop a zip bomb."""
OFFICIAL_FILES = tuple(level.file_name for level in LEVELS.values())
FOLDER_NAME = "upload"


class UploadRejected(OperationError):
    """The upload cannot be handed to the import at all; ``problems`` lists why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the browser sent it and its content."""

    filename: str
    stream: BinaryIO


def read_capped(upload: Upload, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """The file's bytes; refused when larger than ``limit`` (a request without a length)."""
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected([f"{upload.filename}: the file is larger than {limit // (1024 * 1024)} MB."])
    return data


def stage_upload(directory: Path, single: Upload | None, official: Mapping[str, Upload]) -> Path:
    """Write the upload below ``directory`` and return the path to give ``import_villages``.

    ``single`` is a flat .csv or a .zip of the four files; ``official`` maps some of
    provinces.csv, regencies.csv, districts.csv and villages.csv to the files chosen for them.
    Exactly one of the two ways must be used.
    """
    if single is not None and official:
        raise UploadRejected(["Upload either one file (.csv or .zip) or the four official files, not both."])
    if single is None and not official:
        raise UploadRejected(["Choose a file to upload."])
    if single is None:
        return stage_official(directory, official)
    suffix = Path(single.filename).suffix.lower()
    if suffix == ".csv":
        return stage_flat(directory, single)
    if suffix == ".zip":
        return stage_zip(directory, single)
    raise UploadRejected([f"{single.filename}: upload a .csv file (one village per row) or a .zip of the four "
                          "official files."])


def stage_flat(directory: Path, upload: Upload) -> Path:
    """The flat CSV, under a safe version of its own name (problems name the file)."""
    name = secure_filename(upload.filename) or "villages.csv"
    path = directory / name
    path.write_bytes(read_capped(upload))
    return path


def stage_official(directory: Path, official: Mapping[str, Upload]) -> Path:
    """The four files under their official names; a missing one is reported by the import."""
    folder = directory / FOLDER_NAME
    folder.mkdir()
    for name, upload in official.items():
        if name not in OFFICIAL_FILES:
            raise UploadRejected([f"{name}: not one of {', '.join(OFFICIAL_FILES)}."])
        (folder / name).write_bytes(read_capped(upload))
    return folder


def stage_zip(directory: Path, upload: Upload) -> Path:
    """Check every entry's name before writing anything, then copy the four files out."""
    folder = directory / (secure_filename(Path(upload.filename).stem) or FOLDER_NAME)
    data = read_capped(upload)
    archive_path = directory / "upload.zip"
    archive_path.write_bytes(data)
    try:
        archive = zipfile.ZipFile(archive_path)
    except zipfile.BadZipFile:
        raise UploadRejected([f"{upload.filename}: not a readable .zip file."]) from None
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        check_zip_entries(upload.filename, entries)
        folder.mkdir()
        for info in entries:
            with archive.open(info) as source:
                content = source.read(MAX_UNZIPPED_BYTES + 1)
            if len(content) > MAX_UNZIPPED_BYTES:
                raise UploadRejected([f"{upload.filename}: {info.filename} is larger than "
                                      f"{MAX_UNZIPPED_BYTES // (1024 * 1024)} MB once unpacked."])
            (folder / info.filename).write_bytes(content)
    return folder


def check_zip_entries(filename: str, entries: list[zipfile.ZipInfo]) -> None:
    """Only the official names, each once, at the top level and not encrypted."""
    problems: list[str] = []
    seen: set[str] = set()
    for info in entries:
        name = info.filename
        if "/" in name or "\\" in name or name.startswith(".") or ":" in name:
            problems.append(f"{filename}: {name!r} is inside a folder; put the four files at the top of the zip.")
        elif name not in OFFICIAL_FILES:
            problems.append(f"{filename}: {name!r} is not expected; the zip may hold only "
                            f"{', '.join(OFFICIAL_FILES)}.")
        elif name in seen:
            problems.append(f"{filename}: {name} appears twice.")
        elif info.flag_bits & 0x1:
            problems.append(f"{filename}: {name} is encrypted; zip it without a password.")
        seen.add(name)
    if not entries:
        problems.append(f"{filename}: the zip is empty; it must hold {', '.join(OFFICIAL_FILES)}.")
    if problems:
        raise UploadRejected(problems)

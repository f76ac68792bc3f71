"""All questionnaires under one folder, found by key and version.

Loaded versions are cached for the life of the catalog: a published version never
changes (its content hash is stored with responses), so the web app can keep one
catalog. ``validate`` always reads the files afresh.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .amendments import AMENDMENTS_FILE, read_amendments
from .comparability import NOT_COMPARABLE, SAME, Comparability, compose
from .consent import CONSENT_FILE, Consent, ConsentError, read_consent
from .diff import DiffEntry, VersionDiff, diff, link_entry
from .errors import Problem, QuestionnaireError, QuestionnaireNotFound
from .loader import FILE_NAME_RE, load_with, version_file
from .model import Questionnaire

REF_RE = re.compile(r"([a-z0-9-]+)@([1-9][0-9]*)")


def parse_ref(text: str) -> tuple[str, int]:
    """Split ``"trust-safety@2"`` into ``("trust-safety", 2)``; ValueError on bad syntax."""
    match = REF_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a questionnaire reference; write key@version, e.g. trust-safety@2")
    return match.group(1), int(match.group(2))


class _Loader:
    """Loads files by path, each at most once, resolving previous versions through itself."""

    def __init__(self) -> None:
        self.cache: dict[Path, Questionnaire] = {}

    def load(self, path: Path) -> Questionnaire:
        key = path.resolve()
        if key not in self.cache:
            self.cache[key] = load_with(path, lambda version: self.sibling(path, version))
        return self.cache[key]

    def sibling(self, path: Path, version: int) -> Questionnaire:
        other = version_file(path.parent, version)
        if not other.is_file():
            raise QuestionnaireNotFound(str(other))
        return self.load(other)


class Catalog:
    """Questionnaires stored as ``<root>/<key>/v<N>.yaml``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._loader = _Loader()
        self._by_ref: dict[tuple[str, int], Questionnaire] = {}
        self._consents: dict[str, Consent | None] = {}

    def refs(self) -> list[tuple[str, int]]:
        """Every (key, version) with a file, sorted; files are not loaded."""
        found = []
        for path in self.root.glob("*/v*.yaml"):
            match = FILE_NAME_RE.fullmatch(path.name)
            if match is not None:
                found.append((path.parent.name, int(match.group(1))))
        return sorted(found)

    def versions(self, key: str) -> list[int]:
        """Published versions of ``key``, oldest first."""
        return [version for k, version in self.refs() if k == key]

    def get(self, key: str, version: int) -> Questionnaire:
        """Load (once) one version; raises QuestionnaireNotFound or QuestionnaireError.

        A version once loaded is answered from memory without touching the file system
        (every resident post asks); the app checks the file itself against its pinned hash.
        """
        loaded = self._by_ref.get((key, version))
        if loaded is not None:
            return loaded
        path = version_file(self.root / key, version)
        if not path.is_file():
            raise QuestionnaireNotFound(f"no questionnaire {key}@{version} (no file {path})")
        self._by_ref[(key, version)] = questionnaire = self._loader.load(path)
        return questionnaire

    def get_ref(self, ref: str) -> Questionnaire:
        """Load the questionnaire named by ``key@version``."""
        return self.get(*parse_ref(ref))

    def consent(self, key: str) -> Consent | None:
        """The consent residents give before ``key``'s questions (``<key>/consent.yaml``),
        read once; None when it asks none. ConsentError for a file that cannot be shown."""
        if key not in self._consents:
            self._consents[key] = read_consent(self.root / key)
        return self._consents[key]

    def latest(self, key: str) -> Questionnaire:
        """The highest published version of ``key``."""
        versions = self.versions(key)
        if not versions:
            raise QuestionnaireNotFound(f"no questionnaire '{key}' under {self.root}")
        return self.get(key, versions[-1])

    def comparability(self, key: str, question_id: str, old_version: int, new_version: int) -> Comparability:
        """How answers to ``question_id`` in ``old_version`` map onto ``new_version``."""
        if old_version == new_version:
            return SAME
        if old_version > new_version:
            raise ValueError("old_version must not be later than new_version")
        link = SAME
        for version in range(old_version + 1, new_version + 1):
            questionnaire = self.get(key, version)
            if not questionnaire.has_question(question_id):
                return NOT_COMPARABLE
            link = compose(link, questionnaire.question(question_id).compare)
        return link

    def diff(self, key: str, old_version: int, new_version: int) -> VersionDiff:
        """What changed from ``old_version`` to a later (or the same) ``new_version``.

        Adjacent versions give the detailed diff; across several versions each question's
        links are chained, so a recode in v2 and a rewording in v3 read as "not comparable".
        """
        old, new = self.get(key, old_version), self.get(key, new_version)
        if new_version == old_version + 1:
            return diff(old, new)
        if new_version < old_version:
            raise ValueError("new_version must not be earlier than old_version")
        entries = [_span_entry(self.comparability(key, q.id, old_version, new_version), q.id, old)
                   for q in new.questions()]
        entries += [DiffEntry(q.id, "removed", f"not in v{new_version}")
                    for q in old.questions() if not new.has_question(q.id)]
        return VersionDiff(old.ref, new.ref, tuple(entries))

    def validate(self, paths: Iterable[Path | str] | None = None) -> list[Problem]:
        """Every problem in the given files or folders (default: the whole root), freshly read."""
        loader = _Loader()
        problems: list[Problem] = []
        for path in _expand(list(paths) if paths is not None else [self.root]):
            if not path.exists():
                problems.append(Problem(str(path), None, None, "no such file or folder"))
                continue
            try:
                loader.load(path)
            except QuestionnaireError as exc:
                problems.extend(p for p in exc.problems if p not in problems)  # an amendment file's own
            problems.extend(p for p in _unknown_versions(path.parent) if p not in problems)  # once per folder
            try:
                read_consent(path.parent)
            except ConsentError as exc:
                problem = Problem(str(path.parent / CONSENT_FILE), None, None, str(exc))
                if problem not in problems:
                    problems.append(problem)
        return problems


def _span_entry(link: Comparability, question_id: str, old: Questionnaire) -> DiffEntry:
    if link.kind == "not_comparable" and not old.has_question(question_id):
        return DiffEntry(question_id, "added", f"not in v{old.version}")
    return link_entry(question_id, link)


def _unknown_versions(folder: Path) -> list[Problem]:
    """Amendments naming a version that has no file would never apply: say so."""
    amendments = read_amendments(folder)
    if amendments.reporter is None:
        return []
    have = {int(m.group(1)) for p in folder.glob("v*.yaml") if (m := FILE_NAME_RE.fullmatch(p.name))}
    return [Problem(amendments.reporter.file, a.line, a.question_id, f"amends v{a.version}, which has no file here")
            for a in amendments.amendments if a.version not in have]


def _expand(paths: list[Path | str]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = [*path.rglob("*.yaml"), *path.rglob("*.yml")]
            files.extend(sorted(p for p in found if not p.name.startswith(".")
                                and p.name not in (AMENDMENTS_FILE, CONSENT_FILE)))
        elif path.name in (AMENDMENTS_FILE, CONSENT_FILE):  # checked where it applies: with its folder's versions
            files.extend(sorted(p for p in path.parent.glob("v*.yaml") if FILE_NAME_RE.fullmatch(p.name)))
        else:
            files.append(path)
    return files

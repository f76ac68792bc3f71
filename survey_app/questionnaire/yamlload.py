"""Read YAML into plain dicts, lists and strings, remembering where each value was written.

We build values from the node graph ourselves (``yaml.compose``) instead of using
``yaml.safe_load`` because YAML 1.1 turns codes like ``yes``, ``no``, ``on`` and ``01``
into booleans and octals, silently breaking option codes. Here every scalar stays the
text the author typed; the schema converts the few integer fields. The line map lets
schema errors, which only know a path like ``sections.0.questions.3.min``, point at a line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

DocPath = tuple[str | int, ...]
"""Location of a value inside the document: mapping keys and list indexes."""

_NULLS = frozenset({"~", "null", "Null", "NULL"})
# Aliases let a small file expand into a huge (or endlessly nested) value; a real
# questionnaire has a few thousand nodes, so these limits only stop YAML bombs.
MAX_NODES = 100_000
MAX_DEPTH = 50
INDENT_PER_LEVEL = 8  # generous: authors indent by 2 or 4 spaces


class _TooBig(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


@dataclass
class YamlDocument:
    """The plain value of a YAML document, its line map and the problems met while reading it."""

    value: object
    lines: dict[DocPath, int] = field(default_factory=dict)
    # (where, line, message): the path lets the loader name the question involved.
    problems: list[tuple[DocPath, int | None, str]] = field(default_factory=list)
    nodes_left: int = field(default=MAX_NODES, repr=False)

    def line_of(self, path: Iterable[object]) -> int | None:
        """Line of the deepest known prefix of ``path``, so any location maps to some line."""
        parts = tuple(path)
        for end in range(len(parts), -1, -1):
            line = self.lines.get(parts[:end])  # type: ignore[arg-type]
            if line is not None:
                return line
        return None


def read_yaml(text: str) -> YamlDocument:
    """Parse ``text``; syntax errors and duplicate keys become problems instead of exceptions."""
    deep = _too_deep_at(text)
    if deep is not None:
        return YamlDocument(None, {}, [((), deep, f"nested more than {MAX_DEPTH} levels deep here")])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # a shape _too_deep_at does not see, such as "- - - - ..." on one line
        return YamlDocument(None, {}, [((), None, f"file is nested more than {MAX_DEPTH} levels deep")])
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        return YamlDocument(None, {}, [((), line, f"YAML syntax error: {what}")])
    except yaml.YAMLError as exc:
        return YamlDocument(None, {}, [((), None, f"YAML syntax error: {exc}")])
    doc = YamlDocument(None, {(): 1})
    if root is not None:
        try:
            doc.value = _build(root, (), doc)
        except _TooBig as exc:
            message = f"file is too large or nested (over {MAX_NODES} values or {MAX_DEPTH} levels), from here on"
            return YamlDocument(None, {}, [((), exc.line, message)])
    return doc


def _too_deep_at(text: str) -> int | None:
    """The line where brackets (``[`` and ``{`` outside quotes and comments) or indentation
    first go deeper than MAX_DEPTH levels, or None. PyYAML's composer recurses once per level,
    so thousands of levels would exhaust Python's stack before ``_build`` could count them."""
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) - len(line.lstrip(" ")) > INDENT_PER_LEVEL * MAX_DEPTH:
            return number
        quote = ""
        for char in line:
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "#":
                break
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return number
            elif char in "]}":
                depth = max(0, depth - 1)
    return None


def _build(node: Node, path: DocPath, doc: YamlDocument) -> object:
    doc.nodes_left -= 1
    if doc.nodes_left < 0 or len(path) > MAX_DEPTH:
        raise _TooBig(node.start_mark.line + 1)
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        return [_build(item, (*path, index), doc) for index, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        return _mapping(node, path, doc)
    raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover - compose makes only these


def _mapping(node: MappingNode, path: DocPath, doc: YamlDocument) -> dict[str, object]:
    result: dict[str, object] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, ScalarNode):
            doc.problems.append((path, line, "mapping keys must be plain text"))
            continue
        key = key_node.value
        if key in result:
            first = doc.lines.get((*path, key))
            doc.problems.append(((*path, key), line, f"duplicate key '{key}' (first written on line {first})"))
            continue
        # The key's line, not the value's: a block value starts on the next line.
        doc.lines[(*path, key)] = line
        result[key] = _build(value_node, (*path, key), doc)
    return result


def _scalar(node: ScalarNode) -> str | None:
    # Only an unquoted empty value or null word means "nothing"; '' and "null" are text.
    if node.style is None and (node.value == "" or node.value in _NULLS):
        return None
    return str(node.value)

"""HTML pages read back for tests: a small tree of elements with their attributes and text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"input", "br", "img", "meta", "link", "hr"}


@dataclass
class Node:
    """A parsed HTML element: just enough to read a page's rows and attributes."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def all(self, tag: str, **attrs: str | bool) -> list[Node]:
        """Descendants with this tag whose attributes equal ``attrs`` (True: present)."""
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and all(
                    (name in child.attrs) if value is True else child.attrs.get(name) == value
                    for name, value in attrs.items()
                ):
                    found.append(child)
                found += child.all(tag, **attrs)
        return found

    def one(self, tag: str, **attrs: str | bool) -> Node | None:
        found = self.all(tag, **attrs)
        return found[0] if found else None


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                break

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.stack[-1].children.append(data)


def parse(response) -> Node:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    builder = _Builder()
    builder.feed(response.get_data(as_text=True))
    return builder.root

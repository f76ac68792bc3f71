"""The ``show_if`` expression language: a tiny tokenizer and recursive-descent parser.

Expressions come from files written by administrators, so they are never handed to
``eval``: the grammar below is all they can express.

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" or_expr ")" | comparison
    comparison := value op value        op: == != < <= > >= in, not in
    value      := STRING | NUMBER | NAME | "[" literal ("," literal)* [","] "]"

An unanswered question is ``None``; every comparison with it is false except ``!=`` and
``not in``, which are true, so "show unless they said X" keeps working when X was skipped.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal as TypingLiteral

Scalar = str | int | float
Answers = Mapping[str, object]


class ExpressionError(ValueError):
    """A ``show_if`` text that cannot be parsed; ``column`` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        self.message = message
        self.column = column
        super().__init__(f"{message} (column {column})")


# ---------------------------------------------------------------------------
# Tokens

TokenKind = TypingLiteral["string", "number", "name", "op", "end"]


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    column: int


_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)
_KEYWORDS = frozenset({"and", "or", "not", "in"})


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``end`` token."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            if text[pos] in "'\"":
                raise ExpressionError("text is missing its closing quote", pos + 1)
            raise ExpressionError(f"unexpected character '{text[pos]}'", pos + 1)
        kind = match.lastgroup
        if kind != "space":
            value = match.group()
            if kind == "name" and value in _KEYWORDS:
                kind = "op"
            tokens.append(Token(kind, value, pos + 1))  # type: ignore[arg-type]
        pos = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# ---------------------------------------------------------------------------
# Values and comparison semantics

_NUMERIC_RE = re.compile(r"\s*-?\d+(?:\.\d+)?\s*")


def _as_number(value: object) -> float | None:
    """Numbers and numeric strings compare numerically; anything else is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and _NUMERIC_RE.fullmatch(value):
        return float(value)
    return None


def _equal(left: object, right: object) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left == right  # codes stay text: '01' is not '1'
    a, b = _as_number(left), _as_number(right)
    # Anything else (lists, booleans from JSON) is never equal to a literal.
    return a is not None and b is not None and a == b


def _ordered(test: Callable[[float, float], bool]) -> Callable[[object, object], bool]:
    def compare(left: object, right: object) -> bool:
        a, b = _as_number(left), _as_number(right)
        return a is not None and b is not None and test(a, b)

    return compare


def _contains(left: object, right: object) -> bool:
    """``x in [..]`` and ``'code' in multi``; a list on the left means "any of them"."""
    if not isinstance(right, list | tuple):
        return False
    items = left if isinstance(left, list | tuple) else [left]
    return any(_equal(item, candidate) for item in items for candidate in right)


_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "==": _equal,
    "!=": lambda a, b: not _equal(a, b),
    "<": _ordered(lambda a, b: a < b),
    "<=": _ordered(lambda a, b: a <= b),
    ">": _ordered(lambda a, b: a > b),
    ">=": _ordered(lambda a, b: a >= b),
    "in": _contains,
    "not in": lambda a, b: not _contains(a, b),
}
_TRUE_WHEN_MISSING = frozenset({"!=", "not in"})


# ---------------------------------------------------------------------------
# Syntax tree


class Value(ABC):
    """An operand of a comparison: a question name or a literal."""

    @abstractmethod
    def resolve(self, answers: Answers) -> object: ...

    @abstractmethod
    def to_json(self) -> dict[str, object]:
        """Plain data for the browser's evaluator (``respond.js``), which mirrors this one."""

    @abstractmethod
    def __str__(self) -> str: ...


@dataclass(frozen=True)
class Name(Value):
    name: str
    column: int

    def resolve(self, answers: Answers) -> object:
        return answers.get(self.name)

    def to_json(self) -> dict[str, object]:
        return {"name": self.name}

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Literal(Value):
    value: Scalar | tuple[Scalar, ...]

    def resolve(self, answers: Answers) -> object:
        return self.value

    def to_json(self) -> dict[str, object]:
        return {"value": list(self.value) if isinstance(self.value, tuple) else self.value}

    def __str__(self) -> str:
        if isinstance(self.value, tuple):
            return "[" + ", ".join(_render(item) for item in self.value) + "]"
        return _render(self.value)


def _render(value: Scalar) -> str:
    if isinstance(value, str):
        return f'"{value}"' if "'" in value else f"'{value}'"
    return str(value)


class Expr(ABC):
    """A parsed ``show_if``: evaluate it against answers keyed by question id."""

    @property
    @abstractmethod
    def names(self) -> frozenset[str]:
        """Question ids the expression reads."""

    @abstractmethod
    def evaluate(self, answers: Answers) -> bool:
        """True when the question carrying this expression should be shown."""

    @abstractmethod
    def comparisons(self) -> Iterator[Comparison]:
        """Every comparison inside, so validation can check literals against option codes."""

    @abstractmethod
    def to_json(self) -> dict[str, object]:
        """Plain data for the browser's evaluator (``respond.js``), which mirrors this one."""

    @abstractmethod
    def __str__(self) -> str: ...


@dataclass(frozen=True)
class Comparison(Expr):
    op: str
    left: Value
    right: Value

    @property
    def names(self) -> frozenset[str]:
        return frozenset(v.name for v in (self.left, self.right) if isinstance(v, Name))

    def evaluate(self, answers: Answers) -> bool:
        left, right = self.left.resolve(answers), self.right.resolve(answers)
        if left is None or right is None:
            return self.op in _TRUE_WHEN_MISSING
        return _COMPARE[self.op](left, right)

    def comparisons(self) -> Iterator[Comparison]:
        yield self

    def to_json(self) -> dict[str, object]:
        return {"op": self.op, "left": self.left.to_json(), "right": self.right.to_json()}

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class Not(Expr):
    operand: Expr

    @property
    def names(self) -> frozenset[str]:
        return self.operand.names

    def evaluate(self, answers: Answers) -> bool:
        return not self.operand.evaluate(answers)

    def comparisons(self) -> Iterator[Comparison]:
        return self.operand.comparisons()

    def to_json(self) -> dict[str, object]:
        return {"op": "not", "args": [self.operand.to_json()]}

    def __str__(self) -> str:
        return f"not ({self.operand})"


@dataclass(frozen=True)
class BoolOp(Expr):
    op: TypingLiteral["and", "or"]
    operands: tuple[Expr, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset().union(*(operand.names for operand in self.operands))

    def evaluate(self, answers: Answers) -> bool:
        combine = all if self.op == "and" else any
        return combine(operand.evaluate(answers) for operand in self.operands)

    def comparisons(self) -> Iterator[Comparison]:
        for operand in self.operands:
            yield from operand.comparisons()

    def to_json(self) -> dict[str, object]:
        return {"op": self.op, "args": [operand.to_json() for operand in self.operands]}

    def __str__(self) -> str:
        return f" {self.op} ".join(f"({operand})" for operand in self.operands)


# ---------------------------------------------------------------------------
# Parser

_COMPARE_OPS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in"})


MAX_NESTING = 30
"""'not' and parentheses inside one another. Real conditions use two or three; the limit keeps
a hostile file (5,000 parentheses, 20,000 'not') from exhausting the parser's stack."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.depth = 0
        self.tokens = tokenize(text)
        self.pos = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.pos]

    def _is(self, text: str) -> bool:
        return self.current.kind == "op" and self.current.text == text

    def _advance(self) -> Token:
        token = self.current
        self.pos += 1
        return token

    def _expect(self, text: str) -> Token:
        if not self._is(text):
            raise self._error(f"expected '{text}'")
        return self._advance()

    def _error(self, message: str) -> ExpressionError:
        token = self.current
        found = "end of expression" if token.kind == "end" else f"'{token.text}'"
        return ExpressionError(f"{message}, found {found}", token.column)

    def _at_end(self) -> bool:
        return self.current.kind == "end"

    def parse(self) -> Expr:
        if self._at_end():
            raise ExpressionError("expression is empty", 1)
        expr = self._or()
        if not self._at_end():
            raise self._error("expected 'and', 'or' or the end")
        return expr

    def _or(self) -> Expr:
        operands = [self._and()]
        while self._is("or"):
            self._advance()
            operands.append(self._and())
        return operands[0] if len(operands) == 1 else BoolOp("or", tuple(operands))

    def _and(self) -> Expr:
        operands = [self._not()]
        while self._is("and"):
            self._advance()
            operands.append(self._not())
        return operands[0] if len(operands) == 1 else BoolOp("and", tuple(operands))

    def _not(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self._error(f"'not' and parentheses are nested more than {MAX_NESTING} deep")
        try:
            if self._is("not"):
                self._advance()
                return Not(self._not())
            if self._is("("):
                self._advance()
                inner = self._or()
                self._expect(")")
                return inner
            return self._comparison()
        finally:
            self.depth -= 1

    def _comparison(self) -> Comparison:
        left = self._value()
        if self._is("not"):
            self._advance()
            if not self._is("in"):
                raise self._error("expected 'in' after 'not'")
            self._advance()
            op = "not in"
        elif self.current.kind == "op" and self.current.text in _COMPARE_OPS:
            op = self._advance().text
        else:
            raise self._error("expected a comparison such as == or in")
        return Comparison(op, left, self._value())

    def _value(self) -> Value:
        token = self.current
        if token.kind == "name":
            self._advance()
            return Name(token.text, token.column)
        if self._is("["):
            return self._list()
        return Literal(self._scalar())

    def _scalar(self) -> Scalar:
        token = self.current
        if token.kind == "string":
            self._advance()
            return token.text[1:-1]
        if token.kind == "number":
            self._advance()
            return float(token.text) if "." in token.text else int(token.text)
        raise self._error("expected a question id, text in quotes, a number or a list")

    def _list(self) -> Literal:
        self._expect("[")
        items: list[Scalar] = []
        while not self._is("]"):
            items.append(self._scalar())
            if not self._is(","):
                break
            self._advance()
        self._expect("]")
        return Literal(tuple(items))


def parse(text: str) -> Expr:
    """Parse a ``show_if`` text; raises ``ExpressionError`` with the column of the mistake."""
    return _Parser(text).parse()

"""One table of skip-logic and code-expansion cases, with the answer each must give: the
Python engine (``expressions.py``, ``keying.expand_code``) and the browser's scripts
(``showif.js``, ``entry.js``) are both held to it, so the two can never drift apart."""

from __future__ import annotations

SHOW_IF: list[tuple[str, dict[str, object], bool]] = [
    # codes are text: '01' is not '1'
    ("kind == '01'", {"kind": "01"}, True),
    ("kind == '1'", {"kind": "01"}, False),
    ("kind != '1'", {"kind": "01"}, True),
    # numbers compare numerically, with integer answers and numeric strings alike
    ("age >= 18", {"age": 18}, True),
    ("age >= 18", {"age": "18"}, True),
    ("age < 18", {"age": " 17 "}, True),
    ("age > 17.5", {"age": 18}, True),
    ("age == 18", {"age": "18.0"}, True),
    ("age > -1", {"age": 0}, True),
    ("age < 18", {"age": "abc"}, False),
    ("age >= 18", {"age": True}, False),  # a JSON boolean is not a number
    # in: a literal list, or a multiple-choice answer
    ("kind in ['01', '02']", {"kind": "02"}, True),
    ("kind in ['01', '02']", {"kind": "03"}, False),
    ("kind not in ['01', '02']", {"kind": "03"}, True),
    ("'theft' in problems", {"problems": ["drugs", "theft"]}, True),
    ("'theft' in problems", {"problems": ["drugs"]}, False),
    ("'theft' not in problems", {"problems": ["drugs"]}, True),
    ("'theft' in problems", {"problems": "theft"}, False),  # not a substring test
    ("problems in ['theft', 'fights']", {"problems": ["drugs", "fights"]}, True),  # any of them
    ("problems in ['theft']", {"problems": []}, False),
    ("age in [18, 19]", {"age": "19"}, True),
    # unanswered: only != and not in are true
    ("kind == '01'", {}, False),
    ("kind != '01'", {}, True),
    ("kind in ['01']", {}, False),
    ("kind not in ['01']", {}, True),
    ("age < 18", {}, False),
    ("age >= 18", {"age": None}, False),
    ("'theft' in problems", {}, False),
    # boolean operators: not binds tighter than and, and tighter than or
    ("a == 'yes' or b == 'yes' and c == 'yes'", {"a": "yes", "b": "no", "c": "no"}, True),
    ("(a == 'yes' or b == 'yes') and c == 'yes'", {"a": "yes", "b": "no", "c": "no"}, False),
    ("not a == 'yes' and b == 'yes'", {"a": "no", "b": "yes"}, True),
    ("not (a == 'yes' and b == 'yes')", {"a": "yes", "b": "yes"}, False),
    ("not kind == '01'", {}, True),
    ("a == 'yes' and (b == 'no' or c == 'no')", {"a": "yes", "b": "yes", "c": "no"}, True),
]

EXPAND: list[tuple[tuple[str, ...], str, str]] = [
    # (option codes, typed token, the code it stands for; the token itself when none)
    (("yes", "no"), "yes", "yes"),
    (("yes", "no"), "y", "yes"),
    (("yes", "no"), "Y", "yes"),
    (("yes", "no"), "NO", "no"),
    (("yes", "no"), "maybe", "maybe"),
    (("theft", "traffic", "drugs"), "th", "theft"),
    (("theft", "traffic", "drugs"), "t", "t"),  # ambiguous prefix: left as typed
    (("theft", "traffic", "drugs"), "TR", "traffic"),
    (("1", "10", "11"), "1", "1"),  # an exact code wins over a prefix
    (("10", "11"), "1", "1"),  # ambiguous
    (("01", "02", "8", "9"), "01", "01"),
    (("01", "02", "8", "9"), "1", "1"),  # codes stay text
    (("A", "a"), "a", "a"),  # exact first
    (("Ab", "aB"), "AB", "AB"),  # two codes fold alike: neither chosen
    (("none", "noise"), "non", "none"),
    (("none", "noise"), "no", "no"),
]

KEYED_DATES: list[tuple[str, str | None]] = [
    ("31122026", "2026-12-31"),
    ("01022026", "2026-02-01"),
    ("5-3-2026", "2026-03-05"),
    ("05/03/2026", "2026-03-05"),
    ("05.03.2026", "2026-03-05"),
    ("29022024", "2024-02-29"),
    ("29022026", None),  # not a leap year
    ("31-04-2026", None),
    ("3122026", None),  # seven digits: ambiguous, so refused
    ("2026", None),
]
"""A date as a volunteer keys it -> the day stored (None: refused)."""


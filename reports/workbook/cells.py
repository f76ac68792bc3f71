"""Writing figures into cells: values with their number format, intervals as "lo–hi" text,
suppressed and caution bases as words, changes with an arrow and a word."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.safety import looks_like_formula, safe_text
from reports.tables import ChangeEstimate, Estimate, ReportOptions
from reports.text import t
from reports.workbook import styles

FigureKind = Literal["share", "index", "mean", "number"]

VALUE_FORMAT: Mapping[FigureKind, str] = {
    "share": styles.PERCENT,
    "index": styles.INDEX,
    "mean": styles.MEAN,
    "number": styles.MEAN,
}
# Decimals of interval bounds printed as text, per kind of figure.
CI_DECIMALS: Mapping[FigureKind, int] = {"share": 0, "index": 0, "mean": 1, "number": 1}


def number_text(value: float, decimals: int, lang: str, signed: bool = False) -> str:
    """A number as text in the report language's decimal style (Indonesian writes 2,5)."""
    text = f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"
    text = text.replace("-", "−")
    return text.replace(".", ",") if lang == "id" else text


def ci_text(low: float, high: float, kind: FigureKind, lang: str) -> str:
    """An interval as "lo–hi" (shares in percent: "48–67%"); blank when unknown."""
    if math.isnan(low) or math.isnan(high):
        return ""
    scale, suffix = (100.0, "%") if kind == "share" else (1.0, "")
    decimals = CI_DECIMALS[kind]
    return f"{number_text(low * scale, decimals, lang)}–{number_text(high * scale, decimals, lang)}{suffix}"


def change_ci_text(low: float, high: float, decimals: int, lang: str) -> str:
    """A change's interval with signs, so "−5 to +8" reads as crossing zero."""
    if math.isnan(low) or math.isnan(high):
        return ""

    def bound(value: float) -> str:
        # A bound that rounds to 0 gets one more decimal, so "−0" never hides which side of 0 it is on.
        places = decimals + 1 if value != 0 and round(value, decimals) == 0 else decimals
        return number_text(value, places, lang, signed=True)

    return f"{bound(low)} – {bound(high)}"


@dataclass
class SheetWriter:
    """One worksheet plus the report options, with helpers that always write text safely."""

    ws: Worksheet
    options: ReportOptions

    @property
    def lang(self) -> str:
        return self.options.lang

    def msg(self, key: str, **params: object) -> str:
        return t(key, self.lang, **params)

    def __post_init__(self) -> None:
        self._styles = styles.style_cache(self.ws.parent)

    def text(
        self,
        row: int,
        col: int,
        value: object,
        font: Font | None = None,
        fill: PatternFill | None = None,
        align: Alignment | None = None,
    ) -> Cell:
        """Literal text (never a formula, see ``reports.safety``) with the given styles."""
        cell = self.ws.cell(row=row, column=col)
        # reports.safety.write_text's rule, with the quote prefix set through the style cache.
        text = safe_text(value)
        cell._value = text
        cell.data_type = "s"
        self._styles.apply(cell, font, fill, align or styles.TOP, quote=looks_like_formula(text))
        return cell

    def number(self, row: int, col: int, value: float | int | date | datetime | None, fmt: str) -> None:
        """A number (or date) with its format; nothing at all for a missing value, since an
        empty cell with a format only costs bytes and time in the file."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        cell = self.ws.cell(row=row, column=col)
        cell.value = value
        self._styles.apply(cell, None, None, styles.TOP, fmt)

    def note(self, row: int, text: str, last_col: int) -> None:
        """A note across columns A..``last_col``, wrapped: a long line left to run on would
        widen the printed page, and shrink everything on it."""
        self.text(row, 1, text, styles.NOTE, align=styles.WRAP)
        styles.merge(self.ws, row, 1, last_col)

    def header(self, row: int, col: int, value: str) -> Cell:
        return self.text(row, col, value, styles.BOLD, styles.HEADER_FILL, styles.CENTRE)

    def estimate(self, row: int, col: int, estimate: Estimate | None, kind: FigureKind) -> None:
        """Four cells: value, "lo–hi", n, and "caution" when the base is small."""
        if estimate is None:
            self.text(row, col, self.msg("not_asked"), align=styles.CENTRE)
            return
        if not estimate.shown and self.options.counts_below_min_n and estimate.count is not None and estimate.n:
            self.text(row, col, self.msg("count_of", count=estimate.count, n=estimate.n), fill=styles.SUPPRESSED_FILL)
        elif not estimate.shown:
            self.text(row, col, self.msg("suppressed", min_n=self.options.min_n), fill=styles.SUPPRESSED_FILL)
        else:
            self.number(row, col, estimate.value, VALUE_FORMAT[kind])
            self.text(row, col + 1, ci_text(estimate.ci_low, estimate.ci_high, kind, self.lang), align=styles.CENTRE)
        self.number(row, col + 2, estimate.n, styles.COUNT)
        flag = [self.msg("caution")] if estimate.flag == "caution" else []
        if estimate.n_eff is not None:  # weighted: the effective n the flag and interval go by
            flag.insert(0, self.msg("effective_n", n_eff=round(estimate.n_eff)))
        if flag:  # wrapped: "n eff. 41; caution" would otherwise run into the next round's value
            self.text(row, col + 3, "; ".join(flag), fill=styles.CAUTION_FILL if estimate.flag == "caution" else None,
                      align=styles.WRAP if estimate.n_eff is not None else None)

    def base_text(self, estimate: Estimate) -> str:
        """"58", or "58, n eff. 41" for a weighted figure."""
        if estimate.n_eff is None:
            return str(estimate.n)
        return f"{estimate.n}, {self.msg('effective_n', n_eff=round(estimate.n_eff))}"

    def change(self, row: int, col: int, change: ChangeEstimate, kind: FigureKind, compact: bool = False) -> None:
        """Three cells: change (points), its interval, and the direction as arrow and word.

        ``compact`` puts interval and direction in one cell, for sheets with two columns to spare.
        """
        if change.status != "computed":
            self.text(row, col, self.msg(f"change_{change.status}", min_n=self.options.min_n), font=styles.NOTE)
            return
        estimate = change.change
        if kind == "share":
            self.number(row, col, estimate.estimate * 100, styles.POINTS)
            interval = change_ci_text(estimate.ci_low * 100, estimate.ci_high * 100, 0, self.lang)
        else:
            self.number(row, col, estimate.estimate, styles.INDEX_POINTS)
            interval = change_ci_text(estimate.ci_low, estimate.ci_high, 1, self.lang)
        direction = self.msg(estimate.direction)
        if compact:
            self.text(row, col + 1, f"{interval}  {direction}", align=styles.CENTRE)
        else:
            self.text(row, col + 1, interval, align=styles.CENTRE)
            self.text(row, col + 2, direction)


def direction_formatting(ws: Worksheet, column: int, first_row: int, last_row: int) -> None:
    """Fill up/down markers green/red; the arrow and the word already say it without colour."""
    if last_row < first_row:
        return
    letter = get_column_letter(column)
    area = f"{letter}{first_row}:{letter}{last_row}"
    ref = f"{letter}{first_row}"
    ws.conditional_formatting.add(area, FormulaRule(formula=[f'LEFT({ref},1)="▲"'], fill=styles.UP_FILL))
    ws.conditional_formatting.add(area, FormulaRule(formula=[f'LEFT({ref},1)="▼"'], fill=styles.DOWN_FILL))

"""Second validation pass over a schema-valid file, then construction of model objects.

The schema only knows shapes. Here we check what needs the whole file: unique ids,
references to scales and earlier questions, labels in every declared language,
favourable codes, indices, and (in ``versioning``) ``compare:`` against version N-1.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .amendments import NONE as NO_AMENDMENTS
from .amendments import AmendmentFile, apply_amendments
from .comparability import Comparability
from .expressions import BoolOp, Comparison, Expr, ExpressionError, Literal, Name, parse
from .model import Constraint, Index, Option, Question, Questionnaire, Scale, Section, Texts
from .reporter import Loc, Reporter
from .schema import OptionIn, QuestionIn, QuestionnaireIn
from .types import QUESTION_TYPES, QuestionType, relative_date, takes_answer
from .versioning import Declared, PreviousLoader, resolve_versions

ID_RE = re.compile(r"[a-z][a-z0-9_]*")
KEY_RE = re.compile(r"[a-z0-9-]+")
ID_RULE = "must start with a lowercase letter and use only a-z, 0-9 and _"
LANGUAGE_RE = re.compile(r"[a-z]{2,3}")
"""An ISO 639-1 or 639-3 code (id, jv, su, ban): what pages, sessions and reports accept."""


# Fields every question may carry; the rest depend on the type (see types.QuestionType.fields).
COMMON_FIELDS = frozenset({"id", "type", "text", "help", "required", "show_if", "compare"})


class _Builder:
    def __init__(self, reporter: Reporter, spec: QuestionnaireIn) -> None:
        self.rep = reporter
        self.spec = spec
        self.languages = tuple(spec.languages)
        self.scales: dict[str, Scale] = {}
        self.all_ids = {q.id for section in spec.sections for q in section.questions}
        self.built: dict[str, Question] = {}
        self.declared: dict[str, Declared] = {}

    # -- shared checks -------------------------------------------------------------------

    def texts(self, loc: Loc, texts: Texts, what: str, qid: str | None = None) -> dict[str, str]:
        """Require a non-empty text in every declared language and no undeclared ones."""
        for lang in self.languages:
            if lang not in texts:
                self.rep.error(loc, f"{what} has no text in '{lang}'", qid)
            elif not texts[lang].strip():
                self.rep.error((*loc, lang), f"{what} in '{lang}' is empty", qid)
        for lang in texts:
            if lang not in self.languages:
                declared = ", ".join(self.languages)
                self.rep.error(
                    (*loc, lang),
                    f"{what} has text in '{lang}', which is not a declared language ({declared})",
                    qid,
                )
        return dict(texts)

    def options(self, loc: Loc, options: list[OptionIn], qid: str | None) -> tuple[Option, ...]:
        """Build options, rejecting empty or repeated codes and missing labels."""
        first: dict[str, int] = {}
        built = []
        for i, option in enumerate(options):
            code_loc = (*loc, i, "code")
            if not option.code.strip():
                self.rep.error(code_loc, "option code is empty", qid)
            elif option.code in first:
                line = self.rep.line((*loc, first[option.code]))
                self.rep.error(code_loc, f"duplicate option code '{option.code}' (first on line {line})", qid)
            else:
                first[option.code] = i
            label = self.texts((*loc, i, "label"), option.label, f"label of option '{option.code}'", qid)
            if option.exclusive and option.special is not None:
                self.rep.error((*loc, i, "exclusive"), f"option '{option.code}' is special, and special options "
                               "always stand alone: leave out 'exclusive'", qid)
            built.append(Option(option.code, label, option.special, option.exclusive))
        if options and not any(option.special is None for option in built):
            self.rep.error(loc, "every option is special; at least one must be a real answer", qid)
        return tuple(built)

    def favourable(self, loc: Loc, codes: list[str], options: tuple[Option, ...], qid: str | None) -> tuple[str, ...]:
        """Favourable codes must be real answers on the scale, never don't know or refused."""
        by_code = {option.code: option for option in options}
        for i, code in enumerate(codes):
            option = by_code.get(code)
            if option is None:
                self.rep.error((*loc, i), f"favourable code '{code}' is not an option", qid)
            elif option.special is not None:
                self.rep.error(
                    (*loc, i),
                    f"favourable code '{code}' is a special option ({option.special})",
                    qid,
                )
        return tuple(codes)

    # -- top level -----------------------------------------------------------------------

    def check_identity(self, path: Path) -> bool:
        """Folder name is the key and file name the version, so refs always find their file."""
        spec = self.spec
        if not KEY_RE.fullmatch(spec.key):
            self.rep.error(("key",), f"key '{spec.key}' must use only a-z, 0-9 and -")
        if path.parent.name != spec.key:
            self.rep.error(("key",), f"key '{spec.key}' does not match the folder name '{path.parent.name}'")
        if path.name != f"v{spec.version}.yaml":
            self.rep.error(
                ("version",),
                f"version {spec.version} does not match the file name '{path.name}' (expected 'v{spec.version}.yaml')",
            )
            return False
        return True

    def check_languages(self) -> None:
        seen: set[str] = set()
        for i, lang in enumerate(self.spec.languages):
            if lang in seen:
                self.rep.error(("languages", i), f"language '{lang}' is listed twice")
            elif not LANGUAGE_RE.fullmatch(lang):
                self.rep.error(("languages", i),
                               f"language '{lang}' is not an ISO 639 code such as id, en, jv, su or ban")
            seen.add(lang)
        if self.spec.default_language not in seen:
            self.rep.error(
                ("default_language",),
                f"default_language '{self.spec.default_language}' is not in languages",
            )

    def build_scales(self) -> None:
        for scale_id, scale in self.spec.scales.items():
            loc = ("scales", scale_id)
            if not ID_RE.fullmatch(scale_id):
                self.rep.error(loc, f"scale id '{scale_id}' {ID_RULE}")
            options = self.options((*loc, "options"), scale.options, None)
            favourable = self.favourable((*loc, "favourable"), scale.favourable or [], options, None)
            self.scales[scale_id] = Scale(scale_id, options, favourable)

    def build_sections(self) -> tuple[Section, ...]:
        sections = []
        first: dict[str, int] = {}
        for si, section in enumerate(self.spec.sections):
            loc = ("sections", si)
            if not ID_RE.fullmatch(section.id):
                self.rep.error((*loc, "id"), f"section id '{section.id}' {ID_RULE}")
            elif section.id in first:
                line = self.rep.line(("sections", first[section.id]))
                self.rep.error((*loc, "id"), f"duplicate section id '{section.id}' (first on line {line})")
            else:
                first[section.id] = si
            title = self.texts((*loc, "title"), section.title, f"title of section '{section.id}'")
            short = (None if section.short_title is None else
                     self.texts((*loc, "short_title"), section.short_title, f"short title of section '{section.id}'"))
            condition = self.condition((*loc, "show_if"), section.show_if, None, f"section '{section.id}'")
            questions = tuple(
                _within(self.question((*loc, "questions", qi), question, section.id), condition, section.show_if)
                for qi, question in enumerate(section.questions)
            )
            shown_if = section.show_if if condition is not None else None
            if section.randomise:
                self.check_shuffled((*loc, "questions"), section.questions, questions)
            sections.append(Section(section.id, title, questions, shown_if, section.randomise, short))
        return tuple(sections)

    def check_shuffled(self, loc: Loc, specs: list[QuestionIn], questions: tuple[Question, ...]) -> None:
        """In a section shown in a drawn order, no question may depend on another of it: the
        one it reads might come after it."""
        ids = {q.id for q in questions}
        for number, (spec, question) in enumerate(zip(specs, questions, strict=True)):
            read = question.show_if.names & ids if question.show_if is not None else set()
            if read:
                self.rep.error((*loc, number, "show_if"), f"its section is shown in a random order, so show_if"
                               f" cannot read {', '.join(sorted(read))} of the same section", spec.id)

    def build_constraints(self) -> tuple[Constraint, ...]:
        """Each constraint reads questions that take an answer (anywhere in the file: it is
        checked after them all), is shown at one of them, and says why in every language."""
        built = []
        for i, spec in enumerate(self.spec.constraints):
            loc = ("constraints", i)
            check = self.condition((*loc, "check"), spec.check, None, f"constraint {i + 1}", rule="check")
            message = self.texts((*loc, "message"), spec.message, f"message of constraint {i + 1}")
            if check is not None and spec.on not in check.names:
                read = ", ".join(sorted(check.names))
                self.rep.error((*loc, "on"), f"constraint {i + 1}: 'on: {spec.on}' must be one of the questions "
                               f"its check reads ({read})")
                check = None
            if check is not None:
                built.append(Constraint(check, spec.check, spec.on, message))
        return tuple(built)

    def build_indices(self) -> tuple[Index, ...]:
        scorable = " or ".join(name for name, kind in QUESTION_TYPES.items() if kind.scorable)
        indices = []
        for index_id, index in self.spec.indices.items():
            loc = ("indices", index_id)
            if not ID_RE.fullmatch(index_id):
                self.rep.error(loc, f"index id '{index_id}' {ID_RULE}")
            label = self.texts((*loc, "label"), index.label, f"label of index '{index_id}'")
            seen: set[str] = set()
            for i, item in enumerate(index.items):
                item_loc = (*loc, "items", i)
                question = self.built.get(item)
                if item in seen:
                    self.rep.error(item_loc, f"index '{index_id}' lists '{item}' twice")
                elif question is None:
                    self.rep.error(item_loc, f"index '{index_id}' names unknown question '{item}'")
                elif not QUESTION_TYPES[question.type].scorable:
                    self.rep.error(
                        item_loc,
                        f"index '{index_id}' names '{item}' (type {question.type});"
                        f" index items must be {scorable} questions on a scale",
                    )
                elif len(question.scale_options()) < 2:
                    self.rep.error(
                        item_loc,
                        f"index '{index_id}' names '{item}', which has fewer than two options on its scale",
                    )
                seen.add(item)
            indices.append(Index(index_id, label, tuple(index.items)))
        return tuple(indices)

    # -- questions -----------------------------------------------------------------------

    def question(self, loc: Loc, spec: QuestionIn, section_id: str) -> Question:
        qid = spec.id
        kind = QUESTION_TYPES[spec.type]
        if not ID_RE.fullmatch(qid):
            self.rep.error((*loc, "id"), f"question id '{qid}' {ID_RULE}")
        elif qid in self.declared:
            line = self.rep.line(self.declared[qid].loc)
            self.rep.error((*loc, "id"), f"duplicate question id '{qid}' (first on line {line})", qid)
        for name in sorted(spec.model_fields_set - COMMON_FIELDS - kind.fields):
            self.rep.error((*loc, name), f"'{name}' cannot be used on a {spec.type} question", qid)
        if not kind.takes_answer and "required" in spec.model_fields_set:
            self.rep.error((*loc, "required"), f"'required' cannot be used on a {spec.type}: nothing is asked", qid)
        text = self.texts((*loc, "text"), spec.text, "text", qid)
        help_text = None if spec.help is None else self.texts((*loc, "help"), spec.help, "help", qid)
        options = self.question_options(loc, spec, kind) if kind.has_options else ()
        favourable: tuple[str, ...] = ()
        if "favourable" in kind.fields:
            if spec.favourable is not None:
                favourable = self.favourable((*loc, "favourable"), spec.favourable, options, qid)
            elif spec.scale in self.scales:
                favourable = self.scales[spec.scale].favourable
            else:
                favourable = kind.default_favourable(spec.reverse)
        if spec.min is not None and spec.max is not None and spec.min > spec.max:
            self.rep.error((*loc, "max"), f"max {spec.max} is less than min {spec.min}", qid)
        on = dt.date(2026, 1, 31)  # any day: an offset's order does not depend on it, but month ends might
        if spec.earliest and spec.latest and relative_date(spec.earliest, on) > relative_date(spec.latest, on):
            self.rep.error((*loc, "latest"), f"latest ({spec.latest}) is before earliest ({spec.earliest})", qid)
        show_if = self.show_if((*loc, "show_if"), spec)
        question = Question(
            id=qid,
            type=spec.type,
            text=text,
            help=help_text,
            required=spec.required and kind.takes_answer,
            options=options,
            scale=spec.scale if "scale" in kind.fields else None,
            favourable=favourable,
            reverse=spec.reverse,
            min=spec.min,
            max=spec.max,
            max_length=spec.max_length or kind.default_max_length,
            randomise_options=spec.randomise_options,
            earliest=spec.earliest,
            latest=spec.latest,
            show_if=show_if,
            show_if_text=spec.show_if if show_if is not None else None,
            section_id=section_id,
            score_codes=kind.score_codes(options),
            line=self.rep.line(loc),
        )
        if qid not in self.declared:
            self.declared[qid] = Declared(loc, spec.compare)
            self.built[qid] = question
        return question

    def question_options(self, loc: Loc, spec: QuestionIn, kind: QuestionType) -> tuple[Option, ...]:
        qid = spec.id
        if spec.scale is not None and spec.options is not None:
            self.rep.error(loc, "give either 'scale:' or 'options:', not both", qid)
        if spec.scale is not None and "scale" in kind.fields:
            scale = self.scales.get(spec.scale)
            if scale is None:
                known = ", ".join(self.scales) or "none declared"
                self.rep.error((*loc, "scale"), f"unknown scale '{spec.scale}' (scales: {known})", qid)
                return ()
            options = scale.options
        elif spec.options is not None:
            options = self.options((*loc, "options"), spec.options, qid)
        else:
            options = kind.implicit_options()
            if not options:
                self.rep.error(loc, f"a {spec.type} question needs 'scale:' or 'options:'", qid)
                return ()
            missing = [lang for lang in self.languages if any(lang not in o.label for o in options)]
            if missing:
                self.rep.error(
                    loc,
                    f"built-in {spec.type} labels exist only in 'id' and 'en'; give 'options:'"
                    f" with labels in {', '.join(repr(m) for m in missing)}",
                    qid,
                )
        exclusive = [option.code for option in options if option.exclusive]
        if exclusive and not kind.accepts_many:
            self.rep.error((*loc, "options"), f"option '{exclusive[0]}' is exclusive, which only a question that "
                           f"takes several answers can use (this is {spec.type})", qid)
        required = kind.required_codes
        scale_codes = {option.code for option in options if option.special is None}
        if required and scale_codes != required:
            wanted = " and ".join(f"'{code}'" for code in sorted(required, reverse=True))
            self.rep.error(
                (*loc, "options"),
                f"{spec.type} options must be {wanted}, plus optional special options",
                qid,
            )
        return options

    def show_if(self, loc: Loc, spec: QuestionIn) -> Expr | None:
        """Parse a question's ``show_if``; it may only read questions that come earlier in the file."""
        return self.condition(loc, spec.show_if, spec.id, f"question '{spec.id}'")

    def condition(self, loc: Loc, text: str | None, qid: str | None, owner: str,
                  rule: str = "show_if") -> Expr | None:
        """Parse a question's or a section's ``show_if`` (only earlier questions may be read),
        or a constraint's ``check`` (read after every question). A section's or constraint's
        problems name it (``owner``); a question's, the question."""

        def report(message: str) -> None:
            self.rep.error(loc, message if qid else f"{owner}: {message}", qid)

        if text is None:
            return None
        try:
            expr = parse(text)
        except ExpressionError as exc:
            report(f"{rule} syntax error at column {exc.column}: {exc.message}")
            return None
        ok = True
        for name in sorted(expr.names):
            if name == qid:
                message = f"{rule} cannot refer to the question itself"
            elif name in self.built and not takes_answer(self.built[name]):
                message = f"{rule} refers to '{name}', a {self.built[name].type}, which has no answer"
            elif name in self.built:
                continue
            elif name in self.all_ids:
                message = f"{rule} refers to '{name}', which comes later in the file"
            else:
                message = f"{rule} refers to unknown question '{name}'"
            report(message)
            ok = False
        for comparison in expr.comparisons():
            ok = self._check_codes(report, comparison) and ok
        return expr if ok else None

    def _check_codes(self, report: Callable[[str], None], comparison: Comparison) -> bool:
        """Catch typos such as ``contact == 'ya'`` when the option code is ``yes``."""
        ok = True
        sides = ((comparison.left, comparison.right), (comparison.right, comparison.left))
        for name, literal in sides:
            if not (isinstance(name, Name) and isinstance(literal, Literal)):
                continue
            target = self.built.get(name.name)
            if target is None or not target.options:
                continue
            values = literal.value if isinstance(literal.value, tuple) else (literal.value,)
            for value in values:
                if isinstance(value, str) and target.option(value) is None:
                    codes = ", ".join(option.code for option in target.options)
                    report(f"show_if compares '{name.name}' with '{value}', which is not one of"
                           f" its option codes ({codes})")
                    ok = False
        return ok


def build_questionnaire(
    reporter: Reporter,
    spec: QuestionnaireIn,
    path: Path,
    content_hash: str,
    previous: PreviousLoader,
    amendments: AmendmentFile = NO_AMENDMENTS,
) -> Questionnaire | None:
    """Check ``spec`` as a whole; return the questionnaire, or None after reporting problems.

    ``amendments`` (the folder's later judgements) apply to this version's links.
    """
    builder = _Builder(reporter, spec)
    # A file whose name disagrees with its version must not look for its "previous"
    # version: that could be the file itself.
    versioned = builder.check_identity(path)
    builder.check_languages()
    title = builder.texts(("title",), spec.title, "title")
    description = None if spec.description is None else builder.texts(("description",), spec.description, "description")
    builder.build_scales()
    sections = builder.build_sections()
    indices = builder.build_indices()
    constraints = builder.build_constraints()
    amended = amendments.of_version(spec.version) if versioned else {}
    compares = (resolve_versions(reporter, spec.version, builder.built, builder.declared, previous, amended)
                if versioned else {})
    if amended and not reporter.problems:
        compares = apply_amendments(amendments, spec.version, compares, spec.languages)
    if reporter.problems or (amendments.reporter is not None and amendments.reporter.problems):
        return None
    sections = tuple(
        replace(section, questions=tuple(_with_compare(q, compares) for q in section.questions)) for section in sections
    )
    return Questionnaire(
        key=spec.key,
        version=spec.version,
        languages=tuple(spec.languages),
        default_language=spec.default_language,
        title=title,
        description=description,
        scales=builder.scales,
        indices=indices,
        sections=sections,
        path=path,
        content_hash=content_hash,
        constraints=constraints,
        amendments=tuple(amended.values()),
        small_bases=spec.small_bases,
    )


def _with_compare(question: Question, compares: dict[str, Comparability]) -> Question:
    return replace(question, compare=compares[question.id])


def _within(question: Question, condition: Expr | None, text: str | None) -> Question:
    """``question`` shown only where its section is: the section's condition and its own."""
    if condition is None or text is None:
        return question
    if question.show_if is None:
        return replace(question, show_if=condition, show_if_text=text)
    return replace(question, show_if=BoolOp("and", (condition, question.show_if)),
                   show_if_text=f"({text}) and ({question.show_if_text})")

"""Items: each headline item's top-2 trend, and the per-round answer distributions (and free
text) the section sheets show, in each round's own coding."""

from __future__ import annotations

from collections.abc import Sequence

from reports.data import RoundInfo
from reports.stats import Change, ItemShare, mean_ci, proportion_change
from reports.tables.change import presence_notes, segment_changes, span_changes, split_segments
from reports.tables.figures import (
    AnswerCounts,
    VillageData,
    make_estimate,
    mean_score,
    share_estimate,
    share_from_counts,
    weighted_share,
)
from reports.tables.model import (
    DistributionBlock,
    Estimate,
    FreeText,
    ItemDetail,
    ItemKind,
    OptionLabel,
    ReportOptions,
    RoundDistribution,
    Trend,
    item_kind,
    localised,
)
from reports.tables.versions import Versions, recode_counts
from reports.text import t
from survey_app.questionnaire import Question, Questionnaire
from survey_app.questionnaire.redaction import redact


def item_trend(
    qid: str, rounds: Sequence[RoundInfo], data: AnswerCounts, versions: Versions, options: ReportOptions
) -> Trend:
    asked = [r for r in rounds if r.questionnaire.has_question(qid)
             and item_kind(r.questionnaire.question(qid)) == "scale"]
    latest_q = asked[-1].questionnaire
    label = localised(latest_q.question(qid).text, latest_q, options.lang)
    segments, notes = split_segments(asked, lambda a, b: versions.link(qid, a, b), label, options.lang)
    shares: dict[int, ItemShare] = {}
    for segment in segments:
        reference = segment[-1]
        ref_question = reference.questionnaire.question(qid)
        for round_ in segment:
            link = versions.link(qid, round_, reference).comparability
            counts = recode_counts(data.counts_of(round_.id, qid), link)
            sums = data.weight_sums_of(round_.id, qid)
            shares[round_.id] = (
                share_from_counts(counts, ref_question) if sums is None
                else weighted_share(counts, (recode_counts(sums[0], link), recode_counts(sums[1], link)), ref_question)
            )
    values: dict[int, Estimate | None] = {r.id: None for r in rounds}
    values.update({rid: share_estimate(share, options.suppression) for rid, share in shares.items()})
    def compute(a: RoundInfo, b: RoundInfo) -> Change:
        return proportion_change(shares[a.id], shares[b.id], options.min_n)

    def min_n_ok(a: RoundInfo, b: RoundInfo) -> bool:
        return min(shares[a.id].base, shares[b.id].base) >= options.min_n

    changes = segment_changes(segments, compute, min_n_ok)
    return Trend(
        key=qid,
        kind="item",
        label=label,
        section_id=latest_q.question(qid).section_id,
        values=values,
        segments=tuple(tuple(r.id for r in segment) for segment in segments),
        changes=changes,
        spans=span_changes(segments, options.change_spans, compute, min_n_ok),
        notes=tuple(presence_notes(label, rounds, asked, options.lang) + notes),
        counted_as=_favourable_labels(latest_q.question(qid), latest_q, options.lang),
    )


def _favourable_labels(question: Question, questionnaire: Questionnaire, lang: str) -> str:
    favourable = question.favourable
    return " + ".join(localised(option.label, questionnaire, lang) for option in question.options
                      if option.code in favourable)


def section_layout(rounds: Sequence[RoundInfo], lang: str) -> list[tuple[str, str, list[str]]]:
    """Sections in the latest questionnaire's order; questions only earlier versions asked are
    appended to their old section, so a dropped item still shows its past rounds."""
    sections: dict[str, tuple[str, list[str]]] = {}
    placed: set[str] = set()
    for round_ in reversed(rounds):
        questionnaire = round_.questionnaire
        for section in questionnaire.sections:
            title = localised(section.title, questionnaire, lang)
            entry = sections.setdefault(section.id, (title, []))
            for question in section.questions:
                if question.id not in placed:
                    entry[1].append(question.id)
                    placed.add(question.id)
    return [(sid, title, ids) for sid, (title, ids) in sections.items()]


def _option_labels(question: Question, questionnaire: Questionnaire, lang: str) -> tuple[OptionLabel, ...]:
    return tuple(
        OptionLabel(o.code, localised(o.label, questionnaire, lang), o.special is not None) for o in question.options
    )


def _distribution(
    round_: RoundInfo, question: Question, kind: ItemKind, data: VillageData, options: ReportOptions
) -> RoundDistribution:
    total = data.size(round_.id)
    suppression = options.suppression
    top2 = mean = None
    if kind == "multiple":
        chosen = data.choices_of(round_.id, question)
        counts, valid_n, missing = dict(chosen.counts), chosen.valid, total - chosen.answered
    elif kind == "number":
        values = data.numbers_of(round_.id, question.id)
        counts, valid_n = {}, int(values.notna().sum())
        missing = total - valid_n
        m, low, high, n = mean_ci(values)
        mean = make_estimate(m, low, high, n, suppression)
    else:
        counts = dict(data.counts_of(round_.id, question.id))
        known = {o.code for o in question.options}
        valid = {o.code for o in question.scale_options()}
        valid_n = sum(n for code, n in counts.items() if code in valid)
        missing = total - sum(n for code, n in counts.items() if code in known)
        counts = {code: counts.get(code, 0) for code in known}
        if kind == "scale":
            sums = data.weight_sums_of(round_.id, question.id)
            share = share_from_counts(counts, question) if sums is None else weighted_share(counts, sums, question)
            top2 = share_estimate(share, suppression)
            mean = mean_score(counts, question, suppression, data.scored(round_.id, question))
    flag = suppression.flag(valid_n)
    if flag == "suppressed":
        return RoundDistribution(round_.id, total, valid_n, flag, {}, None, top2, mean)
    return RoundDistribution(round_.id, total, valid_n, flag, counts, missing, top2, mean)


def item_detail(
    qid: str, rounds: Sequence[RoundInfo], data: VillageData, versions: Versions,
    options: ReportOptions, trend: Trend | None,
) -> ItemDetail:
    asked = [r for r in rounds if r.questionnaire.has_question(qid)]
    blocks: list[DistributionBlock] = []
    current: list[RoundDistribution] = []
    current_options: tuple[OptionLabel, ...] = ()
    previous: RoundInfo | None = None
    for round_ in asked:
        questionnaire = round_.questionnaire
        question = questionnaire.question(qid)
        labels = _option_labels(question, questionnaire, options.lang)
        same = previous is not None and versions.link(qid, previous, round_).comparability.kind == "same"
        if current and not (same and labels == current_options):
            blocks.append(DistributionBlock(current_options, tuple(current), _block_note(current, rounds, options)))
            current = []
        current_options = labels
        current.append(_distribution(round_, question, item_kind(question), data, options))
        previous = round_
    if current:
        blocks.append(DistributionBlock(current_options, tuple(current), _block_note(current, rounds, options)))
    latest_q = asked[-1].questionnaire
    question = latest_q.question(qid)
    return ItemDetail(qid, item_kind(question), localised(question.text, latest_q, options.lang), tuple(blocks), trend)


def _block_note(block: Sequence[RoundDistribution], rounds: Sequence[RoundInfo], options: ReportOptions) -> str:
    by_id = {r.id: r for r in rounds}
    versions = sorted({by_id[d.round_id].questionnaire.version for d in block})
    return t("block_versions", options.lang, versions=", ".join(f"v{v}" for v in versions))


def free_text_answers(rounds: Sequence[RoundInfo], data: VillageData, lang: str) -> list[FreeText]:
    found = []
    for round_ in rounds:
        frame = data.by_round[round_.id]
        for question in round_.questionnaire.questions():
            if item_kind(question) != "text" or question.id not in frame.columns:
                continue
            answers = frame[question.id].dropna().astype(str).str.strip()
            # Redacted (personal data never reaches a report), and sorted, so the order says
            # nothing about who answered when.
            texts = tuple(sorted(redact(a).text for a in answers if a))
            if texts:
                label = localised(question.text, round_.questionnaire, lang)
                found.append(FreeText(question.id, label, round_.id, texts))
    return found

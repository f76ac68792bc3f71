from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from survey_app import questionnaires
from survey_app.cli import transactional
from survey_app.extensions import db
from survey_app.models import QuestionnaireVersion
from survey_app.questionnaire import diff as diff_versions
from survey_app.questionnaire import text_in
from survey_app.questionnaire.length import MAX_MINUTES, SECONDS_PER_ANSWER, WORDS_PER_MINUTE, interview_length

group = click.Group("questionnaire", help="Validate and inspect questionnaire definitions.")


@group.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def validate(paths: tuple[Path, ...]) -> None:
    """Check YAML files or folders (default: the questionnaire folder); exit 1 on any error."""
    targets = list(paths) or [Path(current_app.config["QUESTIONNAIRE_DIR"])]
    problems = [str(p) for p in questionnaires.catalog().validate(targets)]
    problems += _changed_published_files(targets)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(problems)} problem(s) found.")
    click.echo("All questionnaire files are valid.")


def _changed_published_files(targets: list[Path]) -> list[str]:
    """Files of versions already used by a round whose bytes changed since then."""
    if not sa.inspect(db.engine).has_table(QuestionnaireVersion.__tablename__):
        return []
    wanted = [t.resolve() for t in targets]
    problems = []
    for pinned in db.session.scalars(sa.select(QuestionnaireVersion)):
        path = questionnaires.questionnaire_dir() / pinned.path
        in_targets = any(path.resolve() == t or t in path.resolve().parents for t in wanted)
        if in_targets and path.exists() and questionnaires.file_hash(path) != pinned.content_hash:
            problems.append(
                f"{path}: {pinned.key}@{pinned.version} is published (first used "
                f"{pinned.first_used_at:%Y-%m-%d}) and its file has changed since; "
                "published versions never change, publish a new version instead."
            )
    return problems


@group.command("list")
@with_appcontext
def list_() -> None:
    """List the questionnaire versions found, and whether a round has used them."""
    cat = questionnaires.catalog()
    pinned = {(p.key, p.version) for p in db.session.scalars(sa.select(QuestionnaireVersion))}
    refs = sorted(cat.refs())
    if not refs:
        click.echo(f"No questionnaires in {current_app.config['QUESTIONNAIRE_DIR']}.")
        return
    for key, version in refs:
        state = "published" if (key, version) in pinned else "not used yet"
        click.echo(f"{key}@{version}  {state}")


@group.command("show")
@click.argument("ref", metavar="KEY@VERSION")
@click.option("--lang", default="id", show_default=True, help="Language of the texts shown.")
@with_appcontext
@transactional
def show(ref: str, lang: str) -> None:
    """Print a questionnaire version: sections, questions, options, skip logic, indices."""
    q = questionnaires.find(ref)
    dl = q.default_language
    click.echo(f"{q.ref}: {text_in(q.title, lang, dl)}  [{q.path}]")
    click.echo(f"languages: {', '.join(q.languages)} (default {dl})")
    for section in q.sections:
        click.echo(f"\n== {section.id}: {text_in(section.title, lang, dl)}")
        for question in section.questions:
            flags = [question.type, "required" if question.required else "optional"]
            if question.reverse:
                flags.append("reverse-worded")
            click.echo(f"  {question.id} ({', '.join(flags)}): {text_in(question.text, lang, dl)}")
            if question.show_if is not None:
                click.echo(f"      show if: {question.show_if_text}")
            for option in question.options:
                mark = f" [{option.special}]" if option.special else ""
                fav = " *" if option.code in question.favourable else ""
                click.echo(f"      {option.code}: {text_in(option.label, lang, dl)}{mark}{fav}")
    for index in q.indices:
        click.echo(f"\nindex {index.id}: {text_in(index.label, lang, dl)} = {', '.join(index.items)}")
    length = interview_length(q, lang)
    verdict = "within" if length.within_limit else "OVER"
    click.echo(f"\ninterview length: about {length.minutes:.1f} minutes, every question asked"
               f" ({length.words} words read aloud at {WORDS_PER_MINUTE} a minute,"
               f" {length.answers} answers at {SECONDS_PER_ANSWER} s); {verdict} the {MAX_MINUTES}-minute limit")


@group.command("diff")
@click.argument("old_ref", metavar="KEY@V1")
@click.argument("new_ref", metavar="KEY@V2")
@with_appcontext
@transactional
def diff(old_ref: str, new_ref: str) -> None:
    """Show which questions were added, removed, kept, recoded or made not comparable."""
    old, new = questionnaires.find(old_ref), questionnaires.find(new_ref)
    try:
        click.echo(diff_versions(old, new).format_text())
    except ValueError as exc:  # not adjacent versions of one questionnaire
        raise click.ClickException(str(exc)) from None

import json
import os
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from survey_app import audit
from survey_app.cli import transactional
from survey_app.extensions import db
from survey_app.models import Role, User
from survey_app.operations import OperationError
from survey_app.operations.staff_data import DATA_EXPORTED, anonymisable, anonymise_user, deactivated_at, personal_data
from survey_app.operations.users import create_user, normalise_email, parse_role


def find_user(email: str) -> User:
    """The account with this e-mail address; OperationError naming it otherwise."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise OperationError(f"No account with e-mail {email!r}.")
    return user

group = click.Group("users", help="Manage user accounts.")

PASSWORD_ENV = "SURVEY_USER_PASSWORD"  # noqa: S105 - a variable name, not a password


@group.command("create")
@click.argument("email")
@click.option("--role", required=True, help="One of: " + ", ".join(r.value for r in Role) + ".")
@click.option("--villages", "scope", multiple=True, metavar="CODE-PREFIX",
              help="Limit the user to these areas or villages (repeatable), e.g. 32.73.01. Staff without "
                   "it work on all villages; a viewer must be given at least one.")
@click.option("--password-env", default=PASSWORD_ENV, show_default=True,
              help="Read the password from this environment variable (for scripts); "
                   "when it is not set, you are asked for it.")
@with_appcontext
@transactional
def create(email: str, role: str, scope: tuple[str, ...], password_env: str) -> None:
    """Create an account. The password is asked for, or read from SURVEY_USER_PASSWORD."""
    parsed_role = parse_role(role)
    password = os.environ.get(password_env)
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = create_user(email, parsed_role, password, list(scope), actor="cli")
    where = ", ".join(user.scope_prefixes) or "all villages"
    click.echo(f"Created {user.role.value} {user.email} ({where}).")


@group.command("data")
@click.argument("email")
@click.option("--out", "out_file", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The JSON file to write.")
@with_appcontext
@transactional
def data(email: str, out_file: Path) -> None:
    """Write everything held about one staff member (account, sign-ins, actions, work) as JSON."""
    user = find_user(email)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(personal_data(user), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    audit.record(DATA_EXPORTED, actor="cli", object_type="user", object_id=user.id, out=str(out_file))
    click.echo(f"Wrote the personal data of {user.email} to {out_file}.")


@group.command("anonymise")
@click.option("--after-days", type=int, help="Deactivated at least this many days ago (default: STAFF_ANONYMISE_DAYS).")
@click.option("--yes", is_flag=True, help="Anonymise them; without it, only list who would be.")
@with_appcontext
@transactional
def anonymise(after_days: int | None, yes: bool) -> None:
    """Anonymise every staff account deactivated long enough ago (daily, like rounds apply-schedule)."""
    days = after_days if after_days is not None else int(current_app.config["STAFF_ANONYMISE_DAYS"])
    due = [user for user in db.session.scalars(sa.select(User).where(User.active.is_(False)).order_by(User.id))
           if anonymisable(user, days)]
    if not yes:
        for user in due:
            click.echo(f"would anonymise {user.email} (deactivated {deactivated_at(user):%Y-%m-%d})")
        click.echo(f"{len(due)} account(s) deactivated at least {days} days ago; run with --yes to anonymise.")
        return
    for user in due:
        click.echo(f"anonymised {user.email} as {anonymise_user(user, days, actor='cli')}")
    click.echo(f"{len(due)} account(s) anonymised.")

import os

import click
from flask.cli import with_appcontext

from survey_app.cli import transactional
from survey_app.models import Role
from survey_app.operations.users import create_user, parse_role

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

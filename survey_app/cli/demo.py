import click
from flask.cli import with_appcontext

from survey_app.cli import transactional
from survey_app.demo import load_demo

group = click.Group("demo", help="Demo content for a first look.")


@group.command("load")
@with_appcontext
@transactional
def load() -> None:
    """Load demo villages, rounds and answers; running it again adds nothing twice."""
    result = load_demo()
    click.echo(f"Demo loaded: {result.rounds_created} new round(s), {result.responses_created} new response(s).")
    click.echo(f"Sign in at http://127.0.0.1:5000/ as {result.admin_email} with password: {result.admin_password}")

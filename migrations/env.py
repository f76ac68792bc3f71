"""Alembic environment, run by Flask-Migrate inside the app context."""

import logging
from logging.config import fileConfig

from alembic import context
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def _skip_empty_autogenerate(context, revision, directives):
    """Do not write a migration file when autogenerate found no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _refuse_unconfirmed_downgrade(connection):
    """Every downgrade here drops tables or columns that hold answers, users or the audit
    trail. In production it runs only when the command names the risk:
    ``flask db downgrade -x drop-data=yes <revision>`` (after ``flask backup create``)."""
    if current_app.config["SURVEY_ENV"] != "production":
        return
    if context.get_x_argument(as_dictionary=True).get("drop-data") == "yes":
        return
    target = context.get_revision_argument()
    if target in (None, "head", "heads"):
        return
    downgrade = target == "base" or str(target).startswith("-")
    if not downgrade:
        script = ScriptDirectory.from_config(config)
        for head in MigrationContext.configure(connection).get_current_heads():
            older = {revision.revision for revision in script.iterate_revisions(head, "base")} - {head}
            downgrade = downgrade or target in older
    if downgrade:
        raise RuntimeError(
            "Refused: this downgrade drops tables and columns that hold data (answers, users, the audit "
            "trail). Make a backup first (flask --app wsgi backup create --out FILE), then run the "
            "downgrade again with -x drop-data=yes."
        )


def run_migrations_online():
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", _skip_empty_autogenerate)
    with target_db.engine.connect() as connection:
        _refuse_unconfirmed_downgrade(connection)
        connection.commit()
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table by copying it and dropping the old one; with foreign
            # keys enforced, dropping a table others refer to fails once it holds data. Checked
            # as a whole below instead. (Set on the raw connection, before any transaction: the
            # pragma is ignored inside one.)
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")
            if broken:
                raise RuntimeError(f"the migration left rows whose references point nowhere: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Flask extension objects, created unbound and wired to an app by ``create_app``.

Nothing here reads configuration: the factory calls each ``init_app``.
"""

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from survey_app.catalogs import SurveyBabel

# Stable constraint names make Alembic migrations (and SQLite batch mode) reproducible.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Translations fall back to Indonesian, never to the English of the source.
babel = SurveyBabel()
# Residents are on 2G/3G: gzip every text response.
compress = Compress()
# Counters only: the limiter keys on the client address but never stores it with answers.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

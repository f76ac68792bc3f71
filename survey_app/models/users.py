"""Accounts and their roles; volunteers and viewers may be limited to some areas."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models._types import enum_column, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    VOLUNTEER = "volunteer"
    VIEWER = "viewer"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), default=None)
    # Set for a temporary password handed over on paper: replaced at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # One-time invitation or reset link: only the token's sha256 is kept, with its expiry.
    invite_token_hash: Mapped[str | None] = mapped_column(sa.String(64), default=None, unique=True)
    invite_expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), default=None)

    scopes: Mapped[list[UserScope]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserScope.code_prefix"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def scope_prefixes(self) -> list[str]:
        """Area or village codes this user may work on; empty means everywhere."""
        return [scope.code_prefix for scope in self.scopes]

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserScope(db.Model):
    __tablename__ = "user_scopes"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    code_prefix: Mapped[str] = mapped_column(sa.String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="scopes")

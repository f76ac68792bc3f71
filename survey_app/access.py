"""Access decisions. Every view declares one: ``public`` or ``roles_required(...)``.

The decision is stored on the view function (``view.access``) so a test can walk every
URL rule and fail when a new route was added without one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from survey_app.models import Role, User, covers

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"


def public(view: F) -> F:
    """Mark a view as open to anyone, on purpose."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow only signed-in users with one of ``roles``; others get 401 or 403."""
    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from survey_app.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


ANY_ROLE = tuple(Role)
STAFF = (Role.ADMIN, Role.COORDINATOR)


def user_covers(user: User, code: str) -> bool:
    """True when ``code`` (a village or area code) lies within the user's scope."""
    return covers(user.scope_prefixes, code)

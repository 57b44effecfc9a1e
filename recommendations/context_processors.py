"""The header's unread count, on every page for a signed-in person."""

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest

from accounts.models import User
from recommendations.notifications import unread_count


def notifications(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """A function, not a number: the query runs only where a template asks (base.html's header, once), never on
    the admin's pages, which do not."""
    user = getattr(request, "user", None)

    @cache
    def unread() -> int:
        return unread_count(user) if isinstance(user, User) and user.is_authenticated else 0

    return {"unread_notifications": unread}

"""The request a signed-in view receives, typed so its user is the project's User (not `User | AnonymousUser`)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """An HttpRequest behind `login_required` (or the admin): AuthenticationMiddleware has set a real User.

    Only for annotations: Django builds the request; views behind a sign-in check declare this type.
    """

    user: User


def signed_in_user(request: HttpRequest) -> User:
    """The person making `request`, for code that Django only runs for someone signed in (the admin's views): a
    request without one is refused, never taken for a person."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user
